//! Fixed-window counters for sign-in attempts: per client address and per account.
//!
//! With Redis the counters are shared by every instance (one atomic script per hit);
//! without it, or while Redis is away, each instance counts in its own memory, so a
//! Redis outage loosens the limits across instances but never turns them off.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How many hits a key may take within one window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub max: u32,
    pub window: Duration,
}

/// Refused: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one, for the `Retry-After` header.
    pub fn secs(&self) -> u64 {
        self.0.as_millis().div_ceil(1000).max(1) as u64
    }
}

/// Counts the hit and returns (hits in the window so far, milliseconds until it ends).
const HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
";

/// Takes a hit back, never creating a key or going below zero.
const FORGIVE: &str = r"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0
";

/// How long the local counters stand in for Redis after it failed.
const BYPASS: Duration = Duration::from_secs(3);

pub struct RateLimiter {
    local: Mutex<HashMap<String, Window>>,
    redis: Option<Shared>,
    started: Instant,
}

struct Shared {
    connection: ConnectionManager,
    prefix: String,
    hit: redis::Script,
    forgive: redis::Script,
    bypass_until_ms: AtomicU64,
}

#[derive(Clone, Copy)]
struct Window {
    hits: u32,
    ends: Instant,
}

impl RateLimiter {
    pub fn local() -> Self {
        Self { local: Mutex::new(HashMap::new()), redis: None, started: Instant::now() }
    }

    /// Counters shared through Redis, under keys starting with `prefix`.
    pub fn shared(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid REDIS_URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(1)
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)));
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        let shared = Shared {
            connection,
            prefix: format!("{prefix}:limit:"),
            hit: redis::Script::new(HIT),
            forgive: redis::Script::new(FORGIVE),
            bypass_until_ms: AtomicU64::new(0),
        };
        Ok(Self { redis: Some(shared), ..Self::local() })
    }

    /// Counts one hit on `key`; refused once the window holds more than `limit.max`.
    pub async fn hit(&self, limit: Limit, key: &str) -> Result<(), RetryAfter> {
        let (hits, left) = self.count(limit, key, 1).await;
        if hits > limit.max {
            Err(RetryAfter(left))
        } else {
            Ok(())
        }
    }

    /// Refused if `key` already used up its window, without counting a hit.
    pub async fn check(&self, limit: Limit, key: &str) -> Result<(), RetryAfter> {
        let (hits, left) = self.count(limit, key, 0).await;
        if hits >= limit.max {
            Err(RetryAfter(left))
        } else {
            Ok(())
        }
    }

    /// Takes one hit back (an attempt counted up front turned out to be fine).
    pub async fn forgive(&self, limit: Limit, key: &str) {
        if let Some(window) = self.locals().get_mut(&local_key(limit, key)) {
            window.hits = window.hits.saturating_sub(1);
        }
        if let Some(shared) = self.usable_redis() {
            let mut connection = shared.connection.clone();
            let result: redis::RedisResult<i64> =
                shared.forgive.key(shared.key(limit, key)).invoke_async(&mut connection).await;
            if let Err(error) = result {
                self.redis_failed(shared, &error);
            }
        }
    }

    /// Forgets `key`'s hits (a successful sign-in clears its failures).
    pub async fn clear(&self, limit: Limit, key: &str) {
        self.locals().remove(&local_key(limit, key));
        if let Some(shared) = self.usable_redis() {
            let mut connection = shared.connection.clone();
            let result: redis::RedisResult<()> =
                redis::cmd("DEL").arg(shared.key(limit, key)).query_async(&mut connection).await;
            if let Err(error) = result {
                self.redis_failed(shared, &error);
            }
        }
    }

    async fn count(&self, limit: Limit, key: &str, add: u32) -> (u32, Duration) {
        if let Some(shared) = self.usable_redis() {
            match shared.count(limit, key, add).await {
                Ok(found) => return found,
                Err(error) => self.redis_failed(shared, &error),
            }
        }
        self.count_locally(limit, key, add)
    }

    fn count_locally(&self, limit: Limit, key: &str, add: u32) -> (u32, Duration) {
        let now = Instant::now();
        let mut windows = self.locals();
        if windows.len() > 100_000 {
            windows.retain(|_, window| window.ends > now);
        }
        let window = windows.entry(local_key(limit, key)).or_insert(Window { hits: 0, ends: now + limit.window });
        if window.ends <= now {
            *window = Window { hits: 0, ends: now + limit.window };
        }
        window.hits = window.hits.saturating_add(add);
        (window.hits, window.ends - now)
    }

    fn locals(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        self.local.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn usable_redis(&self) -> Option<&Shared> {
        self.redis.as_ref().filter(|shared| self.now_ms() >= shared.bypass_until_ms.load(Ordering::Relaxed))
    }

    fn redis_failed(&self, shared: &Shared, error: &redis::RedisError) {
        tracing::warn!(%error, "Redis unavailable; rate limits count on this instance for a while");
        shared.bypass_until_ms.store(self.now_ms() + BYPASS.as_millis() as u64, Ordering::Relaxed);
    }
}

