pub mod layout;
pub mod segment_builder;
pub mod ui;
