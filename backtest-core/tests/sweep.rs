//! Sweeps against the optimizer: any sharding of a plan gives exactly the
//! optimizer's ranking; walk-forward folds never mix their windows.

use backtest_core::engine::TradingSettings;
use backtest_core::optimizer::{grid_search, GridResult, Objective};
use backtest_core::sweep::{
    evaluate, objective_value, rank, walk_forward, FoldResult, RandomSearch, SweepError, SweepPlan,
    SweepRow, WalkForward,
};
use backtest_core::{EngineMetrics, OhlcvSeries};
use proptest::prelude::*;

mod common;
use serde_json::{json, Value};

/// Real daily SPY bars (2015-2019, Yahoo), read in place from `shared/data`.
fn spy() -> OhlcvSeries {
    common::load_shared_bars("shared/data/yahoo_2015_2019/SPY.csv").1
}

fn settings() -> TradingSettings {
    TradingSettings::default().with_fee_rate(0.001)
}

/// Exact text of every f64, so equality is to the last bit.
fn exact(results: &[GridResult]) -> String {
    serde_json::to_string(results).expect("serialisable")
}

fn sharded(series: &OhlcvSeries, plan: &SweepPlan, shards: u64) -> Vec<SweepRow> {
    let mut rows = Vec::new();
    // Shards in reverse, as workers may finish in any order.
    for k in (0..shards).rev() {
        let range = plan.shard(k, shards).expect("valid shard");
        rows.extend(evaluate(series, plan, range, &settings(), &|| ()).expect("shard runs"));
    }
    rows
}

#[test]
fn any_shard_count_equals_the_optimizer_bit_for_bit() {
    let series = spy();
    let cases = [
        (
            "RSI",
            json!({"period": {"start": 7, "stop": 21, "step": 7}, "oversold": {"start": 20, "stop": 35, "step": 5}, "overbought": [65, 70, 75]}),
            Objective::Sharpe,
        ),
        // fast >= slow points are skipped by both.
        (
            "MA_CROSS",
            json!({"fast": [5, 10, 20, 50], "slow": [10, 20, 50, 100]}),
            Objective::TotalReturn,
        ),
        (
            "BOLLINGER",
            json!({"period": [10, 20], "std_dev": {"start": 1.5, "stop": 2.5, "step": 0.25}}),
            Objective::MaxDrawdown,
        ),
    ];
    for (rule, grid, objective) in cases {
        let reference = grid_search(&series, rule, &json!({}), &grid, &settings(), objective)
            .expect("optimizer runs");
        let plan = SweepPlan::new(rule, &json!({}), &grid, None, 100_000).expect("valid plan");
        assert_eq!(
            plan.len() as usize,
            reference.combinations + reference.skipped,
            "{rule}"
        );
        for shards in [1, 3, 8] {
            let ranking = rank(sharded(&series, &plan, shards), objective).expect("ranks");
            let ours: Vec<GridResult> = ranking.results.into_iter().map(|r| r.result).collect();
            assert_eq!(
                (ranking.evaluated, ranking.skipped),
                (reference.combinations, reference.skipped),
                "{rule} x{shards}"
            );
            assert_eq!(
                exact(&ours),
                exact(&reference.results),
                "{rule} with {shards} shards"
            );
        }
    }
}

#[test]
fn random_search_is_reproducible_and_matches_the_grid_rows() {
    let series = spy();
    let grid = json!({"period": {"start": 5, "stop": 30, "step": 1}, "oversold": {"start": 15, "stop": 40, "step": 5}});
    let random = Some(RandomSearch {
        samples: 25,
        seed: 99,
    });
    let plan = SweepPlan::new("RSI", &json!({"overbought": 75}), &grid, random, 1_000)
        .expect("valid plan");
    assert_eq!((plan.len(), plan.grid_size()), (25, 26 * 6));
    let again = SweepPlan::new("RSI", &json!({"overbought": 75}), &grid, random, 1_000)
        .expect("valid plan");
    assert_eq!(plan, again);
    let other = SweepPlan::new(
        "RSI",
        &json!({"overbought": 75}),
        &grid,
        Some(RandomSearch {
            samples: 25,
            seed: 100,
        }),
        1_000,
    )
    .expect("valid plan");
    assert_ne!(plan, other);
    let indices: Vec<u64> = (0..plan.len()).map(|p| plan.grid_index(p)).collect();
    assert!(
        indices.windows(2).all(|w| w[0] < w[1]),
        "distinct and ascending"
    );

    // Each sampled row equals the full grid's row with the same parameters.
    let full = grid_search(
        &series,
        "RSI",
        &json!({"overbought": 75}),
        &grid,
        &settings(),
        Objective::Sharpe,
    )
    .expect("optimizer runs");
    let ranking = rank(sharded(&series, &plan, 4), Objective::Sharpe).expect("ranks");
    assert_eq!(ranking.evaluated, 25);
    for row in &ranking.results {
        let reference = full
            .results
            .iter()
            .find(|r| r.params == row.result.params)
            .expect("sampled point is in the grid");
        assert_eq!(
            exact(std::slice::from_ref(reference)),
            exact(std::slice::from_ref(&row.result))
        );
        assert_eq!(row.result.params["overbought"], json!(75.0));
    }
}

