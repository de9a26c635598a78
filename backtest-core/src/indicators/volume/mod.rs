//! Volume-based indicators: [`obv`] and [`vwap`].

mod obv;
mod vwap;

pub use obv::obv;
pub use vwap::vwap;
