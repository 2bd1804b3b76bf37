//! A Redis cache in front of the hot reads — a task by id, a project's task-list pages,
//! its members and membership checks — shared by every instance.
//!
//! Entries are keyed by their project's generation, which every committed change to the
//! project moves on (the same writes that append to the event log). A reader notes the
//! generation before it reads the database and stores what it read only if the
//! generation has not moved meanwhile (one Lua script), so an entry never outlives the
//! data it copies. When Redis does not answer, reads go to the database for a few
//! seconds before trying Redis again; nothing waits on a dead cache.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::domain::{
    Activity, Channel, Comment, MePatch, Member, Notification, Project, ProjectPatch, Role, Task, TaskFilter, User,
    Watcher,
};
use chrono::{DateTime, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::push::StoredSubscription;

use super::{
    ClaimedDelivery, CommentStore, Commit, DeliveryStore, DigestStore, DigestTask, DueTask, DueTaskReminder,
    EventStore, IdentityRecord, IdentityStore, NewIdentity, NewNotification, NewSession, NewUser, NextOccurrence,
    NotificationStore, OAuthFlow, ProjectStore, PushStore, ReminderStore, ScheduleStore, SessionRecord, Store,
    StoreResult, StoredEvent, TaskReminderStore, TaskScope, TaskStore, Unlinked, UserStore, WatcherStore,
};

/// How long an entry may sit unused before Redis lets it go.
const ENTRY_SECS: u64 = 300;
/// Generations outlive every entry keyed by them, so a restarted count cannot meet one.
const GENERATION_SECS: u64 = 86_400;
/// After Redis failed to answer, how long reads skip it.
const BYPASS: Duration = Duration::from_secs(3);

/// `GET` of entry ARGV[3] under the current generation of project ARGV[1] — or, given a
/// task id in ARGV[2], of that task's project. Returns {project, generation, entry}.
const LOOKUP: &str = r"
local project = ARGV[1]
if ARGV[2] ~= '' then
  project = redis.call('GET', 'tandem:task-project:' .. ARGV[2])
  if not project then return {false, false, false} end
end
local generation = redis.call('GET', 'tandem:gen:' .. project) or '0'
local entry = redis.call('GET', 'tandem:c:' .. project .. ':' .. generation .. ':' .. ARGV[3])
return {project, generation, entry}
";

/// Stores an entry only if the project's generation is still the one read before.
const STORE_IF_CURRENT: &str = r"
local generation = redis.call('GET', 'tandem:gen:' .. ARGV[1]) or '0'
if generation ~= ARGV[2] then return 0 end
redis.call('SET', 'tandem:c:' .. ARGV[1] .. ':' .. generation .. ':' .. ARGV[3], ARGV[4], 'EX', ARGV[5])
return 1
";

/// Hits, misses and bypasses, for `/metrics`.
#[derive(Default)]
pub struct CacheCounts {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub bypassed: AtomicU64,
}

pub struct CachedStore {
    inner: Arc<dyn Store>,
    redis: ConnectionManager,
    lookup: redis::Script,
    store_if_current: redis::Script,
    started: Instant,
    /// Milliseconds since `started` until which Redis is skipped.
    bypass_until: AtomicU64,
    /// Projects changed while Redis could not be told: their generations move on before
    /// this instance reads from the cache again.
    dirty: Mutex<HashSet<Uuid>>,
    pub counts: Arc<CacheCounts>,
}

/// Where a read's value came from.
enum Source {
    Cache,
    Database,
    /// From the database, and the task's project was not known to the cache.
    DatabaseUnkeyed,
}

impl CachedStore {
    pub fn new(inner: Arc<dyn Store>, url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid REDIS_URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(1)
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)));
        let redis = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self {
            inner,
            redis,
            lookup: redis::Script::new(LOOKUP),
            store_if_current: redis::Script::new(STORE_IF_CURRENT),
            started: Instant::now(),
            bypass_until: AtomicU64::new(0),
            dirty: Mutex::new(HashSet::new()),
            counts: Arc::new(CacheCounts::default()),
        })
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn usable(&self) -> bool {
        self.now_ms() >= self.bypass_until.load(Ordering::Relaxed)
    }

    fn dirty(&self) -> std::sync::MutexGuard<'_, HashSet<Uuid>> {
        self.dirty.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Usable, with every change Redis missed already accounted for.
    async fn ready(&self) -> bool {
        if !self.usable() {
            return false;
        }
        let missed: Vec<Uuid> = self.dirty().iter().copied().collect();
        for project in missed {
            if !self.move_generation(project).await {
                return false;
            }
            self.dirty().remove(&project);
        }
        true
    }

    fn failed(&self, error: &redis::RedisError) {
        tracing::warn!(%error, "Redis cache unavailable; reading from the database for a while");
        self.bypass_until.store(self.now_ms() + BYPASS.as_millis() as u64, Ordering::Relaxed);
    }

    /// The cached value of `entry` in `project` (or, with `task`, in the task's project),
    /// else the database's via `read`, kept for the next reader when still current.
    async fn cached<T, F>(
        &self,
        project: Option<Uuid>,
        task: Option<Uuid>,
        entry: &str,
        read: F,
    ) -> StoreResult<(T, Source)>
    where
        T: Serialize + DeserializeOwned,
        F: std::future::Future<Output = StoreResult<T>>,
    {
        if !self.ready().await {
            self.counts.bypassed.fetch_add(1, Ordering::Relaxed);
            return Ok((read.await?, Source::Database));
        }
        let mut redis = self.redis.clone();
        let project = project.map(|p| p.to_string()).unwrap_or_default();
        let task = task.map(|t| t.to_string()).unwrap_or_default();
        let found: redis::RedisResult<(Option<String>, Option<String>, Option<String>)> =
            self.lookup.arg(project).arg(task).arg(entry).invoke_async(&mut redis).await;
        let (project, generation, value) = match found {
            Ok(found) => found,
            Err(e) => {
                self.failed(&e);
                return Ok((read.await?, Source::Database));
            }
        };
        if let Some(value) = value.and_then(|v| serde_json::from_str(&v).ok()) {
            self.counts.hits.fetch_add(1, Ordering::Relaxed);
            return Ok((value, Source::Cache));
        }
        self.counts.misses.fetch_add(1, Ordering::Relaxed);
        let value = read.await?;
        let (Some(project), Some(generation)) = (project, generation) else {
            return Ok((value, Source::DatabaseUnkeyed));
        };
        let text = serde_json::to_string(&value).map_err(anyhow::Error::from)?;
        let stored: redis::RedisResult<i64> = self
            .store_if_current
            .arg(project)
            .arg(generation)
            .arg(entry)
            .arg(text)
            .arg(ENTRY_SECS)
            .invoke_async(&mut redis)
            .await;
        if let Err(e) = stored {
            self.failed(&e);
        }
        Ok((value, Source::Database))
    }

    async fn move_generation(&self, project: Uuid) -> bool {
        let mut redis = self.redis.clone();
        let key = format!("tandem:gen:{project}");
        let moved: redis::RedisResult<()> = redis::pipe()
            .incr(&key, 1)
            .ignore()
            .expire(&key, GENERATION_SECS as i64)
            .ignore()
            .query_async(&mut redis)
            .await;
        match moved {
            Ok(()) => true,
            Err(e) => {
                self.failed(&e);
                false
            }
        }
    }

    /// After a committed change: every entry of the project read before it is gone.
    async fn changed(&self, project: Uuid) {
        if !self.usable() || !self.move_generation(project).await {
            // Told once Redis answers again, before any cached read.
            self.dirty().insert(project);
        }
    }

    async fn after_commit(&self, project: Option<Uuid>) {
        if let Some(project) = project {
            self.changed(project).await;
        }
    }

    /// Tasks never move between projects, so this mapping never goes stale.
    async fn remember_task_project(&self, task: &Task) {
        let mut redis = self.redis.clone();
        let key = format!("tandem:task-project:{}", task.id);
        let set: redis::RedisResult<()> = redis::cmd("SET")
            .arg(key)
            .arg(task.project_id.to_string())
            .arg("EX")
            .arg(GENERATION_SECS)
            .query_async(&mut redis)
            .await;
        if let Err(e) = set {
            self.failed(&e);
        }
    }
}

