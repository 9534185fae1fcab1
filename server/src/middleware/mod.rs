pub mod csrf;
pub mod session;
