//! Live updates: the hub turns committed events into frames serialized once, and each
//! WebSocket forwards the frames its user may see, in `seq` order, with no gaps.

mod hub;
mod socket;

pub use hub::{Frame, Hub, Target};
pub use socket::ws_handler;
