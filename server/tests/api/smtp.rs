//! A real SMTP server for the email tests: `tests/smtp/sink.py` (aiosmtpd, installed into
//! the repository's `.venv` by `scripts/setup.sh`) on a loopback port.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

impl SmtpSink {
    /// A sink on a port of its own, accepting everything.
    pub async fn start() -> Self {
        Self::start_on(crate::ports::free_port(), &[]).await
    }

    /// A sink on `port`, with `args` for `sink.py` (`--refuse N`, `--reject ADDRESS`).
    pub async fn start_on(port: u16, args: &[&str]) -> Self {
        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python");
        assert!(std::path::Path::new(python).exists(), "the test SMTP server is not installed: run scripts/setup.sh");
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/sink.py"))
            .args(["--port", &port.to_string(), "--out"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("python runs the test SMTP server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "smtp sink ready" {
                    return true;
                }
            }
            false
        });
        assert!(ready.await.unwrap_or(false), "the test SMTP server did not start");
        Self { port, dir, _child: child }
    }

    pub fn url(&self) -> String {
        url_for(self.port)
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
    }

    /// The messages and recipients it refused, oldest first.
    pub fn refusals(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.dir.path().join("refusals.jsonl")) {
            Ok(text) => text.lines().map(|l| serde_json::from_str(l).unwrap()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Waits (up to 15 s) until at least `count` messages have arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..150 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {count} emails, got {:?}", self.messages());
    }
}

pub fn url_for(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}")
}
