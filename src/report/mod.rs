//! Reporters: the only code that turns results into text. Each takes collected results (data)
//! and renders one format.

pub mod console;