#[test]
fn invalid_plans_name_the_field() {
    let plan = |rule: &str, base: Value, grid: Value, random: Option<RandomSearch>, max: u64| {
        SweepPlan::new(rule, &base, &grid, random, max).expect_err("must be rejected")
    };
    let cases: Vec<(SweepError, &str, &str)> = vec![
        (
            plan("RSI", json!({}), json!({}), None, 100),
            "grid",
            "no parameters",
        ),
        (
            plan("RSI", json!({}), json!([1, 2]), None, 100),
            "grid",
            "object",
        ),
        (
            plan("RSI", json!({}), json!({"perod": [3]}), None, 100),
            "grid.perod",
            "valid parameters: period",
        ),
        (
            plan("RSI", json!({}), json!({"period": []}), None, 100),
            "grid.period",
            "empty list",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 5, "stop": 9, "step": 0}}),
                None,
                100,
            ),
            "grid.period",
            "positive",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 5, "stop": 9, "step": -1}}),
                None,
                100,
            ),
            "grid.period",
            "positive",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 9, "stop": 5, "step": 1}}),
                None,
                100,
            ),
            "grid.period",
            "below",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 150, "stop": 250, "step": 50}}),
                None,
                100,
            ),
            "grid.period",
            "[2, ",
        ),
        (
            plan("RSI", json!({}), json!({"period": [14.5]}), None, 100),
            "grid.period",
            "integer",
        ),
        (
            plan("RSI", json!({}), json!({"period": "14"}), None, 100),
            "grid.period",
            "expected a list",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 5, "stop": 9, "step": 1, "by": 2}}),
                None,
                100,
            ),
            "grid.period",
            "unknown key",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": {"start": 2, "stop": 200, "step": 1}, "oversold": [20, 30]}),
                None,
                300,
            ),
            "grid",
            "398 combinations exceed the maximum of 300",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": [10, 12]}),
                Some(RandomSearch {
                    samples: 3,
                    seed: 1,
                }),
                100,
            ),
            "search.random.samples",
            "between 1 and",
        ),
        (
            plan(
                "RSI",
                json!({}),
                json!({"period": [10, 12]}),
                Some(RandomSearch {
                    samples: 0,
                    seed: 1,
                }),
                100,
            ),
            "search.random.samples",
            "between 1 and",
        ),
        (
            plan(
                "RSI",
                json!({"overbuoght": 70}),
                json!({"period": [10]}),
                None,
                100,
            ),
            "params.overbuoght",
            "unknown",
        ),
        (
            plan("NOPE", json!({}), json!({"period": [10]}), None, 100),
            "rule_type",
            "valid types",
        ),
    ];
    for (err, field, needle) in cases {
        assert_eq!(err.field().as_deref(), Some(field), "{err}");
        assert!(err.to_string().contains(needle), "`{err}` lacks `{needle}`");
    }
    // Random search caps evaluated combinations, not the grid's size.
    let big = json!({"period": {"start": 2, "stop": 200, "step": 1}, "oversold": {"start": 1, "stop": 49, "step": 1}});
    assert!(SweepPlan::new(
        "RSI",
        &json!({}),
        &big,
        Some(RandomSearch {
            samples: 50,
            seed: 3
        }),
        100
    )
    .is_ok());
    assert!(matches!(
        SweepPlan::new(
            "RSI",
            &json!({}),
            &big,
            Some(RandomSearch {
                samples: 101,
                seed: 3
            }),
            100
        ),
        Err(SweepError::TooManyCombinations {
            count: 101,
            max: 100
        })
    ));
    let p = SweepPlan::new("RSI", &json!({}), &json!({"period": [10]}), None, 10).expect("valid");
    assert_eq!(
        p.shard(0, 0).expect_err("no shards").field().as_deref(),
        Some("shards")
    );
    assert_eq!(
        p.shard(2, 2).expect_err("out of range").field().as_deref(),
        Some("shard")
    );
}

