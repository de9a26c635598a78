//! Moving averages: [`sma`] and [`ema`].

mod ema;
mod sma;

pub use ema::ema;
pub(crate) use ema::ema_into;
pub use sma::sma;
pub(crate) use sma::sma_into;
