//! Read-path benchmark: a team browsing one big project. Sends task-list requests (a
//! mix of filters and sorts) and task reads, with an occasional edit, to a running
//! Tandem, and reports latency per kind and database transactions per request (from
//! PostgreSQL's own statistics). Run it once against an instance without `REDIS_URL`
//! and once with, on the same data: `scripts/bench-cache.sh` does both.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::{json, Value};
use sqlx::Connection;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base: String,
    /// An API token of a member of the project.
    #[arg(long)]
    token: String,
    #[arg(long)]
    project: String,
    /// The server's PostgreSQL database, to count its transactions.
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 4000)]
    requests: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// One request in this many is an edit (which invalidates the project's entries).
    #[arg(long, default_value_t = 50)]
    edit_every: usize,
}

const LISTS: &[&str] = &[
    "limit=50",
    "limit=50&status=todo",
    "limit=50&sort=due_at",
    "limit=50&priority=high&sort=-updated_at",
    "limit=50&q=deploy",
    "limit=50&label=ops&status=in_progress",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::new();
    let lists: Vec<String> =
        LISTS.iter().map(|q| format!("{}/api/v1/projects/{}/tasks?{q}", args.base, args.project)).collect();
    // Tasks to read and edit: those on the first pages, as people would open them.
    let mut ids = Vec::new();
    for url in &lists[..3] {
        let page: Value = http.get(url).bearer_auth(&args.token).send().await?.json().await?;
        ids.extend(
            page["items"].as_array().context("a task page")?.iter().filter_map(|t| t["id"].as_str().map(String::from)),
        );
    }
    anyhow::ensure!(!ids.is_empty(), "the project has no tasks");

    let before = transactions(&args.database_url).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let samples: Arc<Mutex<Vec<(&'static str, u64)>>> = Arc::default();
    let started = Instant::now();
    let workers = (0..args.concurrency).map(|_| {
        let (http, next, samples, lists, ids) =
            (http.clone(), next.clone(), samples.clone(), lists.clone(), ids.clone());
        let (base, token, total, edit_every) = (args.base.clone(), args.token.clone(), args.requests, args.edit_every);
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(());
                }
                let task = &ids[(i * 7919) % ids.len()];
                let t = Instant::now();
                let (kind, response) = if i % edit_every == edit_every - 1 {
                    let body = json!({ "title": format!("edited {i}") });
                    (
                        "edit",
                        http.patch(format!("{base}/api/v1/tasks/{task}"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await?,
                    )
                } else if i % 3 == 0 {
                    ("task", http.get(format!("{base}/api/v1/tasks/{task}")).bearer_auth(&token).send().await?)
                } else {
                    ("list", http.get(&lists[i % lists.len()]).bearer_auth(&token).send().await?)
                };
                let status = response.status();
                response.bytes().await?;
                anyhow::ensure!(status.is_success(), "{kind} answered {status}");
                samples.lock().unwrap().push((kind, t.elapsed().as_micros() as u64));
            }
        })
    });
    for worker in futures::future::join_all(workers).await {
        worker??;
    }
    let elapsed = started.elapsed();
    // PostgreSQL publishes its counters about once a second.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = transactions(&args.database_url).await?;

    let samples = samples.lock().unwrap();
    println!(
        "{} requests in {:.1} s ({:.0}/s), concurrency {}",
        samples.len(),
        elapsed.as_secs_f64(),
        samples.len() as f64 / elapsed.as_secs_f64(),
        args.concurrency
    );
    for kind in ["list", "task", "edit"] {
        let mut us: Vec<u64> = samples.iter().filter(|(k, _)| *k == kind).map(|(_, us)| *us).collect();
        us.sort_unstable();
        if us.is_empty() {
            continue;
        }
        let at = |q: f64| us[((us.len() as f64 * q) as usize).min(us.len() - 1)] as f64 / 1000.0;
        println!(
            "  {kind:<4} n={:<5} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            us.len(),
            at(0.5),
            at(0.99),
            at(1.0)
        );
    }
    // The statistics query itself is one transaction.
    let per_request = (after - before - 1) as f64 / samples.len() as f64;
    println!("  database transactions per request: {per_request:.2}");
    Ok(())
}

async fn transactions(database_url: &str) -> anyhow::Result<i64> {
    let mut db = sqlx::PgConnection::connect(database_url).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut db)
    .await?;
    Ok(n)
}