proptest! {
    #[test]
    fn shards_partition_the_plan(
        periods in 1usize..40, oversold in 1usize..8, shards in 1u64..25,
        random in proptest::option::of((1u64..400, any::<u64>())),
    ) {
        let grid = json!({
            "period": (2..2 + periods).collect::<Vec<_>>(),
            "oversold": (1..=oversold).map(|x| x * 5).collect::<Vec<_>>(),
        });
        let size = (periods * oversold) as u64;
        let random = random.map(|(samples, seed)| RandomSearch { samples: samples.min(size), seed });
        let plan = SweepPlan::new("RSI", &json!({}), &grid, random, 1_000).expect("valid plan");
        let mut seen = Vec::new();
        let mut next = 0;
        for k in 0..shards {
            let range = plan.shard(k, shards).expect("valid shard");
            prop_assert_eq!(range.start, next, "contiguous and disjoint");
            prop_assert!(range.end - range.start <= plan.len() / shards + 1, "balanced");
            next = range.end;
            seen.extend(range.map(|p| plan.grid_index(p)));
        }
        prop_assert_eq!(next, plan.len());
        let mut unique = seen.clone();
        unique.dedup();
        prop_assert_eq!(unique.len(), seen.len(), "no combination twice");
        prop_assert!(seen.iter().all(|&i| i < size));
        if random.is_none() {
            prop_assert_eq!(seen, (0..size).collect::<Vec<_>>());
        }
        // The same shard of the same plan is the same every time.
        prop_assert_eq!(plan.shard(shards - 1, shards).expect("valid"), plan.shard(shards - 1, shards).expect("valid"));
    }

    #[test]
    fn folds_never_mix_windows(
        bars in 1usize..600, train in 1usize..200, test in 1usize..100,
        step in proptest::option::of(1usize..120), anchored in any::<bool>(),
    ) {
        let wf = WalkForward { train_bars: train, test_bars: test, step_bars: step, anchored };
        match wf.folds(bars) {
            Err(SweepError::NoFold { .. }) => prop_assert!(train + test > bars),
            Err(e) => prop_assert!(false, "unexpected {e}"),
            Ok(folds) => {
                for (i, f) in folds.iter().enumerate() {
                    prop_assert!(f.train.end <= f.test.start, "training ends before testing");
                    prop_assert_eq!(f.train.end, f.test.start);
                    prop_assert_eq!(f.test.len(), test);
                    prop_assert!(f.test.end <= bars);
                    prop_assert_eq!(f.train.len(), if anchored { f.test.start } else { train });
                    prop_assert_eq!(f.test.start, train + i * step.unwrap_or(test));
                }
                // No further whole fold would fit.
                let last = folds.last().map_or(0, |f| f.test.start);
                prop_assert!(last + step.unwrap_or(test) + test > bars);
            }
        }
    }
}

fn window_dates(series: &OhlcvSeries, start: i64, end: i64) -> OhlcvSeries {
    series.between(Some(start), Some(end))
}

#[test]
fn each_fold_chooses_what_an_optimize_run_over_its_training_dates_chooses() {
    let series = spy();
    let grid = json!({"period": [7, 14, 21], "oversold": [25, 30, 35], "overbought": [65, 75]});
    let plan = SweepPlan::new("RSI", &json!({}), &grid, None, 1_000).expect("valid plan");
    // Sharpe may be undefined on a quiet window; total return never is.
    for (anchored, objective) in [(false, Objective::Sharpe), (true, Objective::TotalReturn)] {
        let wf = WalkForward {
            train_bars: 400,
            test_bars: 150,
            step_bars: None,
            anchored,
        };
        let result =
            walk_forward(&series, &plan, &wf, &settings(), objective, &|| ()).expect("runs");
        assert_eq!(result.folds.len(), (series.len() - 400) / 150);
        for fold in &result.folds {
            let train = window_dates(&series, fold.train_start, fold.train_end);
            let reference = grid_search(&train, "RSI", &json!({}), &grid, &settings(), objective)
                .expect("optimizer runs");
            assert_eq!(fold.best_params, reference.results[0].params);
            assert_eq!(fold.in_sample, reference.results[0].metrics);
            // The test run is a plain run over the test dates.
            let test = window_dates(&series, fold.test_start, fold.test_end);
            let rule = backtest_core::rules::build_rule("RSI", &fold.best_params).expect("valid");
            let out = backtest_core::engine::run(&test, rule.as_ref(), &settings()).expect("runs");
            assert_eq!(fold.out_of_sample, out.metrics);
            assert!(fold.train_end < fold.test_start);
        }
        // Stitched curve: every test bar once, in order, compounding each window's return.
        let curve = &result.oos_equity_curve;
        assert_eq!(curve.len(), result.folds.len() * 150);
        assert!(curve.windows(2).all(|w| w[0].0 < w[1].0));
        let growth: f64 = result
            .folds
            .iter()
            .map(|f| 1.0 + f.out_of_sample.total_return_pct / 100.0)
            .product();
        let last = curve.last().expect("non-empty").1;
        assert!(
            (last / settings().initial_capital - growth).abs() < 1e-9,
            "{last} vs {growth}"
        );
        let values = |pick: fn(&FoldResult) -> &EngineMetrics| -> Option<Vec<f64>> {
            result
                .folds
                .iter()
                .map(|f| objective_value(objective, pick(f)))
                .collect()
        };
        match (values(|f| &f.in_sample), values(|f| &f.out_of_sample)) {
            (Some(is), Some(oos)) => {
                let ratio = oos.iter().sum::<f64>() / is.iter().sum::<f64>();
                let efficiency = result.efficiency.expect("defined");
                assert!(
                    (efficiency - ratio).abs() < 1e-12,
                    "{efficiency} vs {ratio}"
                );
            }
            _ => assert_eq!(result.efficiency, None),
        }
    }
}

