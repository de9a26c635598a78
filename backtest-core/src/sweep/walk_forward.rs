//! Walk-forward analysis: optimise on a training window, test the winner on
//! the following unseen window, slide, repeat.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::run::{evaluate, objective_value, rank};
use super::{SweepError, SweepPlan};
use crate::engine::{self, TradingSettings};
use crate::optimizer::{GridResult, Objective};
use crate::rules::build_rule;
use crate::{EngineMetrics, OhlcvSeries};

/// Walk-forward windows, in bars of the selected range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkForward {
    /// Bars each fold optimises on.
    pub train_bars: usize,
    /// Bars each fold tests the winner on.
    pub test_bars: usize,
    /// Bars between consecutive folds' test starts (default `test_bars`).
    #[serde(default)]
    pub step_bars: Option<usize>,
    /// Training always starts at the first bar (growing window) instead of
    /// sliding with a fixed length (default false).
    #[serde(default)]
    pub anchored: bool,
}

/// One fold's windows, as bar ranges of the selected series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    /// Training bars (end exclusive).
    pub train: Range<usize>,
    /// Test bars (end exclusive); they start where training ends.
    pub test: Range<usize>,
}

impl WalkForward {
    /// The folds over `bars` bars. Fold *i* tests
    /// `[train_bars + i*step, train_bars + i*step + test_bars)` and trains
    /// on the `train_bars` bars before it (anchored: on every bar before
    /// it). Only whole test windows are used.
    ///
    /// ```
    /// use backtest_core::sweep::WalkForward;
    /// let wf = WalkForward { train_bars: 100, test_bars: 50, step_bars: None, anchored: false };
    /// let folds = wf.folds(260).unwrap();
    /// assert_eq!(folds.len(), 3);
    /// assert_eq!((folds[2].train.clone(), folds[2].test.clone()), (100..200, 200..250));
    /// ```
    ///
    /// # Errors
    /// [`SweepError::InvalidSetting`] for a zero window or step,
    /// [`SweepError::NoFold`] when not one fold fits.
    pub fn folds(&self, bars: usize) -> Result<Vec<Fold>, SweepError> {
        let step = self.step_bars.unwrap_or(self.test_bars);
        for (field, value) in [
            ("walk_forward.train_bars", self.train_bars),
            ("walk_forward.test_bars", self.test_bars),
            ("walk_forward.step_bars", step),
        ] {
            if value == 0 {
                return Err(SweepError::InvalidSetting {
                    field,
                    reason: "must be at least 1".into(),
                });
            }
        }
        let mut folds = Vec::new();
        let mut test_start = self.train_bars;
        while let Some(test_end) = test_start
            .checked_add(self.test_bars)
            .filter(|&e| e <= bars)
        {
            let train_start = if self.anchored {
                0
            } else {
                test_start - self.train_bars
            };
            folds.push(Fold {
                train: train_start..test_start,
                test: test_start..test_end,
            });
            test_start += step;
        }
        if folds.is_empty() {
            return Err(SweepError::NoFold {
                bars,
                train_bars: self.train_bars,
                test_bars: self.test_bars,
            });
        }
        Ok(folds)
    }
}

/// One fold's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    /// First training bar's timestamp (seconds UTC).
    pub train_start: i64,
    /// Last training bar's timestamp.
    pub train_end: i64,
    /// First test bar's timestamp.
    pub test_start: i64,
    /// Last test bar's timestamp.
    pub test_end: i64,
    /// The training window's best parameters.
    pub best_params: Value,
    /// Their tracking slug.
    pub rule_id: String,
    /// Their metrics on the training window.
    pub in_sample: EngineMetrics,
    /// Their metrics on the test window.
    pub out_of_sample: EngineMetrics,
}

/// A whole walk-forward analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalkForwardResult {
    /// Folds in time order.
    pub folds: Vec<FoldResult>,
    /// Out-of-sample equity: `(timestamp, equity)` over the test windows in
    /// order, each bar once, compounding each window's bar returns from the
    /// initial capital (overlapping windows contribute their new bars only).
    pub oos_equity_curve: Vec<(i64, f64)>,
    /// Mean out-of-sample objective over mean in-sample objective; `None`
    /// when a fold's objective is undefined or the in-sample mean is zero.
    pub efficiency: Option<f64>,
}

