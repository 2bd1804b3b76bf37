//! Ports for servers a test starts itself and must name before they listen (a process,
//! or an app whose public URL the OpenID Connect provider is told first).

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// Ports handed out, counted from an offset of this process's own.
static HANDED: AtomicU32 = AtomicU32::new(0);
/// How many ports below the kernel's ephemeral range are taken turns with.
const SPAN: u32 = 8000;

/// A port nobody listens on right now, and that the kernel does not hand out by itself.
///
/// Taken below the ephemeral range: a port from that range, free when asked, can be
/// given to any outgoing connection the moment after (tests, the app and the database
/// connect all the time), and the server meant for it would find it taken. Each call
/// in this process gets a different one.
pub fn free_port() -> u16 {
    let low = ephemeral_low();
    let start = std::process::id() % SPAN;
    for _ in 0..SPAN {
        let turn = (start + HANDED.fetch_add(1, Ordering::Relaxed)) % SPAN;
        let Ok(port) = u16::try_from(low.saturating_sub(1 + turn)) else { continue };
        if port > 1024 && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below {low}");
}

/// The lowest port the kernel picks by itself (Linux's setting; its default elsewhere).
fn ephemeral_low() -> u32 {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    range.split_whitespace().next().and_then(|low| low.parse().ok()).unwrap_or(32768)
}
