//! The bytes on their way to one client. Everything written to a socket passes through
//! its `Wire`, in the order it was accepted, whoever writes it: the socket's own task
//! (replies, catch-up, anything queued) or the hub, which writes a live event straight to
//! every socket that is in step, without waking thousands of tasks to copy the same
//! bytes. What the kernel cannot take at once waits in the wire's backlog, and the
//! socket's task writes it out.

use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, RawFd};
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Bytes a socket may have waiting, beyond what its kernel buffer holds, before the hub
/// counts it as too slow.
pub const MAX_BACKLOG: usize = 512 * 1024;
/// The socket's own task waits for the client rather than fill more of the backlog than
/// this, so that the hub's live events always find room behind a large catch-up.
const TASK_BACKLOG: usize = 64 * 1024;
/// A backlog's memory is given back once it is written out, above this size.
const KEPT_CAPACITY: usize = 16 * 1024;

pub struct Wire {
    state: Mutex<WireState>,
}

struct WireState {
    /// The connection's descriptor, for the hub's writes. `None` when the connection is
    /// not a plain TCP socket of its own, and from the moment it starts closing: the
    /// number may then be reused by another connection.
    fd: Option<RawFd>,
    /// Accepted but not yet written, in order; only ever whole frames' remainders.
    backlog: Vec<u8>,
    /// How much of the backlog must be written before the task's own writes are out
    /// (a flush waits for that much, not for what the hub adds meanwhile).
    owed: usize,
}

/// What became of bytes handed to [`Wire::send`].
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// The kernel took them all.
    Written,
    /// Some wait in the backlog, which was empty: the socket's task must write it out.
    Backlogged,
    /// Queued behind an earlier backlog, which the task is already told of.
    Behind,
    /// Not accepted: the client is too slow, or its connection broke.
    TooSlow,
    /// Not accepted: the connection is closing, or the hub may not write to it.
    Closed,
}

impl Wire {
    /// A wire the hub may write to directly through `fd`, the connection's own socket
    /// (or not at all when `None`).
    pub fn new(fd: Option<RawFd>) -> Self {
        Self { state: Mutex::new(WireState { fd, backlog: Vec::new(), owed: 0 }) }
    }

    /// Whether the hub can write to this socket itself.
    pub fn is_direct(&self) -> bool {
        self.lock().fd.is_some()
    }

    /// Writes `bytes` (whole frames) after everything accepted before them, without
    /// waiting: what the kernel does not take now goes to the backlog.
    pub fn send(&self, bytes: &[u8]) -> Sent {
        let mut state = self.lock();
        let Some(fd) = state.fd else { return Sent::Closed };
        if !state.backlog.is_empty() {
            if state.backlog.len() + bytes.len() > MAX_BACKLOG {
                return Sent::TooSlow;
            }
            state.backlog.extend_from_slice(bytes);
            return Sent::Behind;
        }
        // SAFETY: `fd` is the open socket of this connection. It stays open while
        // `state.fd` is `Some`: the stream that owns it (`WireIo`) clears `state.fd`
        // under this same lock before it closes. `ManuallyDrop` keeps this borrowed view
        // from closing it.
        let socket = ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(fd) });
        // The socket is non-blocking (the runtime made it so), and std sends with
        // MSG_NOSIGNAL: a closed peer is an error here, not a signal.
        let written = match (&*socket).write(bytes) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(_) => return Sent::TooSlow,
        };
        if written == bytes.len() {
            return Sent::Written;
        }
        state.backlog.extend_from_slice(&bytes[written..]);
        Sent::Backlogged
    }

    /// Stops the hub's writes, before the socket's closing frame: nothing may follow it.
    pub fn detach(&self) {
        self.lock().fd = None;
    }

    fn lock(&self) -> MutexGuard<'_, WireState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The upgraded connection as the socket's task sees it: reads as they come, and writes
/// that go through the wire, behind any backlog.
pub struct WireIo {
    io: TokioIo<Upgraded>,
    wire: std::sync::Arc<Wire>,
}

impl WireIo {
    pub fn new(io: TokioIo<Upgraded>, wire: std::sync::Arc<Wire>) -> Self {
        Self { io, wire }
    }
}

impl Drop for WireIo {
    fn drop(&mut self) {
        // Before the descriptor closes (with `io`, after this): the hub must not write
        // to a number another connection may get.
        self.wire.detach();
    }
}

