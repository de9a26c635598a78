//! Momentum and trend-strength oscillators: [`rsi`], [`macd`],
//! [`stochastic`], [`adx`].

mod adx;
mod macd;
mod rsi;
mod stochastic;

pub use adx::adx;
pub(crate) use adx::{directional_index, dm};
pub use macd::{macd, Macd};
pub use rsi::rsi;
pub(crate) use rsi::value as rsi_value;
pub use stochastic::{stochastic, Stochastic};
