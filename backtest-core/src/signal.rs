//! Trading signals emitted by rules.

use serde::{Deserialize, Serialize};

/// What a rule says at the close of one bar.
///
/// A rule emits signals; the engine turns them into orders according to the
/// current position and the trading direction (see the crate's ASSUMPTIONS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[repr(i8)]
pub enum Signal {
    /// Do nothing.
    #[default]
    Hold = 0,
    /// Enter (or reverse into) a long position.
    Buy = 1,
    /// Exit a long position (or, in long/short mode, reverse into a short).
    Sell = -1,
}

impl Signal {
    /// Contract spelling: `"BUY"`, `"SELL"` or `"HOLD"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hold => "HOLD",
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }
}
