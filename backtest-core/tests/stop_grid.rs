//! Stop settings as grid dimensions: every point of a grid over
//! `stop_loss_pct`, `take_profit_pct` and `trailing_stop_pct` equals, bit
//! for bit, a single engine run with those stops (the single-run path is
//! checked trade for trade against backtesting.py and vectorbt in
//! `tests/stops.rs`); the sweep plan, its shards and walk-forward agree;
//! out-of-range values are rejected naming the setting.

use backtest_core::engine::{self, Direction, FillMode, SizeType, TradingSettings};
use backtest_core::optimizer::{grid_search, GridResult, Objective, SettingAxis};
use backtest_core::rules::build_rule;
use backtest_core::sweep::{evaluate, rank, walk_forward, SweepPlan, WalkForward};
use backtest_core::{CoreError, OhlcvSeries};
use serde_json::{json, Map, Value};

mod common;

/// Real daily AAPL bars 2005-2025 (adjusted), read in place from `shared/data`.
fn aapl() -> OhlcvSeries {
    common::load_shared_bars("shared/data/yf_autoadj_2005_2025/AAPL.csv").1
}

fn all_in() -> TradingSettings {
    TradingSettings::default()
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0)
}

/// A result's parameters split into the rule's and the settings they imply.
fn split(params: &Value, base: &TradingSettings) -> (Value, TradingSettings) {
    let mut rule = Map::new();
    let mut settings = *base;
    for (name, value) in params.as_object().expect("params object") {
        match name.as_str() {
            "stop_loss_pct" => settings = settings.with_stop_loss_pct(value.as_f64()),
            "take_profit_pct" => settings = settings.with_take_profit_pct(value.as_f64()),
            "trailing_stop_pct" => settings = settings.with_trailing_stop_pct(value.as_f64()),
            _ => {
                rule.insert(name.clone(), value.clone());
            }
        }
    }
    (Value::Object(rule), settings)
}

/// Each result equals a single full run of its rule with its stops.
fn assert_points_are_single_runs(
    series: &OhlcvSeries,
    rule_type: &str,
    base: &TradingSettings,
    results: &[GridResult],
) {
    for r in results {
        let (params, settings) = split(&r.params, base);
        let rule = build_rule(rule_type, &params).expect("valid rule");
        let single = engine::run(series, rule.as_ref(), &settings).expect("runs");
        assert_eq!(
            serde_json::to_string(&r.metrics).expect("json"),
            serde_json::to_string(&single.metrics).expect("json"),
            "{} at {}",
            r.rule_id,
            r.params
        );
    }
}

#[test]
fn each_stop_point_is_the_single_run_with_that_stop() {
    let series = aapl();
    let grid = json!({
        "period": [10, 14],
        "oversold": [30],
        "stop_loss_pct": [null, 1, 2.5, 5, 10],
        "take_profit_pct": [null, 8],
        "trailing_stop_pct": [null, 4],
    });
    for settings in [
        all_in(),
        all_in().with_fill(FillMode::Close),
        TradingSettings::default()
            .with_direction(Direction::LongShort)
            .with_slippage_bps(5.0),
    ] {
        let search = grid_search(
            &series,
            "RSI",
            &json!({}),
            &grid,
            &settings,
            Objective::Sharpe,
        )
        .expect("grid runs");
        assert_eq!(search.combinations, 2 * 5 * 2 * 2);
        assert_eq!(search.indicators_computed, 2);
        assert_points_are_single_runs(&series, "RSI", &settings, &search.results);
        // The stops change the outcome: the test could not pass by ignoring them.
        let returns: std::collections::BTreeSet<u64> = search
            .results
            .iter()
            .map(|r| r.metrics.total_return_pct.to_bits())
            .collect();
        assert!(
            returns.len() > 20,
            "only {} distinct returns",
            returns.len()
        );
    }
}