/// Scales every price of bars `range` (a different market there).
fn perturbed(series: &OhlcvSeries, range: std::ops::Range<usize>) -> OhlcvSeries {
    let scale = |col: &[f64]| -> Vec<f64> {
        col.iter()
            .enumerate()
            .map(|(i, &x)| {
                if range.contains(&i) {
                    x * (1.3 + 0.2 * ((i % 7) as f64))
                } else {
                    x
                }
            })
            .collect()
    };
    OhlcvSeries::new(
        series.timestamps().to_vec(),
        scale(series.open()),
        scale(series.high()),
        scale(series.low()),
        scale(series.close()),
        series.volume().to_vec(),
    )
    .expect("valid series")
}

#[test]
fn no_window_sees_the_other_windows_bars() {
    let series = spy();
    let wf = WalkForward {
        train_bars: 300,
        test_bars: 200,
        step_bars: Some(250),
        anchored: false,
    };
    let grid = json!({"period": [7, 14, 21], "oversold": [25, 30, 35]});
    let plan = SweepPlan::new("RSI", &json!({}), &grid, None, 1_000).expect("valid plan");
    let base =
        walk_forward(&series, &plan, &wf, &settings(), Objective::Sharpe, &|| ()).expect("runs");
    let folds = wf.folds(series.len()).expect("folds");
    for (i, fold) in folds.iter().enumerate() {
        // Changing everything but the training window leaves its choice and
        // in-sample metrics untouched.
        let mut outside = perturbed(&series, 0..fold.train.start);
        outside = perturbed(&outside, fold.train.end..series.len());
        let run = walk_forward(&outside, &plan, &wf, &settings(), Objective::Sharpe, &|| ())
            .expect("runs");
        assert_eq!(
            run.folds[i].best_params, base.folds[i].best_params,
            "fold {i}"
        );
        assert_eq!(run.folds[i].in_sample, base.folds[i].in_sample, "fold {i}");
        assert_ne!(
            run.folds[i].out_of_sample, base.folds[i].out_of_sample,
            "the test window did change"
        );

        // With its parameters fixed, a fold's test result ignores every bar
        // outside its test window, including its training bars.
        let fixed = one_point_plan(&base.folds[i].best_params);
        let mut not_test = perturbed(&series, 0..fold.test.start);
        not_test = perturbed(&not_test, fold.test.end..series.len());
        let a = walk_forward(&series, &fixed, &wf, &settings(), Objective::Sharpe, &|| ())
            .expect("runs");
        let b = walk_forward(
            &not_test,
            &fixed,
            &wf,
            &settings(),
            Objective::Sharpe,
            &|| (),
        )
        .expect("runs");
        assert_eq!(
            a.folds[i].out_of_sample, b.folds[i].out_of_sample,
            "fold {i}"
        );
        assert_ne!(
            a.folds[i].in_sample, b.folds[i].in_sample,
            "the training window did change"
        );
    }
}

/// A plan of exactly `params` (one-element lists).
fn one_point_plan(params: &Value) -> SweepPlan {
    let grid: serde_json::Map<String, Value> = params
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), json!([v])))
        .collect();
    SweepPlan::new("RSI", &json!({}), &Value::Object(grid), None, 1).expect("valid plan")
}

#[test]
fn progress_ticks_once_per_combination() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let series = spy();
    let plan = SweepPlan::new(
        "MA_CROSS",
        &json!({}),
        &json!({"fast": [5, 10, 50], "slow": [20, 50]}),
        None,
        100,
    )
    .expect("valid plan");
    let ticks = AtomicU64::new(0);
    let tick = || {
        ticks.fetch_add(1, Ordering::Relaxed);
    };
    let rows = evaluate(
        &series,
        &plan,
        plan.shard(1, 2).expect("valid"),
        &settings(),
        &tick,
    )
    .expect("runs");
    assert_eq!(ticks.load(Ordering::Relaxed), rows.len() as u64);
    assert_eq!(rows.len(), 3);
}
