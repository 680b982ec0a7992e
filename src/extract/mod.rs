//! Extraction: documentation pages in, examples and resource types out.
//!
//! [`read_roots`] walks files and directories, [`page::read`] reads one page in either form
//! (markdown with the Graph annotation grammar, or rendered text), and [`lint`] looks across
//! pages for contradictions no single page shows. Nothing here writes files or prints;
//! defects come back as [`Diagnostic`](crate::diag::Diagnostic)s.

pub mod annotation;
pub mod http;
pub mod json_repair;
pub mod lint;
pub mod markdown;
pub mod page;
pub mod rendered;
pub mod resource;
mod walk;

pub use page::{Example, Form, Outcome, Page};
pub use resource::{JsonType, Property, ResourceType};
pub use walk::{Extraction, ReadError, for_each_page, read_roots};