/// Runs a walk-forward analysis of `plan` on `series` (the selected range).
///
/// Each fold optimises over its training bars exactly as a grid search over
/// a series holding only those bars (indicators warm up inside the window),
/// then runs the winner on a series holding only its test bars. Neither run
/// sees the other window's bars. `progress` is called once per
/// combination evaluated (folds x plan size in all).
///
/// # Errors
/// Bad windows, no fold, invalid settings, or a training window where the
/// rule rejects every combination.
pub fn walk_forward(
    series: &OhlcvSeries,
    plan: &SweepPlan,
    windows: &WalkForward,
    settings: &TradingSettings,
    objective: Objective,
    progress: &(dyn Fn() + Sync),
) -> Result<WalkForwardResult, SweepError> {
    let folds = windows.folds(series.len())?;
    let mut best = Vec::with_capacity(folds.len());
    for fold in &folds {
        let train = window(series, &fold.train);
        let ranking = rank(
            evaluate(&train, plan, 0..plan.len(), settings, progress)?,
            objective,
        )?;
        best.push(
            ranking
                .results
                .into_iter()
                .next()
                .map(|r| (r.grid_index, r.result))
                .ok_or_else(|| {
                    SweepError::EmptyGrid("no combination is valid on a training window".into())
                })?,
        );
    }
    test_folds(series, plan, windows, best, settings, objective)
}

/// The second half of [`walk_forward`], for folds optimised elsewhere (say
/// by shards, each evaluating part of every training window): runs each
/// fold's `best` (in fold order: the winner's grid index in `plan` and its
/// training result) on its test bars only, with the winner's stop settings
/// when the plan varies them, stitches the
/// out-of-sample curve and computes the efficiency.
///
/// # Errors
/// Bad windows, no fold, a `best` list that does not have one entry per
/// fold, or parameters the rule rejects.
pub fn test_folds(
    series: &OhlcvSeries,
    plan: &SweepPlan,
    windows: &WalkForward,
    best: Vec<(u64, GridResult)>,
    settings: &TradingSettings,
    objective: Objective,
) -> Result<WalkForwardResult, SweepError> {
    let folds = windows.folds(series.len())?;
    if best.len() != folds.len() {
        return Err(SweepError::InvalidSetting {
            field: "walk_forward",
            reason: format!(
                "{} folds but {} best results were given",
                folds.len(),
                best.len()
            ),
        });
    }
    let mut results = Vec::with_capacity(folds.len());
    let mut stitched: Vec<(i64, f64)> = Vec::new();
    let mut covered_to = 0;
    let mut running = settings.initial_capital;
    for (fold, (best_index, best)) in folds.iter().zip(best) {
        let test = window(series, &fold.test);
        let rule = build_rule(plan.rule_type(), &plan.rule_params_at(best_index))?;
        let out = engine::run(
            &test,
            rule.as_ref(),
            &plan.settings_at(best_index, settings),
        )?;
        // Compound this window's new bars onto the curve so far.
        let first_new = covered_to.max(fold.test.start) - fold.test.start;
        for (i, (&t, &eq)) in test
            .timestamps()
            .iter()
            .zip(&out.equity)
            .enumerate()
            .skip(first_new)
        {
            let previous = if i == 0 {
                settings.initial_capital
            } else {
                out.equity[i - 1]
            };
            if previous != 0.0 {
                running *= eq / previous;
            }
            stitched.push((t, running));
        }
        covered_to = covered_to.max(fold.test.end);
        let ts = series.timestamps();
        results.push(FoldResult {
            train_start: ts[fold.train.start],
            train_end: ts[fold.train.end - 1],
            test_start: ts[fold.test.start],
            test_end: ts[fold.test.end - 1],
            best_params: best.params,
            rule_id: best.rule_id,
            in_sample: best.metrics,
            out_of_sample: out.metrics,
        });
    }
    let efficiency = efficiency(&results, objective);
    Ok(WalkForwardResult {
        folds: results,
        oos_equity_curve: stitched,
        efficiency,
    })
}

/// The bars of a fold's window as their own series: a run whose date range
/// is the window (indicators warm up inside it).
#[must_use]
pub fn window_series(series: &OhlcvSeries, range: &Range<usize>) -> OhlcvSeries {
    window(series, range)
}

/// The bars of `range` as their own series: a run whose date range is the window.
fn window(series: &OhlcvSeries, range: &Range<usize>) -> OhlcvSeries {
    let ts = series.timestamps();
    series.between(Some(ts[range.start]), Some(ts[range.end - 1]))
}

fn efficiency(folds: &[FoldResult], objective: Objective) -> Option<f64> {
    let mean = |pick: fn(&FoldResult) -> &EngineMetrics| -> Option<f64> {
        let values: Option<Vec<f64>> = folds
            .iter()
            .map(|f| objective_value(objective, pick(f)))
            .collect();
        let values = values?;
        Some(values.iter().sum::<f64>() / values.len() as f64)
    };
    let (oos, is) = (mean(|f| &f.out_of_sample)?, mean(|f| &f.in_sample)?);
    (is != 0.0).then(|| oos / is)
}
