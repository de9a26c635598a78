//! The result of a run (SPEC §4).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Map;
use serde_json::Value;

use super::{BacktestRequest, RequestTimeframe};

/// `completed` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// The backtest ran; every output field is filled.
    Completed,
    /// The backtest did not run; `error_message` says why.
    Failed,
}

/// KPIs of a run (SPEC §4). See [`crate::derive::kpi`] for each definition.
///
/// `total_return_pct`, `sharpe_ratio`, `max_drawdown_pct`, `num_trades` and
/// `profit_factor` are the engine's values, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metrics {
    /// Total return in percent.
    pub total_return_pct: f64,
    /// Annualised Sharpe ratio (risk-free 0); `null` when undefined.
    pub sharpe_ratio: Option<f64>,
    /// Maximum drawdown in percent, a positive magnitude.
    pub max_drawdown_pct: f64,
    /// Number of round-trip trades.
    pub num_trades: u64,
    /// Compound annual growth rate in percent; `null` for a zero-length range.
    pub cagr: Option<f64>,
    /// Annualised volatility of bar returns in percent; `null` with fewer
    /// than two bars.
    pub volatility: Option<f64>,
    /// Percent of trades with a positive `pnl_abs`; `null` without trades.
    pub win_rate: Option<f64>,
    /// Mean trade `pnl_pct`; `null` without trades.
    pub avg_trade_return: Option<f64>,
    /// Percent of bars holding a position.
    pub exposure_pct: f64,
    /// Gross profit / |gross loss|; `null` without a losing trade.
    pub profit_factor: Option<f64>,
    /// *Additive.* Annualised Sortino ratio (target 0); `null` without a
    /// negative return.
    #[serde(default)]
    pub sortino: Option<f64>,
    /// *Additive.* CAGR / max drawdown; `null` without a drawdown.
    #[serde(default)]
    pub calmar: Option<f64>,
    /// *Additive.* Best trade `pnl_pct`; `null` without trades.
    #[serde(default)]
    pub best_trade_pct: Option<f64>,
    /// *Additive.* Worst trade `pnl_pct`; `null` without trades.
    #[serde(default)]
    pub worst_trade_pct: Option<f64>,
    /// *Additive.* Mean length of drawdown periods in calendar days; `null`
    /// without a drawdown.
    #[serde(default)]
    pub avg_drawdown_duration_days: Option<f64>,
    /// *Additive.* Longest drawdown period in calendar days (0 without one).
    #[serde(default)]
    pub max_drawdown_duration_days: f64,
    /// *Additive.* Buy & hold return over the same bars (first close to last
    /// close) in percent.
    #[serde(default)]
    pub buy_hold_return_pct: f64,
    /// *Additive.* Mean trade `pnl_abs`; `null` without trades.
    #[serde(default)]
    pub expectancy: Option<f64>,
    /// *Additive.* System Quality Number, `sqrt(n) * mean(pnl) / std(pnl)`;
    /// `null` with fewer than two trades or equal PnLs.
    #[serde(default)]
    pub sqn: Option<f64>,
    /// *Additive.* Beta of the bar returns against the benchmark (the
    /// request's `benchmark`, by default the run's own ticker held
    /// throughout), on the bars both have; `cov / var`, sample.
    #[serde(default)]
    pub beta: Option<f64>,
    /// *Additive.* Correlation of the bar returns with the benchmark's.
    #[serde(default)]
    pub correlation: Option<f64>,
    /// *Additive.* Annualised Jensen's alpha (zero risk-free rate), percent.
    #[serde(default)]
    pub alpha_pct: Option<f64>,
    /// *Additive.* Annualised mean / sample std of the return difference.
    #[serde(default)]
    pub information_ratio: Option<f64>,
    /// *Additive.* Annualised sample std of the return difference, percent.
    #[serde(default)]
    pub tracking_error_pct: Option<f64>,
    /// *Additive.* Strategy return minus benchmark return over the common
    /// bars, percent.
    #[serde(default)]
    pub excess_return_pct: Option<f64>,
    /// *Additive.* Benchmark return over the common bars (first to last
    /// close), percent.
    #[serde(default)]
    pub benchmark_return_pct: Option<f64>,
}

