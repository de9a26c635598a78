//! The sweep request: parsing and validation (every rejection names its
//! field), its stored form, and what a shard needs to run it.

use std::str::FromStr;

use backtest_adapter::contract::{BacktestRequest, ContractError};
use backtest_adapter::data::{load_csv, DataDir, LoadedData};
use backtest_adapter::pipeline::{select_bars, RunError};
use backtest_core::engine::TradingSettings;
use backtest_core::optimizer::Objective;
use backtest_core::sweep::{Fold, RandomSearch, SweepError, SweepPlan, WalkForward};
use backtest_core::OhlcvSeries;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Most shards one sweep may ask for.
pub const MAX_SHARDS: u64 = 256;

/// `search`: only seeded random search so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// Distinct combinations drawn from the grid, reproducibly.
    pub random: RandomSpec,
}

/// `search.random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RandomSpec {
    /// Combinations to draw.
    pub samples: u64,
    /// PRNG seed (default 0).
    #[serde(default)]
    pub seed: u64,
}

/// `walk_forward`, in bars of the selected range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkForwardSpec {
    /// Bars each fold optimises on.
    pub train_bars: usize,
    /// Bars each fold tests its winner on.
    pub test_bars: usize,
    /// Bars between folds (default `test_bars`).
    #[serde(default)]
    pub step_bars: Option<usize>,
    /// Training always starts at the first bar (default false).
    #[serde(default)]
    pub anchored: bool,
}

impl From<WalkForwardSpec> for WalkForward {
    fn from(w: WalkForwardSpec) -> Self {
        Self {
            train_bars: w.train_bars,
            test_bars: w.test_bars,
            step_bars: w.step_bars,
            anchored: w.anchored,
        }
    }
}

/// A validated sweep, as stored in `sweeps.request_json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// The backtest request every combination runs (its `params` empty).
    pub request: BacktestRequest,
    /// Parameter -> list or `{"start", "stop", "step"}`.
    pub grid: Value,
    /// What ranks the combinations.
    pub objective: Objective,
    /// Shards the plan is split into.
    pub shards: u64,
    /// Seeded random search instead of the whole grid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<Search>,
    /// Walk-forward windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk_forward: Option<WalkForwardSpec>,
}

/// The core's view of a sweep error: the field it names (the grid when it
/// names none) and its message.
pub fn contract_error(err: &SweepError) -> ContractError {
    ContractError::new(
        err.field().unwrap_or_else(|| "grid".into()),
        err.to_string(),
    )
}

/// Deserialises `value` as `T`, naming the failing path under `prefix`.
fn typed<T: DeserializeOwned>(prefix: &str, value: Value) -> Result<T, ContractError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path.is_empty() || path == "." {
            // An unknown or missing key is named in the message.
            match message.split('`').nth(1) {
                Some(name)
                    if message.starts_with("unknown field")
                        || message.starts_with("missing field") =>
                {
                    format!("{prefix}.{name}")
                }
                _ => prefix.to_owned(),
            }
        } else {
            format!("{prefix}.{path}")
        };
        ContractError::new(field, message)
    })
}

