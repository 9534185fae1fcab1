//! Endpoints the browser app calls directly (outside server functions).

pub mod events;
pub mod exports;
pub mod forms;
pub mod imports;
pub mod sim_checkout;
pub mod upload;
