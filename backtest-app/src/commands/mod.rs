//! Subcommand implementations.

mod healthcheck;
mod indicators;
mod optimize;
pub(crate) mod optimize_output;
mod run;
mod token;

use std::path::Path;

use anyhow::Context;
use backtest_adapter::contract::BacktestRequest;
use backtest_adapter::data::{load_csv, validate_ticker, LoadedData};
use backtest_core::OhlcvSeries;
use serde_json::json;

use crate::cli::{
    Cli, Command, DataCommand, DbCommand, DirectionArg, FillArg, RenderJobArgs, SettingsArgs,
    SizeTypeArg, WorkerArgs,
};
use crate::config::AppConfig;
use crate::{db, input_error, jobs, logging, sweeps, web};

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Serve => runtime()?.block_on(serve()),
        Command::Worker(args) => runtime()?.block_on(worker(&args)),
        Command::Db {
            command: DbCommand::Migrate,
        } => runtime()?.block_on(migrate()),
        Command::Token { command } => runtime()?.block_on(token::run(command)),
        Command::Indicators(args) => indicators::run(&args),
        Command::Optimize(args) => optimize::run(&args),
        Command::Data {
            command: DataCommand::Fetch(args),
        } => {
            let path = crate::fetch::fetch(&args.ticker, &args.start, &args.end, &args.data_dir)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        Command::Healthcheck(args) => healthcheck::run(&args),
        Command::RenderJob(args) => render_job(&args),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Configuration and logging for the commands that use the database.
fn app_config() -> anyhow::Result<AppConfig> {
    let config = AppConfig::load()?;
    logging::init(&config.log_level, config.log_format);
    Ok(config)
}

async fn serve() -> anyhow::Result<()> {
    let config = app_config()?;
    web::rocket(config)
        .launch()
        .await
        .context("the web server stopped")?;
    Ok(())
}

async fn worker(args: &WorkerArgs) -> anyhow::Result<()> {
    let config = app_config()?;
    match (&args.run_id, &args.sweep_id) {
        (Some(run_id), _) => jobs::worker::run(&config, run_id).await,
        (None, Some(sweep_id)) => {
            let shard = args.shard.ok_or_else(|| {
                input_error(anyhow::anyhow!(
                    "--shard (or JOB_COMPLETION_INDEX) is required with --sweep-id"
                ))
            })?;
            sweeps::shard::run(&config, sweep_id, shard).await
        }
        (None, None) => Err(input_error(anyhow::anyhow!(
            "--run-id or --sweep-id is required"
        ))),
    }
}

async fn migrate() -> anyhow::Result<()> {
    let config = app_config()?;
    let pool = db::connect(&config.database_url, 1).await?;
    let backend = config.backend()?;
    db::migrate(&pool, backend).await?;
    tracing::info!(?backend, "database migrated");
    Ok(())
}

/// Prints the Job the Kubernetes launcher would create for a run, built by
/// the launcher's own code from the template file.
fn render_job(args: &RenderJobArgs) -> anyhow::Result<()> {
    let config = AppConfig {
        job_template_path: Some(args.template.clone()),
        worker_image: args.image.clone(),
        ..AppConfig::default()
    };
    let settings = jobs::k8s::K8sSettings::from_config(&config)?;
    let job = jobs::k8s::job_for_run(&settings.template, &args.run_id, settings.image.as_deref())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&job).context("cannot serialise the Job")?
    );
    Ok(())
}

/// Loads a CSV file; every failure is the user's input.
fn load(path: &std::path::Path) -> anyhow::Result<LoadedData> {
    load_csv(path)
        .with_context(|| format!("cannot load {}", path.display()))
        .map_err(input_error)
}

/// The SPEC request for a CLI run: the contract's defaults and validation
/// apply exactly as for the web. The ticker is the file's name when it is a
/// valid ticker.
fn request(
    path: &Path,
    rule: &str,
    params: &str,
    args: &SettingsArgs,
    data: &LoadedData,
    charts: bool,
) -> anyhow::Result<BacktestRequest> {
    let ticker = ticker_of(path).unwrap_or_else(|| "DATA".to_owned());
    let value = json!({
        "ticker": ticker,
        "rule_type": rule,
        "params": parse_json("--params", params)?,
        "start_date": args.start,
        "end_date": args.end,
        "initial_capital": args.initial_capital,
        "fee_rate": args.fee_rate,
        "slippage_bps": args.slippage_bps,
        "position_size": args.position_size,
        "size_type": match args.size_type {
            SizeTypeArg::Value => "value",
            SizeTypeArg::Percent => "percent",
        },
        "direction": match args.direction {
            DirectionArg::Longonly => "longonly",
            DirectionArg::Longshort => "longshort",
        },
        "fill": match args.fill {
            FillArg::NextOpen => "next_open",
            FillArg::Close => "close",
        },
        "timeframe": data.timeframe.as_str(),
        "charts": charts,
        "stop_loss_pct": args.stop_loss_pct,
        "take_profit_pct": args.take_profit_pct,
        "trailing_stop_pct": args.trailing_stop_pct,
    });
    BacktestRequest::from_value(value).map_err(input_error)
}

/// The ticker a file's name spells (`AAPL.csv`, `EURUSD_1h.csv`), if any.
fn ticker_of(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|stem| validate_ticker(stem.split('_').next().unwrap_or(stem)).ok())
}

/// The bars between --start and --end.
fn select(data: &LoadedData, args: &SettingsArgs) -> anyhow::Result<OhlcvSeries> {
    data.select(args.start.as_deref(), args.end.as_deref())
        .map_err(input_error)
}

/// Parses a JSON option, naming it in the error.
fn parse_json(option: &str, text: &str) -> anyhow::Result<serde_json::Value> {
    serde_json::from_str(text)
        .with_context(|| format!("{option} is not valid JSON"))
        .map_err(input_error)
}