fn event_project(commit: &Commit) -> Option<Uuid> {
    commit.event.as_ref().map(|e| e.project_id)
}

/// A list request's key: the filter, and who "me" is when the filter uses it.
fn list_entry(filter: &TaskFilter, me: Uuid) -> String {
    let text = serde_json::to_string(&(filter, me)).unwrap_or_default();
    let digest = Sha256::digest(text.as_bytes());
    format!("list:{}", digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>())
}

#[async_trait::async_trait]
impl Store for CachedStore {
    async fn ping(&self) -> StoreResult<()> {
        self.inner.ping().await
    }
}

#[async_trait::async_trait]
impl TaskStore for CachedStore {
    async fn insert_task(&self, task: &Task, commit: Commit) -> StoreResult<()> {
        let project = event_project(&commit);
        self.inner.insert_task(task, commit).await?;
        self.after_commit(project).await;
        if self.usable() {
            self.remember_task_project(task).await;
        }
        Ok(())
    }

    async fn task(&self, id: Uuid) -> StoreResult<Option<Task>> {
        let (task, source) = self.cached(None, Some(id), &format!("task:{id}"), self.inner.task(id)).await?;
        if let (Source::DatabaseUnkeyed, Some(task)) = (source, &task) {
            self.remember_task_project(task).await;
        }
        Ok(task)
    }

