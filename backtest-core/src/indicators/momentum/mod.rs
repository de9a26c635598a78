//! Momentum and trend-strength oscillators: [`rsi`], [`macd`],
//! [`stochastic`], [`adx`].

mod adx;
mod macd;
mod rsi;
mod stochastic;

pub use adx::adx;
pub use macd::{macd, Macd};
pub use rsi::rsi;
pub use stochastic::{stochastic, Stochastic};
