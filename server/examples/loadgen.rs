//! Live-update load generator: opens N authenticated WebSockets subscribed to one
//! project, changes tasks through the REST API, and reports how long each change took
//! to reach every socket (request sent → event received), events lost, and the
//! server's memory per idle socket.
//!
//! `cargo run --release -p server --example loadgen -- --sockets 1000 --server-pid <pid>`
//! (see docs/benchmarks.md).

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
struct Args {
    /// Base URL of a running Tandem.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base: String,
    /// Sockets to open, all subscribed to the same project.
    #[arg(long, default_value_t = 1000)]
    sockets: usize,
    /// Changes to make once every socket is subscribed.
    #[arg(long, default_value_t = 100)]
    changes: usize,
    /// Changes made before the timed ones, received but not timed.
    #[arg(long, default_value_t = 0)]
    warmup: usize,
    /// Pause between two changes, in milliseconds.
    #[arg(long, default_value_t = 100)]
    interval_ms: u64,
    /// Sockets opening at the same time.
    #[arg(long, default_value_t = 64)]
    connect_concurrency: usize,
    /// The server's process id, to read its resident memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Worker threads of this generator (it shares the machine with the server);
    /// default: one per core, so that the last sockets of a change are read on every core.
    #[arg(long)]
    threads: Option<usize>,
    /// Exit with an error if any event was lost or came out of order.
    #[arg(long)]
    check: bool,
}

/// When each change's request was sent, by its `seq`.
struct Clock {
    first_seq: i64,
    sent: Vec<OnceLock<Instant>>,
}

/// What every socket saw: the delivery latency of each (change, socket) pair, laid out
/// change by change so that the sockets reading one change write next to each other.
/// Atomics rather than a lock per socket: the generator shares the machine with the
/// server, and every cache line it touches per delivery is time taken from it.
struct Deliveries {
    sockets: usize,
    /// Microseconds + 1; 0: not received.
    latency: Vec<AtomicU32>,
    out_of_order: AtomicUsize,
}

impl Deliveries {
    fn new(changes: usize, sockets: usize) -> Self {
        Self {
            sockets,
            latency: (0..changes * sockets).map(|_| AtomicU32::new(0)).collect(),
            out_of_order: AtomicUsize::new(0),
        }
    }