    async fn list_tasks(&self, scope: TaskScope, filter: &TaskFilter, me: Uuid) -> StoreResult<(Vec<Task>, bool)> {
        match scope {
            TaskScope::Project(project) => {
                let read = self.inner.list_tasks(scope, filter, me);
                Ok(self.cached(Some(project), None, &list_entry(filter, me), read).await?.0)
            }
            TaskScope::MemberOf(_) => self.inner.list_tasks(scope, filter, me).await,
        }
    }

    async fn update_task(
        &self,
        task: &Task,
        expected_version: i64,
        commit: Commit,
        next: Option<NextOccurrence>,
    ) -> StoreResult<bool> {
        let project = event_project(&commit);
        let updated = self.inner.update_task(task, expected_version, commit, next).await?;
        if updated {
            self.after_commit(project).await;
        }
        Ok(updated)
    }

    async fn delete_task(&self, id: Uuid, commit: Commit) -> StoreResult<()> {
        let project = event_project(&commit);
        self.inner.delete_task(id, commit).await?;
        self.after_commit(project).await;
        Ok(())
    }

    async fn fields_changed_since(&self, task_id: Uuid, version: i64) -> StoreResult<Vec<String>> {
        self.inner.fields_changed_since(task_id, version).await
    }
}

#[async_trait::async_trait]
impl ProjectStore for CachedStore {
    async fn insert_project(&self, project: &Project, owner: Uuid) -> StoreResult<()> {
        self.inner.insert_project(project, owner).await?;
        // A project id could only meet old entries by a UUID collision; this is cheap.
        self.changed(project.id).await;
        Ok(())
    }

    async fn projects_for_user(&self, user_id: Uuid) -> StoreResult<Vec<Project>> {
        self.inner.projects_for_user(user_id).await
    }

    async fn project_for_user(&self, project_id: Uuid, user_id: Uuid) -> StoreResult<Option<Project>> {
        let read = self.inner.project_for_user(project_id, user_id);
        Ok(self.cached(Some(project_id), None, &format!("member:{user_id}"), read).await?.0)
    }

