//! Liveness, readiness and Prometheus metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::startup::AppState;

/// Request counters by status class, and total time spent answering.
#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    micros_total: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let m = Self::default();
        m.started.get_or_init(Instant::now);
        Arc::new(m)
    }

    fn record(&self, status: StatusCode, elapsed: std::time::Duration) {
        let class = (status.as_u16() / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        self.micros_total.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self) -> String {
        let mut out = String::from("# HELP tandem_http_requests_total HTTP requests answered, by status class.\n# TYPE tandem_http_requests_total counter\n");
        let mut count = 0;
        for (i, c) in self.by_class.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            count += n;
            out.push_str(&format!("tandem_http_requests_total{{class=\"{}xx\"}} {n}\n", i + 1));
        }
        let secs = self.micros_total.load(Ordering::Relaxed) as f64 / 1e6;
        out.push_str("# HELP tandem_http_request_duration_seconds Time spent answering HTTP requests.\n# TYPE tandem_http_request_duration_seconds summary\n");
        out.push_str(&format!(
            "tandem_http_request_duration_seconds_sum {secs}\ntandem_http_request_duration_seconds_count {count}\n"
        ));
        let uptime = self.started.get().map(|s| s.elapsed().as_secs_f64()).unwrap_or_default();
        out.push_str(&format!("# HELP tandem_uptime_seconds Seconds since the process started.\n# TYPE tandem_uptime_seconds gauge\ntandem_uptime_seconds {uptime}\n"));
        out
    }
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.record(response.status(), started.elapsed());
    response
}

pub fn ops_routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// 503 when the database does not answer. Redis going away only degrades the instance
/// (it keeps serving, and its own sockets stay live), so it stays in rotation.
async fn readyz(State(state): State<AppState>) -> Response {
    // A database that does not answer is as good as down; the probe must not hang on it.
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), state.service.store().ping()).await;
    let database = match ping {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            false
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer within 2 s");
            false
        }
    };
    let redis = state.hub.shared_bus_reachable();
    let status = match (database, redis) {
        (false, _) => "unavailable",
        (true, Some(false)) => "degraded",
        (true, _) => "ok",
    };
    let mut body = json!({ "status": status, "database": if database { "ok" } else { "unreachable" } });
    if let Some(up) = redis {
        body["redis"] = json!(if up { "ok" } else { "unreachable" });
    }
    let code = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics.render();
    text.push_str(&format!(
        "# HELP tandem_websocket_connections Open live-update sockets.\n# TYPE tandem_websocket_connections gauge\ntandem_websocket_connections {}\n",
        state.hub.connections()
    ));
    let frames = state.hub.frame_counts();
    text.push_str(&format!(
        "# HELP tandem_websocket_events_total Project events handed to live sockets, by way: written to the socket by the fan-out itself, or queued for the socket's own task (catching up, or a slow client).\n# TYPE tandem_websocket_events_total counter\ntandem_websocket_events_total{{way=\"direct\"}} {}\ntandem_websocket_events_total{{way=\"queued\"}} {}\n",
        frames.direct.load(std::sync::atomic::Ordering::Relaxed),
        frames.queued.load(std::sync::atomic::Ordering::Relaxed)
    ));
    text.push_str(&format!(
        "# HELP tandem_websocket_fan_out_writes_total Writes the fan-out made to sockets; events committed while it sweeps a large room share one write per socket.\n# TYPE tandem_websocket_fan_out_writes_total counter\ntandem_websocket_fan_out_writes_total {}\n",
        frames.writes.load(std::sync::atomic::Ordering::Relaxed)
    ));
    if let Some(counts) = state.service.cache_counts() {
        text.push_str("# HELP tandem_cache_reads_total Cacheable reads, by where they were answered from.\n# TYPE tandem_cache_reads_total counter\n");
        for (outcome, n) in [("hit", &counts.hits), ("miss", &counts.misses), ("bypassed", &counts.bypassed)] {
            let n = n.load(std::sync::atomic::Ordering::Relaxed);
            text.push_str(&format!("tandem_cache_reads_total{{outcome=\"{outcome}\"}} {n}\n"));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