/// How much of the backlog to write out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// All of it.
    Empty,
    /// Up to the task's own last bytes.
    Owed,
}

/// Writes out as much of the backlog as the kernel takes now; Ready once `until` is met.
fn drain(
    io: &mut TokioIo<Upgraded>,
    cx: &mut Context<'_>,
    state: &mut WireState,
    until: Until,
) -> Poll<io::Result<()>> {
    while if until == Until::Empty { !state.backlog.is_empty() } else { state.owed > 0 } {
        match Pin::new(&mut *io).poll_write(cx, &state.backlog) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
            Poll::Ready(Ok(n)) => {
                state.backlog.drain(..n);
                state.owed = state.owed.saturating_sub(n);
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
    }
    if state.backlog.is_empty() && state.backlog.capacity() > KEPT_CAPACITY {
        state.backlog = Vec::new();
    }
    Poll::Ready(Ok(()))
}

impl AsyncRead for WireIo {
    /// Also writes out what the hub left in the backlog: the task reads whenever it has
    /// nothing else to do, so the backlog drains without holding up anything.
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let WireIo { io, wire } = self.get_mut();
        let mut state = wire.lock();
        if !state.backlog.is_empty() {
            // A failed write shows again on the next write or flush, where it ends the socket.
            let _ = drain(io, cx, &mut state, Until::Empty);
        }
        drop(state);
        Pin::new(io).poll_read(cx, buf)
    }
}

impl AsyncWrite for WireIo {
    /// Writes out the backlog first, then as much of `buf` as the kernel takes; the rest
    /// joins the backlog while that stays small, else the task waits for the client.
    /// Always takes all of `buf` or none of it, so frames never tear.
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let WireIo { io, wire } = self.get_mut();
        let mut state = wire.lock();
        match drain(io, cx, &mut state, Until::Empty) {
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending if state.backlog.len() + buf.len() > TASK_BACKLOG => return Poll::Pending,
            Poll::Pending => {}
            Poll::Ready(Ok(())) => match Pin::new(&mut *io).poll_write(cx, buf) {
                Poll::Ready(Ok(n)) if n == buf.len() => return Poll::Ready(Ok(n)),
                Poll::Ready(Ok(n)) => {
                    state.backlog.extend_from_slice(&buf[n..]);
                    state.owed = state.backlog.len();
                    return Poll::Ready(Ok(buf.len()));
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending if buf.len() > TASK_BACKLOG => return Poll::Pending,
                Poll::Pending => {}
            },
        }
        state.backlog.extend_from_slice(buf);
        state.owed = state.backlog.len();
        Poll::Ready(Ok(buf.len()))
    }

    /// Done once the task's own writes are out; what the hub added since drains later.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let WireIo { io, wire } = self.get_mut();
        let mut state = wire.lock();
        if let pending_or_failed @ (Poll::Pending | Poll::Ready(Err(_))) = drain(io, cx, &mut state, Until::Owed) {
            return pending_or_failed;
        }
        drop(state);
        Pin::new(io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.as_mut().poll_flush(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.io).poll_shutdown(cx),
            other => other,
        }
    }
}

/// A server's WebSocket text frame around `payload`: final, unmasked, so the same bytes
/// serve every client.
pub fn text_frame(payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut frame = Vec::with_capacity(len + 10);
    frame.push(0x81);
    match len {
        0..=125 => frame.push(len as u8),
        126..=0xFFFF => {
            frame.push(126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            frame.push(127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};
    use tokio_tungstenite::tungstenite::Message;

    use super::text_frame;

    /// A client reads the frame as one text message, at each length encoding's edges.
    #[test]
    fn a_text_frame_reads_back_as_its_text_at_every_length() {
        for len in [0, 1, 125, 126, 127, 65_535, 65_536, 200_000] {
            let text: String = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let mut bytes = text_frame(text.as_bytes());
            bytes.extend(text_frame(b"next"));
            let mut client = WebSocket::from_raw_socket(Cursor::new(bytes), Role::Client, None);
            assert_eq!(client.read().unwrap(), Message::text(text), "length {len}");
            assert_eq!(client.read().unwrap(), Message::text("next"), "the frame after one of length {len}");
        }
    }
}
