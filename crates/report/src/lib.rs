//! Reports: a self-contained HTML file, GEXF and GraphML (being built).
mod data;
pub use data::*;