    fn record(&self, change: usize, socket: usize, latency: Duration) {
        let us = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX - 1);
        if let Some(slot) = self.latency.get(change * self.sockets + socket) {
            slot.store(us + 1, Ordering::Relaxed);
        }
    }

    /// The latencies of one change, in microseconds, of the sockets that received it.
    fn of_change(&self, change: usize) -> impl Iterator<Item = u64> + '_ {
        let row = &self.latency[change * self.sockets..(change + 1) * self.sockets];
        row.iter().map(|slot| slot.load(Ordering::Relaxed)).filter(|&v| v > 0).map(|v| u64::from(v - 1))
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()?.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let allowed = server::limits::raise_fd_limit(args.sockets as u64 + 256);
    if allowed < args.sockets as u64 + 256 {
        eprintln!("warning: only {allowed} file descriptors allowed (hard `ulimit -n`); not every socket may open");
    }
    let http = reqwest::Client::new();
    let (token, project) = set_up(&http, &args.base).await?;
    let rss_before = args.server_pid.and_then(rss_kib);

    println!("opening {} sockets…", args.sockets);
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    let ws_url = format!("{}/api/v1/ws?token={token}", args.base.replacen("http", "ws", 1));
    let mut opening = Vec::with_capacity(args.sockets);
    for _ in 0..args.sockets {
        let (gate, url, project) = (gate.clone(), ws_url.clone(), project.clone());
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("gate open");
            open_subscribed(&url, &project).await
        }));
    }
    let mut sockets = Vec::with_capacity(args.sockets);
    let mut first_seq = None;
    for handle in opening {
        let (socket, seq) = handle.await??;
        first_seq.get_or_insert(seq);
        sockets.push(socket);
    }
    let first_seq = first_seq.unwrap_or_default() + 1 + args.warmup as i64;
    println!("{} sockets subscribed in {:.1} s", sockets.len(), started.elapsed().as_secs_f64());

    // Let the server settle, then weigh the idle sockets.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = args.server_pid.and_then(rss_kib);

    let clock = Arc::new(Clock { first_seq, sent: (0..args.changes).map(|_| OnceLock::new()).collect() });
    let done = Arc::new(AtomicUsize::new(0));
    let deliveries = Arc::new(Deliveries::new(args.changes, sockets.len()));
    let last_seq = first_seq + args.changes as i64 - 1;
    // Sockets stay open until every one is done: ten thousand clients closing at once
    // while the last change is still on its way would be timed as part of its delivery.
    let (finished, _) = tokio::sync::broadcast::channel::<()>(1);
    for (index, socket) in sockets.into_iter().enumerate() {
        let (clock, done, deliveries) = (clock.clone(), done.clone(), deliveries.clone());
        let mut finished = finished.subscribe();
        tokio::spawn(async move {
            let socket = listen(socket, index, &clock, last_seq, &deliveries).await;
            done.fetch_add(1, Ordering::Relaxed);
            let _ = finished.recv().await;
            drop(socket);
        });
    }

    if args.warmup > 0 {
        println!("making {} changes first, not timed…", args.warmup);
    }
    println!("making {} changes, one every {} ms…", args.changes, args.interval_ms);
    let cpu_now = || (args.server_pid.and_then(cpu_ms), cpu_ms(std::process::id()));
    let mut cpu_before = cpu_now();
    // The creation is the first change; the rest edit the task.
    let timed = |i: usize| i.checked_sub(args.warmup).and_then(|i| clock.sent.get(i));
    if let Some(sent) = timed(0) {
        sent.set(Instant::now()).ok();
    }
    let created = http
        .post(format!("{}/api/v1/projects/{project}/tasks", args.base))
        .bearer_auth(&token)
        .json(&json!({ "title": "load" }))
        .send()
        .await?;
    let task: Value = created.error_for_status()?.json().await?;
    let task_id = task["id"].as_str().context("task id")?.to_owned();
    let mut version = task["version"].as_i64().unwrap_or(1);
    let mut request_us = Vec::with_capacity(args.changes);
    for i in 1..args.warmup + args.changes {
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
        if i == args.warmup {
            cpu_before = cpu_now();
        }
        let sent = Instant::now();
        if let Some(clock) = timed(i) {
            clock.set(sent).ok();
        }
        let reply = http
            .patch(format!("{}/api/v1/tasks/{task_id}", args.base))
            .bearer_auth(&token)
            .json(&json!({ "title": format!("load {i}"), "version": version }))
            .send()
            .await?;
        let task: Value = reply.error_for_status()?.json().await?;
        if i >= args.warmup {
            request_us.push(sent.elapsed().as_micros() as u64);
        }
        version = task["version"].as_i64().unwrap_or(version + 1);
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    while done.load(Ordering::Relaxed) < args.sockets && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu = Cpu {
        server_ms: args.server_pid.and_then(cpu_ms).zip(cpu_before.0).map(|(after, before)| after - before),
        generator_ms: cpu_ms(std::process::id()).zip(cpu_before.1).map(|(after, before)| after - before),
    };
    let faults = report(&args, &deliveries, request_us, rss_before.zip(rss_after), cpu);
    drop(finished);
    if args.check && faults > 0 {
        bail!("{faults} events lost or out of order");
    }
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Registers a fresh user and creates the project the sockets watch.
async fn set_up(http: &reqwest::Client, base: &str) -> anyhow::Result<(String, String)> {
    let email = format!("load-{}@example.com", uuid::Uuid::new_v4().simple());
    let password = "load generator password";
    let body = json!({ "email": email, "name": "Load", "password": password });
    http.post(format!("{base}/api/v1/auth/register")).json(&body).send().await?.error_for_status()?;
    let form = [("grant_type", "password"), ("username", email.as_str()), ("password", password)];
    let token: Value =
        http.post(format!("{base}/api/v1/auth/token")).form(&form).send().await?.error_for_status()?.json().await?;
    let token = token["access_token"].as_str().context("access_token")?.to_owned();
    let project: Value = http
        .post(format!("{base}/api/v1/projects"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Load test" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok((token, project["id"].as_str().context("project id")?.to_owned()))
}

async fn open_subscribed(url: &str, project: &str) -> anyhow::Result<(Socket, i64)> {
    // Small buffers: ten thousand sockets live in this process too.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    let subscribe = json!({ "type": "subscribe", "project_id": project });
    socket.send(Message::Text(subscribe.to_string().into())).await?;
    while let Some(message) = socket.next().await {
        if let Message::Text(text) = message? {
            let value: Value = serde_json::from_str(&text)?;
            match value["type"].as_str() {
                Some("subscribed") => return Ok((socket, value["seq"].as_i64().unwrap_or_default())),
                Some("error") => bail!("subscription refused: {text}"),
                _ => {}
            }
        }
    }
    bail!("socket closed before subscribing")
}

/// Reads events until `last_seq` arrives or the socket ends, timing each, and hands the
/// socket back. What it saw is in `deliveries` as it goes, so that a socket still
/// waiting when the run ends counts what it got.
async fn listen(mut socket: Socket, index: usize, clock: &Clock, last_seq: i64, deliveries: &Deliveries) -> Socket {
    let mut expected = clock.first_seq;
    while expected <= last_seq {
        let Some(Ok(message)) = socket.next().await else { break };
        let received = Instant::now();
        let Message::Text(text) = message else { continue };
        let Some(seq) = event_seq(&text) else { continue };
        if seq < clock.first_seq {
            continue;
        }
        if seq != expected {
            deliveries.out_of_order.fetch_add(1, Ordering::Relaxed);
        }
        expected = seq + 1;
        let change = (seq - clock.first_seq) as usize;
        let sent = clock.sent.get(change).and_then(|sent| sent.get().copied());
        deliveries.record(change, index, sent.map_or(Duration::ZERO, |sent| received.saturating_duration_since(sent)));
    }
    socket
}

/// The `seq` of a task event, read without parsing the whole frame. The server writes
/// an event's keys in sorted order, so `seq` and `type` are the last two: reading from
/// the end finds them without scanning the event's data.
fn event_seq(text: &str) -> Option<i64> {
    let kind = &text[text.rfind(r#""type":""#)? + 8..];
    if !kind.starts_with("task.") {
        return None;
    }
    let rest = &text[text.rfind(r#""seq":"#)? + 6..];
    rest[..rest.find(|c: char| !c.is_ascii_digit())?].parse().ok()
}

/// The `q` quantile of sorted microseconds, in milliseconds.
fn quantile_ms(sorted: &[u64], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

/// Processor time (user and system) spent during the changes.
struct Cpu {
    server_ms: Option<u64>,
    generator_ms: Option<u64>,
}

/// Prints the figures; returns how many events were lost or came out of order.
fn report(args: &Args, deliveries: &Deliveries, mut request_us: Vec<u64>, rss: Option<(u64, u64)>, cpu: Cpu) -> usize {
    let mut all = Vec::with_capacity(deliveries.latency.len());
    // Per change: how long the first and the last socket waited.
    let (mut first, mut last) = (Vec::new(), Vec::new());
    for change in 0..args.changes {
        let mut times = deliveries.of_change(change).inspect(|&t| all.push(t));
        if let Some(t) = times.next() {
            let (lo, hi) = times.fold((t, t), |(lo, hi), t| (lo.min(t), hi.max(t)));
            first.push(lo);
            last.push(hi);
            if std::env::var_os("LOADGEN_TRACE").is_some() {
                println!("change {change}: first {:.1} ms, last {:.1} ms", lo as f64 / 1e3, hi as f64 / 1e3);
            }
        }
    }
    all.sort_unstable();
    first.sort_unstable();
    last.sort_unstable();
    request_us.sort_unstable();
    let expected = args.sockets * args.changes;
    let received = all.len();
    let out_of_order = deliveries.out_of_order.load(Ordering::Relaxed);
    println!("sockets        {}", args.sockets);
    println!("changes        {} (one every {} ms)", args.changes, args.interval_ms);
    println!("deliveries     {received} of {expected} expected; lost {}", expected.saturating_sub(received));
    println!("out of order   {out_of_order}");
    println!(
        "delivery       p50 {:.1} ms · p90 {:.1} ms · p99 {:.1} ms · max {:.1} ms (request sent → event received)",
        quantile_ms(&all, 0.50),
        quantile_ms(&all, 0.90),
        quantile_ms(&all, 0.99),
        quantile_ms(&all, 1.0)
    );
    println!(
        "PATCH          p50 {:.1} ms · p99 {:.1} ms (request sent → response read)",
        quantile_ms(&request_us, 0.50),
        quantile_ms(&request_us, 0.99)
    );
    println!(
        "per change     first socket p50 {:.1} ms · last socket p50 {:.1} ms, max {:.1} ms",
        quantile_ms(&first, 0.50),
        quantile_ms(&last, 0.50),
        quantile_ms(&last, 1.0)
    );
    let deliveries = all.len().max(1) as f64;
    for (who, ms) in [("server CPU", cpu.server_ms), ("generator CPU", cpu.generator_ms)] {
        if let Some(ms) = ms {
            println!("{who:<14} {ms} ms in all: {:.1} µs per delivery", ms as f64 * 1000.0 / deliveries);
        }
    }
    if let Some((before, after)) = rss {
        let per_socket = (after.saturating_sub(before)) as f64 / args.sockets.max(1) as f64;
        println!("server RSS     {before} KiB → {after} KiB with sockets idle: {per_socket:.1} KiB per socket");
    }
    expected.saturating_sub(received) + out_of_order
}

/// Processor time (user and system) a process has used, in milliseconds, from /proc (Linux).
fn cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
    let mut fields = stat[stat.rfind(')')? + 2..].split_whitespace().skip(11);
    let ticks: u64 = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(ticks * 1000 / per_second)
}

/// Resident memory of a process in KiB, from /proc (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