/// One equity point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EquityPoint {
    /// Bar date (`YYYY-MM-DD`, or ISO 8601 for intraday).
    pub date: String,
    /// Cash plus position value at the close.
    pub equity: f64,
}

/// One drawdown point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DrawdownPoint {
    /// Bar date.
    pub date: String,
    /// `(equity - running_peak) / running_peak * 100`, `<= 0`.
    pub drawdown_pct: f64,
}

/// One portfolio point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PortfolioPoint {
    /// Bar date.
    pub date: String,
    /// Cash after the bar's fills.
    pub cash: f64,
    /// Signed value of the position at the close (negative when short).
    pub position: f64,
    /// `cash + position` (the equity).
    pub total: f64,
}

/// A round-trip trade (SPEC §4 trade schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TradeRecord {
    /// 0-based trade number.
    pub trade_no: u64,
    /// Entry side: `"BUY"` (long) or `"SELL"` (short).
    pub side: String,
    /// Whole shares.
    pub size: u64,
    /// Entry time, ISO 8601 (daily bars at 21:00 UTC).
    pub entry_timestamp: String,
    /// Entry fill price after slippage.
    pub entry_price: f64,
    /// Entry commission.
    pub entry_fees: f64,
    /// Exit time, ISO 8601 (daily bars at 21:00 UTC).
    pub exit_timestamp: String,
    /// Exit fill price after slippage.
    pub exit_price: f64,
    /// Exit commission.
    pub exit_fees: f64,
    /// Profit after both commissions.
    pub pnl_abs: f64,
    /// `pnl_abs / (entry_price * size) * 100`.
    pub pnl_pct: f64,
    /// Calendar days from entry to exit.
    pub holding_period: f64,
    /// *Additive.* True when the engine closed the position at the last bar.
    #[serde(default)]
    pub closed_at_end: bool,
    /// *Additive.* `signal`, `stop_loss`, `take_profit`, `trailing_stop` or
    /// `end_of_data`.
    #[serde(default)]
    pub exit_reason: String,
    /// *Additive.* Maximum adverse excursion while open, percent of the entry
    /// price (<= 0).
    #[serde(default)]
    pub mae_pct: f64,
    /// *Additive.* Maximum favourable excursion while open, percent of the
    /// entry price (>= 0).
    #[serde(default)]
    pub mfe_pct: f64,
    /// *Additive.* Bars from the entry bar to the exit bar.
    #[serde(default)]
    pub bars_held: u64,
}

/// Rendered charts as `data:image/png;base64,...` URIs; every field is
/// `null` when the request had `"charts": false`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChartSet {
    /// Drawdown % over time.
    pub drawdown_curve_base64: Option<String>,
    /// Close price with buy and sell markers.
    pub portfolio_orders_base64: Option<String>,
    /// Trade PnL % scatter.
    pub trade_pnl_base64: Option<String>,
    /// Cumulative return % over time.
    pub cumulative_return_base64: Option<String>,
    /// *Additive.* OHLC candlesticks with signal markers.
    #[serde(default)]
    pub candles_base64: Option<String>,
}

/// One OHLCV bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Candle {
    /// Bar date.
    pub date: String,
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume.
    pub volume: f64,
}

/// One executed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SignalRecord {
    /// Bar date of the fill.
    pub date: String,
    /// `"BUY"` or `"SELL"`.
    pub action: String,
    /// Fill price after slippage.
    pub price: f64,
    /// *Additive.* Whole shares traded.
    #[serde(default)]
    pub size: u64,
    /// *Additive.* For an order that closed a trade, why (the trade's
    /// `exit_reason`: `signal`, `stop_loss`, `take_profit`, `trailing_stop`,
    /// `end_of_data`); `null` for an order that opened one.
    #[serde(default)]
    pub exit_reason: Option<String>,
}

