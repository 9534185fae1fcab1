pub mod charts;
pub mod layout;
pub mod segment_builder;
pub mod ui;
