//! The connections the server accepts, and what it knows of the one a request came on:
//! the peer's address (for rate limits) and the socket itself (live updates write to it
//! directly).

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream};

/// The server's listening socket. Live frames are small and must leave at once, not
/// wait for the previous one's ACK, so every connection gets `TCP_NODELAY`.
pub struct Sockets(pub TcpListener);

impl Listener for Sockets {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        let (tcp, addr) = Listener::accept(&mut self.0).await;
        let _ = tcp.set_nodelay(true);
        (tcp, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// Put into every request's extensions as `ConnectInfo<Peer>`.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub addr: SocketAddr,
    /// The connection's descriptor. Only valid while the connection is open: it is
    /// for whoever ends up owning the connection (a WebSocket), never to keep.
    pub fd: RawFd,
}

impl Connected<IncomingStream<'_, Sockets>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Sockets>) -> Self {
        Self { addr: *stream.remote_addr(), fd: stream.io().as_raw_fd() }
    }
}