impl Shared {
    fn key(&self, limit: Limit, key: &str) -> String {
        format!("{}{}", self.prefix, local_key(limit, key))
    }

    async fn count(&self, limit: Limit, key: &str, add: u32) -> redis::RedisResult<(u32, Duration)> {
        let mut connection = self.connection.clone();
        let key = self.key(limit, key);
        if add == 0 {
            let (hits, ttl): (Option<u32>, i64) =
                redis::pipe().get(&key).pttl(&key).query_async(&mut connection).await?;
            return Ok((hits.unwrap_or(0), Duration::from_millis(ttl.max(0) as u64)));
        }
        let (hits, ttl): (u32, i64) =
            self.hit.key(&key).arg(limit.window.as_millis() as u64).invoke_async(&mut connection).await?;
        Ok((hits, Duration::from_millis(ttl.max(0) as u64)))
    }
}

/// Keys name the limit, so one client's sign-ins and another limit's never mix.
fn local_key(limit: Limit, key: &str) -> String {
    format!("{}:{key}", limit.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const THREE_PER_SECOND: Limit = Limit { name: "test", max: 3, window: Duration::from_secs(1) };

    #[tokio::test]
    async fn a_key_is_refused_past_its_limit_until_the_window_ends() {
        let limiter = RateLimiter::local();
        for _ in 0..3 {
            limiter.hit(THREE_PER_SECOND, "a").await.unwrap();
        }
        let refused = limiter.hit(THREE_PER_SECOND, "a").await.unwrap_err();
        assert!(refused.0 <= Duration::from_secs(1) && refused.secs() == 1);
        assert!(limiter.check(THREE_PER_SECOND, "a").await.is_err());
        limiter.hit(THREE_PER_SECOND, "b").await.expect("other keys are counted apart");
        tokio::time::sleep(Duration::from_millis(1050)).await;
        limiter.hit(THREE_PER_SECOND, "a").await.expect("a new window");
    }

    #[tokio::test]
    async fn check_does_not_count_and_forgive_and_clear_take_hits_back() {
        let limiter = RateLimiter::local();
        for _ in 0..10 {
            limiter.check(THREE_PER_SECOND, "a").await.unwrap();
        }
        for _ in 0..3 {
            limiter.hit(THREE_PER_SECOND, "a").await.unwrap();
        }
        assert!(limiter.check(THREE_PER_SECOND, "a").await.is_err());
        limiter.forgive(THREE_PER_SECOND, "a").await;
        limiter.check(THREE_PER_SECOND, "a").await.expect("one hit taken back");
        limiter.hit(THREE_PER_SECOND, "a").await.unwrap();
        limiter.clear(THREE_PER_SECOND, "a").await;
        limiter.check(THREE_PER_SECOND, "a").await.unwrap();
    }
}
