//! Volatility and rolling-window statistics: [`atr`], [`bollinger`],
//! [`rolling_std`], [`rolling_max`], [`rolling_min`].

mod atr;
mod bollinger;
mod rolling;

pub use atr::atr;
pub(crate) use atr::true_range;
pub use bollinger::{bollinger, Bollinger};
pub(crate) use rolling::std_from_variance;
pub use rolling::{rolling_max, rolling_min, rolling_std};
