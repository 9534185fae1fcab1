pub mod charts;
pub mod layout;
pub mod segment_builder;
pub mod ui;
pub mod alarms;
pub mod score;
pub mod realtime;
