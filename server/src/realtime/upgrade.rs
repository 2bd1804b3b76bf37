//! The WebSocket handshake (RFC 6455, over HTTP/1.1). Done here rather than by axum's
//! extractor so that a socket's writes go through its [`Wire`], which the hub writes to
//! directly.

use std::future::Future;
use std::os::fd::RawFd;
use std::sync::Arc;

use app::domain::{AppError, ErrorCode};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::wire::{Wire, WireIo};
use crate::api::ApiError;
use crate::peer::Peer;

pub type Socket = WebSocketStream<WireIo>;

/// A request to become a WebSocket, checked and ready to be answered.
pub struct Upgrade {
    on_upgrade: OnUpgrade,
    accept: HeaderValue,
    /// The connection's own socket, when the request came straight from the listener.
    fd: Option<RawFd>,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let refuse = |message: &str| {
            ApiError(AppError::bad_request(format!("not a WebSocket upgrade: {message}"))).into_response()
        };
        if parts.version != Version::HTTP_11 || parts.method != Method::GET {
            return Err(refuse("a GET over HTTP/1.1 is needed"));
        }
        if !has_token(&parts.headers, header::CONNECTION, "upgrade") {
            return Err(refuse("the Connection header does not say upgrade"));
        }
        if !has_token(&parts.headers, header::UPGRADE, "websocket") {
            return Err(refuse("the Upgrade header does not say websocket"));
        }
        if parts.headers.get(header::SEC_WEBSOCKET_VERSION).is_none_or(|v| v.as_bytes() != b"13") {
            // RFC 6455 4.2.2: say which version is spoken.
            let mut refused = refuse("only WebSocket version 13 is spoken");
            *refused.status_mut() = StatusCode::UPGRADE_REQUIRED;
            refused.headers_mut().insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
            return Err(refused);
        }
        let Some(key) = parts.headers.get(header::SEC_WEBSOCKET_KEY) else {
            return Err(refuse("Sec-WebSocket-Key is missing"));
        };
        if STANDARD.decode(key.as_bytes()).map_or(true, |nonce| nonce.len() != 16) {
            return Err(refuse("Sec-WebSocket-Key is not 16 bytes in base64"));
        }
        let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|_| refuse("bad key"))?;
        let Some(on_upgrade) = parts.extensions.remove::<OnUpgrade>() else {
            return Err(
                ApiError(AppError::new(ErrorCode::BadRequest, "this connection cannot be upgraded")).into_response()
            );
        };
        let fd = parts.extensions.get::<ConnectInfo<Peer>>().map(|ConnectInfo(peer)| peer.fd);
        Ok(Self { on_upgrade, accept, fd })
    }
}

impl Upgrade {
    /// Answers `101 Switching Protocols` and, once the client has it, runs `serve` on the
    /// socket.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, serve: F) -> Response
    where
        F: FnOnce(Socket, Arc<Wire>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Self { on_upgrade, accept, fd } = self;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else { return };
            let wire = Arc::new(Wire::new(fd));
            let io = WireIo::new(TokioIo::new(upgraded), wire.clone());
            let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
            serve(socket, wire).await;
        });
        let headers = [
            (header::CONNECTION, HeaderValue::from_static("upgrade")),
            (header::UPGRADE, HeaderValue::from_static("websocket")),
            (header::SEC_WEBSOCKET_ACCEPT, accept),
        ];
        (StatusCode::SWITCHING_PROTOCOLS, headers).into_response()
    }
}

/// Whether a comma-separated header holds `token` (in any case).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}