#[test]
fn a_stop_only_grid_and_a_fixed_stop_override() {
    let series = aapl();
    // Only a setting axis: one rule, its stops varied; the axis overrides
    // the run's own stop.
    let settings = all_in().with_stop_loss_pct(Some(50.0));
    let grid = json!({"stop_loss_pct": {"start": 2, "stop": 8, "step": 2}});
    let search = grid_search(
        &series,
        "MA_CROSS",
        &json!({"fast": 10, "slow": 50}),
        &grid,
        &settings,
        Objective::TotalReturn,
    )
    .expect("grid runs");
    assert_eq!(search.combinations, 4);
    let mut stops: Vec<f64> = search
        .results
        .iter()
        .map(|r| r.params["stop_loss_pct"].as_f64().expect("a stop"))
        .collect();
    stops.sort_by(f64::total_cmp);
    assert_eq!(stops, [2.0, 4.0, 6.0, 8.0]);
    assert_points_are_single_runs(&series, "MA_CROSS", &settings, &search.results);
}

#[test]
fn sweep_shards_and_walk_forward_carry_the_stops() {
    let series = aapl();
    let settings = all_in();
    let grid = json!({"period": [7, 14, 21], "stop_loss_pct": [null, 3, 6], "trailing_stop_pct": [5, null]});
    let search = grid_search(
        &series,
        "RSI",
        &json!({}),
        &grid,
        &settings,
        Objective::Sharpe,
    )
    .expect("grid runs");
    let plan = SweepPlan::new("RSI", &json!({}), &grid, None, 1_000).expect("valid plan");
    assert_eq!(plan.len(), 18);
    let mut rows = Vec::new();
    for k in (0..4).rev() {
        let range = plan.shard(k, 4).expect("shard");
        rows.extend(evaluate(&series, &plan, range, &settings, &|| ()).expect("shard runs"));
    }
    let ranking = rank(rows, Objective::Sharpe).expect("ranks");
    let merged: Vec<GridResult> = ranking.results.iter().map(|r| r.result.clone()).collect();
    assert_eq!(
        serde_json::to_string(&merged).expect("json"),
        serde_json::to_string(&search.results).expect("json")
    );
    for r in &ranking.results {
        let expected = plan.settings_at(r.grid_index, &settings);
        let (_, implied) = split(&r.result.params, &settings);
        assert_eq!(implied, expected, "grid index {}", r.grid_index);
    }

    // Walk-forward: each fold's winner runs out of sample with its own stops.
    let windows = WalkForward {
        train_bars: 1_000,
        test_bars: 500,
        step_bars: None,
        anchored: false,
    };
    let result = walk_forward(
        &series,
        &plan,
        &windows,
        &settings,
        Objective::Sharpe,
        &|| (),
    )
    .expect("walk-forward runs");
    assert!(result.folds.len() >= 5);
    for fold in &result.folds {
        let (params, fold_settings) = split(&fold.best_params, &settings);
        let test = series.between(Some(fold.test_start), Some(fold.test_end));
        let rule = build_rule("RSI", &params).expect("valid rule");
        let out = engine::run(&test, rule.as_ref(), &fold_settings).expect("runs");
        assert_eq!(
            out.metrics, fold.out_of_sample,
            "fold from {}",
            fold.test_start
        );
    }
}

#[test]
fn out_of_range_stop_values_name_the_setting() {
    let series = aapl();
    for axis in SettingAxis::ALL {
        for bad in [
            json!(0),
            json!(100),
            json!(-1),
            json!(150.5),
            json!("5"),
            json!(true),
        ] {
            let grid = json!({ axis.name(): [5, bad] });
            match grid_search(
                &series,
                "RSI",
                &json!({}),
                &grid,
                &all_in(),
                Objective::Sharpe,
            ) {
                Err(CoreError::InvalidSetting { field, reason }) => {
                    assert_eq!(field, axis.name());
                    assert!(reason.contains("(0, 100)"), "{reason}");
                }
                other => panic!("{grid}: expected InvalidSetting, got {other:?}"),
            }
            let err = SweepPlan::new("RSI", &json!({}), &grid, None, 100).expect_err("rejected");
            assert_eq!(
                err.field().as_deref(),
                Some(format!("grid.{}", axis.name()).as_str())
            );
        }
    }
    // Still a typo of a rule parameter, listing the setting axes too.
    let err = SweepPlan::new("RSI", &json!({}), &json!({"stop_los_pct": [5]}), None, 100)
        .expect_err("rejected");
    assert!(err.to_string().contains("stop_loss_pct"), "{err}");
}