    async fn update_project(
        &self,
        id: Uuid,
        patch: &ProjectPatch,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()> {
        self.inner.update_project(id, patch, now, commit).await?;
        self.changed(id).await;
        Ok(())
    }

    async fn delete_project(&self, id: Uuid) -> StoreResult<()> {
        self.inner.delete_project(id).await?;
        self.changed(id).await;
        Ok(())
    }

    async fn members(&self, project_id: Uuid) -> StoreResult<Vec<Member>> {
        Ok(self.cached(Some(project_id), None, "members", self.inner.members(project_id)).await?.0)
    }

    async fn member_ids(&self, project_id: Uuid, user_ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        self.inner.member_ids(project_id, user_ids).await
    }

    async fn insert_member(
        &self,
        project_id: Uuid,
        user_id: Uuid,
        role: Role,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()> {
        self.inner.insert_member(project_id, user_id, role, now, commit).await?;
        self.changed(project_id).await;
        Ok(())
    }

    async fn delete_member(&self, project_id: Uuid, user_id: Uuid, commit: Commit) -> StoreResult<()> {
        self.inner.delete_member(project_id, user_id, commit).await?;
        self.changed(project_id).await;
        Ok(())
    }
}

#[async_trait::async_trait]
impl CommentStore for CachedStore {
    async fn insert_comment(&self, comment: &Comment, commit: Commit) -> StoreResult<()> {
        // Comments are not cached; the event still moves the project on, which keeps
        // the rule simple: any committed event invalidates its project.
        let project = event_project(&commit);
        self.inner.insert_comment(comment, commit).await?;
        self.after_commit(project).await;
        Ok(())
    }

    async fn comment_task(&self, comment_id: Uuid) -> StoreResult<Option<Uuid>> {
        self.inner.comment_task(comment_id).await
    }

    async fn comments(&self, task_id: Uuid) -> StoreResult<Vec<Comment>> {
        self.inner.comments(task_id).await
    }

    async fn activity(&self, task_id: Uuid) -> StoreResult<Vec<Activity>> {
        self.inner.activity(task_id).await
    }
}

/// Task reminders are read on the task page and by the scheduler; not cached.
#[async_trait::async_trait]
impl TaskReminderStore for CachedStore {
    async fn task_reminders(&self, task_id: Uuid) -> StoreResult<Vec<app::domain::TaskReminder>> {
        self.inner.task_reminders(task_id).await
    }

    async fn insert_task_reminder(&self, reminder: &app::domain::TaskReminder, max: usize) -> StoreResult<bool> {
        self.inner.insert_task_reminder(reminder, max).await
    }

    async fn delete_task_reminder(&self, task_id: Uuid, id: Uuid) -> StoreResult<bool> {
        self.inner.delete_task_reminder(task_id, id).await
    }

    async fn due_task_reminders(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        due_until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueTaskReminder>> {
        self.inner.due_task_reminders(from, until, due_until).await
    }
}

/// Digests are read once a day per person; nothing to cache.
#[async_trait::async_trait]
impl DigestStore for CachedStore {
    async fn digest_users(&self, unclaimed_since: DateTime<Utc>) -> StoreResult<Vec<User>> {
        self.inner.digest_users(unclaimed_since).await
    }

    async fn digest_tasks(&self, user_id: Uuid, until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DigestTask>> {
        self.inner.digest_tasks(user_id, until, limit).await
    }

    async fn claim_digest(
        &self,
        user_id: Uuid,
        day: chrono::NaiveDate,
        note: Option<NewNotification>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.claim_digest(user_id, day, note, now).await
    }
}

/// Watchers are read once per change or comment; not cached.
#[async_trait::async_trait]
impl WatcherStore for CachedStore {
    async fn set_watching(&self, task_id: Uuid, user_id: Uuid, watching: bool, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.set_watching(task_id, user_id, watching, now).await
    }

    async fn watchers(&self, task_id: Uuid) -> StoreResult<Vec<Watcher>> {
        self.inner.watchers(task_id).await
    }
}

/// Push subscriptions are read once per push; nothing to cache.
#[async_trait::async_trait]
impl PushStore for CachedStore {
    async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String> {
        self.inner.instance_secret(name, candidate).await
    }

    async fn push_subscriptions(&self, user_id: Uuid) -> StoreResult<Vec<StoredSubscription>> {
        self.inner.push_subscriptions(user_id).await
    }

    async fn save_push_subscription(
        &self,
        subscription: &StoredSubscription,
        keep: usize,
    ) -> StoreResult<Option<StoredSubscription>> {
        self.inner.save_push_subscription(subscription, keep).await
    }

    async fn delete_push_subscription(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        self.inner.delete_push_subscription(user_id, id).await
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        self.inner.forget_push_endpoint(endpoint).await
    }

    async fn users_with_push(&self, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        self.inner.users_with_push(ids).await
    }
}

/// Deliveries are each read once by the sender that claims them; nothing to cache.
#[async_trait::async_trait]
impl DeliveryStore for CachedStore {
    async fn claim_deliveries(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        self.inner.claim_deliveries(channel, now, until, limit).await
    }

    async fn prune_sent_records(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.prune_sent_records(before).await
    }

    async fn release_deliveries(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        due_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.release_deliveries(channel, notification_ids, due_at).await
    }

    async fn deliveries_sent(&self, channel: Channel, notification_ids: &[Uuid]) -> StoreResult<()> {
        self.inner.deliveries_sent(channel, notification_ids).await
    }

    async fn deliveries_failed(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.deliveries_failed(channel, notification_ids, error, retry_at, now).await
    }
}

/// Reminders read open tasks across projects once a minute; nothing to cache.
#[async_trait::async_trait]
impl ReminderStore for CachedStore {
    async fn due_tasks(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<DueTask>> {
        self.inner.due_tasks(from, until).await
    }

    async fn claim_reminders(
        &self,
        reminders: Vec<(DueTask, NewNotification)>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<NewNotification>> {
        self.inner.claim_reminders(reminders, now).await
    }
}

/// Identities and sign-ins under way are not cached: they are read once per sign-in.
#[async_trait::async_trait]
impl IdentityStore for CachedStore {
    async fn insert_oauth_flow(&self, flow: &OAuthFlow, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.insert_oauth_flow(flow, now).await
    }

    async fn take_oauth_flow(&self, state_hash: &[u8]) -> StoreResult<Option<OAuthFlow>> {
        self.inner.take_oauth_flow(state_hash).await
    }

    async fn identity_owner(&self, issuer: &str, subject: &str) -> StoreResult<Option<Uuid>> {
        self.inner.identity_owner(issuer, subject).await
    }

    async fn insert_identity(&self, identity: NewIdentity) -> StoreResult<()> {
        self.inner.insert_identity(identity).await
    }

    async fn insert_user_with_identity(&self, user: NewUser, identity: NewIdentity) -> StoreResult<User> {
        self.inner.insert_user_with_identity(user, identity).await
    }

    async fn identities(&self, user_id: Uuid) -> StoreResult<Vec<IdentityRecord>> {
        self.inner.identities(user_id).await
    }

    async fn unlink_identity(
        &self,
        user_id: Uuid,
        id: Uuid,
        password_usable: bool,
        usable_providers: &[String],
    ) -> StoreResult<Unlinked> {
        self.inner.unlink_identity(user_id, id, password_usable, usable_providers).await
    }

    async fn has_password(&self, user_id: Uuid) -> StoreResult<bool> {
        self.inner.has_password(user_id).await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.inner.setting(key).await
    }

    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        self.inner.set_setting(key, value).await
    }
}

#[async_trait::async_trait]
impl UserStore for CachedStore {
    async fn insert_user(&self, user: NewUser) -> StoreResult<User> {
        self.inner.insert_user(user).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        self.inner.user_by_email(email).await
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>> {
        self.inner.user_by_id(id).await
    }

    async fn users_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<User>> {
        self.inner.users_by_ids(ids).await
    }

    async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()> {
        self.inner.set_admin(id, is_admin).await
    }

    async fn update_user(&self, id: Uuid, patch: &MePatch, now: DateTime<Utc>) -> StoreResult<User> {
        // Names appear in cached member lists: those of the user's projects go stale.
        let user = self.inner.update_user(id, patch, now).await?;
        if patch.name.is_some() {
            for project in self.inner.projects_for_user(id).await? {
                self.changed(project.id).await;
            }
        }
        Ok(user)
    }

    async fn set_password(&self, id: Uuid, password_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.set_password(id, password_hash, now).await
    }

    async fn set_disabled(&self, id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        self.inner.set_disabled(id, at).await
    }

    async fn is_disabled(&self, id: Uuid) -> StoreResult<bool> {
        self.inner.is_disabled(id).await
    }

    async fn list_accounts(&self) -> StoreResult<Vec<(User, bool)>> {
        self.inner.list_accounts().await
    }

    // Sessions are never cached: revoking one takes effect at once on every instance.
    async fn insert_session(&self, session: NewSession) -> StoreResult<()> {
        self.inner.insert_session(session).await
    }

    async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<(User, SessionRecord)>> {
        self.inner.session_user(token_hash, now).await
    }

    async fn touch_session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.touch_session(token_hash, now).await
    }

    async fn user_sessions(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>> {
        self.inner.user_sessions(user_id, now).await
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        self.inner.delete_session(token_hash).await
    }

    async fn delete_user_session(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
        self.inner.delete_user_session(user_id, id).await
    }

    async fn delete_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64> {
        self.inner.delete_user_sessions(user_id, keep).await
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.delete_expired_sessions(now).await
    }
}

#[async_trait::async_trait]
impl NotificationStore for CachedStore {
    async fn notifications(
        &self,
        user_id: Uuid,
        unread_only: bool,
        limit: u32,
        offset: u64,
    ) -> StoreResult<(Vec<Notification>, bool)> {
        self.inner.notifications(user_id, unread_only, limit, offset).await
    }

    async fn unread_count(&self, user_id: Uuid) -> StoreResult<i64> {
        self.inner.unread_count(user_id).await
    }

    async fn mark_read(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool> {
        self.inner.mark_read(user_id, id, now).await
    }

    async fn mark_all_read(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.mark_all_read(user_id, now).await
    }
}

#[async_trait::async_trait]
impl EventStore for CachedStore {
    async fn events_since(&self, project_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        self.inner.events_since(project_id, after_seq, limit).await
    }

    async fn latest_seq(&self, project_id: Uuid) -> StoreResult<i64> {
        self.inner.latest_seq(project_id).await
    }
}

#[async_trait::async_trait]
impl ScheduleStore for CachedStore {
    async fn claim_job(&self, job: &str, by: &str, now: DateTime<Utc>, next: DateTime<Utc>) -> StoreResult<bool> {
        self.inner.claim_job(job, by, now, next).await
    }
}
