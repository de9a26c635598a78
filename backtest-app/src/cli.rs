//! Command-line interface definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stock backtesting platform: CLI, web app and worker.
#[derive(Debug, Parser)]
#[command(name = "backtest", version = crate::version(), about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one backtest on a CSV file and print the result JSON.
    Run(RunArgs),
    /// Print every indicator for a CSV file as CSV.
    Indicators(DataArgs),
    /// Grid-search a rule's parameters and print the ranked table as JSON.
    Optimize(OptimizeArgs),
    /// Serve the dashboard and REST API.
    Serve,
    /// Run one queued backtest (--run-id) or one shard of a parameter sweep
    /// (--sweep-id, --shard) from the database and store the results.
    Worker(WorkerArgs),
    /// Database commands.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// API tokens (AUTH_MODE=token): create, list, revoke.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Market-data commands.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// GET the web's /health (exit 0 when it answers 200, else 1): the
    /// image's HEALTHCHECK, which needs no shell or curl.
    Healthcheck(HealthcheckArgs),
    /// Print, as JSON, the worker Job the Kubernetes launcher creates for a
    /// run from a Job template (for checks outside a cluster).
    #[command(hide = true)]
    RenderJob(RenderJobArgs),
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// Base URL of the web; default `http://ROCKET_ADDRESS:ROCKET_PORT`
    /// (a wildcard address means the loopback), else 127.0.0.1:8000.
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds before a request counts as failed.
    #[arg(long, default_value_t = 3)]
    pub timeout_secs: u64,
    /// Also submit the demo backtest (GOOG RSI) through POST /api/backtests
    /// and wait until /status says it completed: a whole-deployment check
    /// (web, database, launcher, worker), as `helm test` runs it.
    #[arg(long)]
    pub backtest: bool,
    /// With --backtest: seconds to wait for the run to finish.
    #[arg(long, default_value_t = 300)]
    pub wait_secs: u64,
    /// With --backtest: the API token (AUTH_MODE=token), sent as a bearer
    /// token; from the environment so it stays out of the process list.
    #[arg(long, env = "BACKTEST_API_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenderJobArgs {
    /// The worker Job template (YAML), as the chart renders it.
    #[arg(long)]
    pub template: PathBuf,
    /// The run id.
    #[arg(long)]
    pub run_id: String,
    /// The image (WORKER_IMAGE); the template's own when absent.
    #[arg(long)]
    pub image: Option<String>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The run to execute (a UUID issued by the web).
    #[arg(
        long,
        required_unless_present = "sweep_id",
        conflicts_with = "sweep_id"
    )]
    pub run_id: Option<String>,
    /// The parameter sweep whose shard to execute (with --shard).
    #[arg(long)]
    pub sweep_id: Option<String>,
    /// The shard (from 0) of --sweep-id; on Kubernetes the Indexed Job's
    /// completion index.
    #[arg(long, env = "JOB_COMPLETION_INDEX")]
    pub shard: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending schema migrations to DATABASE_URL.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it, once, as the last line of stdout (only
    /// its hash is stored).
    Create {
        /// A unique name: the owner of the runs and presets made with it.
        #[arg(long)]
        name: String,
        /// The token sees and deletes every owner's runs and presets.
        #[arg(long)]
        admin: bool,
    },
    /// List the tokens (names, rights, dates; never the tokens).
    List,
    /// Revoke a token: it is refused from now on.
    Revoke {
        /// The token's name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Download daily bars from Yahoo Finance into the data directory.
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// OHLCV CSV file (Yahoo, Stooq or unnamed-date-column layout).
    #[arg(long)]
    pub data: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SizeTypeArg {
    Value,
    Percent,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    Longonly,
    Longshort,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FillArg {
    #[value(name = "next_open")]
    NextOpen,
    Close,
}

/// Trading settings shared by `run` and `optimize`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Starting cash.
    #[arg(long, default_value_t = 100_000.0)]
    pub initial_capital: f64,
    /// Commission per side as a fraction of traded value.
    #[arg(long, default_value_t = 0.001)]
    pub fee_rate: f64,
    /// Slippage against the trader on every fill, in basis points.
    #[arg(long, default_value_t = 0.0)]
    pub slippage_bps: f64,
    /// Position size: currency (value) or percent of equity (percent).
    #[arg(long, default_value_t = 10_000.0)]
    pub position_size: f64,
    /// How --position-size is read.
    #[arg(long, value_enum, default_value = "value")]
    pub size_type: SizeTypeArg,
    /// Long-only or long/short.
    #[arg(long, value_enum, default_value = "longonly")]
    pub direction: DirectionArg,
    /// Fill at the next bar's open (default) or at the signal bar's close.
    #[arg(long, value_enum, default_value = "next_open")]
    pub fill: FillArg,
    /// First date (inclusive), YYYY-MM-DD.
    #[arg(long)]
    pub start: Option<String>,
    /// Last date (inclusive), YYYY-MM-DD.
    #[arg(long)]
    pub end: Option<String>,
    /// Stop-loss in percent of the entry fill, in (0, 100).
    #[arg(long)]
    pub stop_loss_pct: Option<f64>,
    /// Take-profit in percent of the entry fill, in (0, 100).
    #[arg(long)]
    pub take_profit_pct: Option<f64>,
    /// Trailing stop in percent of the peak since entry, in (0, 100).
    #[arg(long)]
    pub trailing_stop_pct: Option<f64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Rule type, e.g. RSI, MACD, MA_CROSS (see the rules list in the docs).
    #[arg(long)]
    pub rule: String,
    /// Rule parameters as a JSON object.
    #[arg(long, default_value = "{}")]
    pub params: String,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Benchmark OHLCV CSV file (same timeframe) for the benchmark
    /// statistics and the equity chart (default: the data file held).
    #[arg(long, value_name = "FILE")]
    pub benchmark: Option<PathBuf>,
    /// Skip chart rendering.
    #[arg(long)]
    pub no_charts: bool,
}

#[derive(Debug, Args)]
pub struct OptimizeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Rule type to optimize.
    #[arg(long)]
    pub rule: String,
    /// Grid: each rule parameter, or stop_loss_pct / take_profit_pct /
    /// trailing_stop_pct (percents in (0, 100), null = off; they override the
    /// stop flags), maps to a list or to {"start", "stop", "step"} (stop inclusive).
    #[arg(long)]
    pub grid: String,
    /// Fixed parameters merged under the grid, as a JSON object.
    #[arg(long, default_value = "{}")]
    pub params: String,
    /// Ranking objective: sharpe, total_return, max_drawdown or profit_factor.
    #[arg(long, default_value = "sharpe")]
    pub objective: String,
    /// Print only the best N rows (all when absent).
    #[arg(long)]
    pub top: Option<usize>,
    /// Evaluate N distinct combinations drawn at random from the grid.
    #[arg(long, value_name = "N")]
    pub random: Option<u64>,
    /// Seed of --random: the same seed draws the same combinations.
    #[arg(long, value_name = "S", default_value_t = 0, requires = "random")]
    pub seed: u64,
    /// Walk-forward analysis: optimise on TRAIN bars, test the best on the
    /// next TEST bars, move by STEP bars (default TEST).
    #[arg(long, value_name = "TRAIN:TEST[:STEP]")]
    pub walk_forward: Option<String>,
    /// Walk-forward training always starts at the first bar.
    #[arg(long, requires = "walk_forward")]
    pub anchored: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: OutputFormat,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Ticker symbol, e.g. AAPL.
    pub ticker: String,
    /// First date, YYYY-MM-DD.
    #[arg(long)]
    pub start: String,
    /// Last date, YYYY-MM-DD.
    #[arg(long)]
    pub end: String,
    /// Data directory (default: $DATA_DIR or data/).
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}
