//! Live updates: the bus says what was committed, the hub turns it into frames serialized
//! once, and each WebSocket forwards the frames its user may see, in `seq` order, with no
//! gaps.

mod batch;
mod bus;
mod hub;
mod redis_bus;
mod socket;
mod upgrade;
mod wire;

pub use bus::{EventBus, LocalBus, Signal};
pub use hub::{Frame, FrameCounts, Hub, Membership, Target, QUEUE_FRAMES};
pub use redis_bus::RedisBus;
pub use socket::ws_handler;