/// The result of one backtest (SPEC §4), completed or failed.
///
/// A failed result ([`BacktestResult::failed`]) has `status: "failed"`, an
/// `error_message`, `metrics: null`, empty lists and `null` charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BacktestResult {
    /// The request's run identifier.
    pub run_id: Option<String>,
    /// `"completed"` or `"failed"`.
    pub status: RunStatus,
    /// Why the run failed; `null` when completed.
    pub error_message: Option<String>,
    /// KPIs; `null` when failed.
    pub metrics: Option<Metrics>,
    /// Equity per bar.
    pub equity_curve: Vec<EquityPoint>,
    /// Drawdown per bar.
    pub drawdown_curve: Vec<DrawdownPoint>,
    /// Cash, position value and total per bar.
    pub portfolio_curve: Vec<PortfolioPoint>,
    /// Round-trip trades.
    pub trades: Vec<TradeRecord>,
    /// PNG charts.
    pub charts: ChartSet,
    /// The bars the backtest saw.
    pub price_candles: Vec<Candle>,
    /// Executed orders.
    pub signals: Vec<SignalRecord>,
    /// Equity chart (legacy field, still filled).
    pub chart_base64: Option<String>,
    /// *Additive.* Validated, upper-cased ticker (as given when failed).
    #[serde(default)]
    pub ticker: String,
    /// *Additive.* Rule type (registry spelling when completed).
    #[serde(default)]
    pub rule_type: String,
    /// *Additive.* The request's `rule_id`, or the rule's slug.
    #[serde(default)]
    pub rule_id: Option<String>,
    /// *Additive.* Rule parameters, validated and with defaults filled in
    /// (as given when failed).
    #[serde(default)]
    pub params: Map<String, Value>,
    /// *Additive.* Bar timeframe (`"1d"`, `"1h"`, `"5m"`).
    #[serde(default)]
    pub timeframe: RequestTimeframe,
    /// *Additive.* Date of the first bar used (`null` when failed).
    #[serde(default)]
    pub start_date: Option<String>,
    /// *Additive.* Date of the last bar used (`null` when failed).
    #[serde(default)]
    pub end_date: Option<String>,
    /// *Additive.* Number of bars used.
    #[serde(default)]
    pub bars: u64,
    /// *Additive.* Data warnings (gaps, irregular spacing, ...).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// *Additive.* Version of the adapter that produced the result.
    #[serde(default)]
    pub engine_version: String,
    /// *Additive.* The benchmark's ticker (the run's own ticker by default;
    /// empty when failed).
    #[serde(default)]
    pub benchmark: String,
    /// *Additive.* The benchmark held from the first bar both series have,
    /// scaled to the initial capital (`initial_capital * close /
    /// first close`), on the bars both have; what the equity chart overlays.
    #[serde(default)]
    pub benchmark_curve: Vec<EquityPoint>,
}

impl BacktestResult {
    /// A failed result for `request` with `message` as `error_message`.
    pub fn failed(request: &BacktestRequest, message: impl Into<String>) -> Self {
        Self {
            run_id: request.run_id.clone(),
            ticker: request.ticker.clone(),
            rule_type: request.rule_type.clone(),
            rule_id: request.rule_id.clone(),
            params: request.params.clone(),
            timeframe: request.timeframe,
            ..Self::failed_run(request.run_id.clone(), message)
        }
    }

    /// A failed result when no valid request is known (e.g. the stored
    /// request could not be read): empty `ticker` and `rule_type`.
    pub fn failed_run(run_id: Option<String>, message: impl Into<String>) -> Self {
        Self {
            run_id,
            status: RunStatus::Failed,
            error_message: Some(message.into()),
            metrics: None,
            equity_curve: Vec::new(),
            drawdown_curve: Vec::new(),
            portfolio_curve: Vec::new(),
            trades: Vec::new(),
            charts: ChartSet::default(),
            price_candles: Vec::new(),
            signals: Vec::new(),
            chart_base64: None,
            ticker: String::new(),
            rule_type: String::new(),
            rule_id: None,
            params: Map::new(),
            timeframe: RequestTimeframe::Day1,
            start_date: None,
            end_date: None,
            bars: 0,
            warnings: Vec::new(),
            engine_version: crate::ENGINE_VERSION.to_owned(),
            benchmark: String::new(),
            benchmark_curve: Vec::new(),
        }
    }

    /// The result as JSON text (compact).
    ///
    /// # Errors
    /// Never in practice: every field serialises.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
