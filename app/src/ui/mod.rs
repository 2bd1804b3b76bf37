//! Building blocks the pages share.

pub mod feedback;
pub mod form;
pub mod guard;
pub mod layout;
pub mod presence;
pub mod push;
pub mod session;
pub mod time;