impl SweepSpec {
    /// Parses and validates a `POST /api/sweeps` body (already a JSON
    /// object): the backtest request fields without `params`, plus `grid`,
    /// `objective` (default `sharpe`), `shards` (default `default_shards`),
    /// `search` and `walk_forward`. Data-dependent checks (the ticker's
    /// file, the date range, walk-forward folds) are [`SweepSpec::folds`]'s
    /// and the caller's.
    ///
    /// # Errors
    /// A [`ContractError`] naming the field.
    pub fn parse(
        mut fields: Map<String, Value>,
        max_combinations: u64,
        default_shards: u64,
    ) -> Result<(Self, SweepPlan), ContractError> {
        if fields.contains_key("params") {
            return Err(ContractError::new(
                "params",
                "a sweep takes its parameters from `grid` (fixed ones as one-element lists); leave params out",
            ));
        }
        if fields.contains_key("run_id") {
            return Err(ContractError::new(
                "run_id",
                "ids are issued by the server; leave run_id out",
            ));
        }
        let grid = match fields.remove("grid") {
            None | Some(Value::Null) => {
                return Err(ContractError::new("grid", "missing field `grid`"))
            }
            Some(grid) => grid,
        };
        let objective = match fields.remove("objective") {
            None | Some(Value::Null) => Objective::Sharpe,
            Some(Value::String(name)) => {
                Objective::from_str(&name).map_err(|e| ContractError::from_core(&e))?
            }
            Some(other) => {
                return Err(ContractError::new(
                    "objective",
                    format!("expected a string, got {other}"),
                ))
            }
        };
        let shards = match fields.remove("shards") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .filter(|n| (1..=MAX_SHARDS).contains(n))
                    .ok_or_else(|| {
                        ContractError::new(
                            "shards",
                            format!("must be an integer from 1 to {MAX_SHARDS}, got {value}"),
                        )
                    })?,
            ),
        };
        let search: Option<Search> = match fields.remove("search") {
            None | Some(Value::Null) => None,
            Some(value) => Some(typed("search", value)?),
        };
        let walk_forward: Option<WalkForwardSpec> = match fields.remove("walk_forward") {
            None | Some(Value::Null) => None,
            Some(value) => Some(typed("walk_forward", value)?),
        };
        let request = BacktestRequest::from_value(Value::Object(fields))?;
        request.validate()?;
        let spec = Self {
            request,
            grid,
            objective,
            shards: shards.unwrap_or(default_shards).clamp(1, MAX_SHARDS),
            search,
            walk_forward,
        };
        let plan = spec
            .plan(max_combinations)
            .map_err(|e| contract_error(&e))?;
        if spec.shards > plan.len() {
            if shards.is_some() {
                return Err(ContractError::new(
                    "shards",
                    format!(
                        "{} shards for {} combinations would leave shards idle",
                        spec.shards,
                        plan.len()
                    ),
                ));
            }
            // The default shard count never exceeds the work.
            let shards = plan.len();
            return Ok((Self { shards, ..spec }, plan));
        }
        Ok((spec, plan))
    }

    /// Reads the stored form back.
    ///
    /// # Errors
    /// When the stored JSON is not a sweep.
    pub fn from_stored(text: &str) -> anyhow::Result<Self> {
        serde_json::from_str(text).map_err(|e| anyhow::anyhow!("stored sweep is invalid: {e}"))
    }

    /// The plan of combinations (`max_combinations` bounds its size).
    ///
    /// # Errors
    /// The grid's errors, naming the field.
    pub fn plan(&self, max_combinations: u64) -> Result<SweepPlan, SweepError> {
        let random = self.search.map(|s| RandomSearch {
            samples: s.random.samples,
            seed: s.random.seed,
        });
        SweepPlan::new(
            &self.request.rule_type,
            &json!({}),
            &self.grid,
            random,
            max_combinations,
        )
    }

    /// The walk-forward windows, if any.
    pub fn windows(&self) -> Option<WalkForward> {
        self.walk_forward.map(WalkForward::from)
    }

    /// The walk-forward folds over `bars` bars (`None` for a plain sweep).
    ///
    /// # Errors
    /// Bad windows or no fold, naming `walk_forward...`.
    pub fn folds(&self, bars: usize) -> Result<Option<Vec<Fold>>, SweepError> {
        self.windows().map(|w| w.folds(bars)).transpose()
    }

    /// The trading settings every combination runs with.
    pub fn settings(&self) -> TradingSettings {
        self.request.settings()
    }

    /// The bars the sweep sees in `data`.
    ///
    /// # Errors
    /// A timeframe mismatch or an empty date range, naming the field.
    pub fn select(&self, data: &LoadedData) -> Result<OhlcvSeries, RunError> {
        let timeframe = self.settings().timeframe;
        select_bars(&self.request, timeframe, data)
    }

    /// Loads the sweep's bars from `data_dir` (what a shard does once).
    ///
    /// # Errors
    /// An unknown ticker, unreadable data or an empty range.
    pub fn load(&self, data_dir: &DataDir) -> Result<OhlcvSeries, RunError> {
        let valid = self.request.validate()?;
        let path = data_dir
            .resolve(&valid.ticker, valid.settings.timeframe)
            .map_err(|e| RunError::from_data(e, &self.request))?;
        let data = load_csv(&path).map_err(|e| RunError::from_data(e, &self.request))?;
        self.select(&data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn field_of(value: Value) -> String {
        match SweepSpec::parse(fields(value), 100_000, 2) {
            Ok(_) => "accepted".into(),
            Err(e) => e.field,
        }
    }

    #[test]
    fn every_rejection_names_its_field() {
        let grid = json!({"period": [10, 14]});
        assert_eq!(field_of(json!({"ticker": "AAPL", "grid": {}})), "grid");
        assert_eq!(field_of(json!({"ticker": "AAPL"})), "grid");
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": {"nope": [1]}})),
            "grid.nope"
        );
        assert_eq!(
            field_of(
                json!({"ticker": "AAPL", "grid": {"period": {"start": 2, "stop": 9, "step": 0}}})
            ),
            "grid.period"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "params": {}})),
            "params"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "objective": "luck"})),
            "objective"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "shards": 0})),
            "shards"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "shards": 3})),
            "shards"
        );
        assert_eq!(
            field_of(
                json!({"ticker": "AAPL", "grid": grid, "search": {"random": {"samples": -1}}})
            ),
            "search.random.samples"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "walk_forward": {"train_bars": 10}})),
            "walk_forward.test_bars"
        );
        assert_eq!(
            field_of(
                json!({"ticker": "AAPL", "grid": grid, "walk_forward": {"train_bars": 10, "test_bars": 5, "x": 1}})
            ),
            "walk_forward.x"
        );
        assert_eq!(field_of(json!({"ticker": "", "grid": grid})), "ticker");
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid, "fee_rate": -1})),
            "fee_rate"
        );
        assert_eq!(
            field_of(json!({"ticker": "AAPL", "grid": grid})),
            "accepted"
        );
    }

    #[test]
    fn default_shards_never_exceed_the_work() {
        let (spec, plan) = SweepSpec::parse(
            fields(json!({"ticker": "AAPL", "grid": {"period": [14]}})),
            10,
            4,
        )
        .expect("valid");
        assert_eq!((spec.shards, plan.len()), (1, 1));
        let text = serde_json::to_string(&spec).expect("stored");
        assert_eq!(SweepSpec::from_stored(&text).expect("read back"), spec);
    }
}
