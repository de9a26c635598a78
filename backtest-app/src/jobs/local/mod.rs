//! Local launcher: each run is a `backtest worker --run-id ID` subprocess of
//! the web's own binary (the embedded default, `JOB_LAUNCHER_MODE=local`).
//!
//! - **Queue**: `launch` only enqueues; a dispatcher starts workers in FIFO
//!   order, at most `MAX_CONCURRENT_WORKERS` at once (a semaphore).
//! - **Logs**: workers inherit the web's environment, stdout and stderr, so
//!   their JSON lines interleave with the web's (each carries `run_id`).
//! - **Timeout**: a worker running longer than `WORKER_TIMEOUT_SECS` is
//!   killed (SIGKILL) and its run marked `failed`.
//! - **Reaper**: when a worker exits and its run is not final (crash, kill
//!   -9, timeout, database lost mid-run), the run is marked `failed` with the
//!   reason, e.g. "worker exited with signal 9 before writing a result".
//! - **Recovery**: at start-up, runs a previous web left `running` are failed
//!   ("worker lost: the web restarted before the run finished"; their
//!   workers, if still alive, then find the run final and store nothing) and
//!   `queued` runs are launched. A periodic sweep does the same for runs this
//!   process does not supervise (e.g. the reaper could not reach the
//!   database), so no run stays `queued` or `running` forever. Its period is
//!   `BACKTEST_SWEEP_INTERVAL_SECS` (default 30).
//!
//! - **Shutdown**: the dispatcher and the sweep stop (a cancellation token);
//!   runs not started stay `queued`. Workers running get the drain period
//!   (Rocket's `shutdown.grace`) to finish; one still running then is killed
//!   and its run put back to `queued`, so the next start runs it again.
//! - **Sweep shards**: each shard of a parameter sweep is a `backtest worker
//!   --sweep-id ID --shard K` subprocess through the same queue and the same
//!   `MAX_CONCURRENT_WORKERS` cap. A shard that exits without completing is
//!   retried once (it resumes after its stored rows), as the Kubernetes
//!   launcher's `backoffLimitPerIndex: 1`; a second failure fails the sweep
//!   with the shard's reason, keeping every stored row. Unfinished sweeps
//!   found by the periodic sweep get their unsupervised shards relaunched.
//!
//! Local mode assumes one web process per database; several replicas need
//! the Kubernetes launcher.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use sqlx::AnyPool;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

mod reap;

use crate::config::AppConfig;
use crate::db::runs::{self, RunState};
use crate::db::sweeps;
use crate::jobs::JobLauncher;
use crate::sweeps::finalize::try_finalize;
use reap::{reap, reap_shard, requeue, Exit};

/// Attempts of one sweep shard (one retry, as `backoffLimitPerIndex: 1`).
pub const SHARD_ATTEMPTS: u32 = 2;

/// How the local launcher runs workers.
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// The program to run (the web's own executable).
    pub program: PathBuf,
    /// Arguments before `--run-id ID` (`["worker"]`).
    pub args: Vec<String>,
    /// Most workers at once.
    pub max_concurrent: usize,
    /// Wall-clock limit of one worker.
    pub timeout: Duration,
    /// Period of the sweep for unsupervised unfinished runs.
    pub sweep_interval: Duration,
    /// `DATA_DIR` (a walk-forward sweep is assembled from the data).
    pub data_dir: PathBuf,
}

impl LocalSettings {
    /// Settings from the configuration, running this executable.
    ///
    /// # Errors
    /// When the path of the running executable is unknown.
    pub fn from_config(config: &AppConfig) -> anyhow::Result<Self> {
        Ok(Self {
            program: std::env::current_exe().context("cannot find the backtest executable")?,
            args: vec!["worker".to_owned()],
            max_concurrent: config.max_concurrent_workers.max(1),
            timeout: Duration::from_secs(config.worker_timeout_secs.max(1)),
            sweep_interval: Duration::from_secs(config.backtest_sweep_interval_secs.max(1)),
            data_dir: config.data_dir.clone(),
        })
    }
}

/// What one worker process does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Task {
    /// One run.
    Run(String),
    /// One shard of a sweep, `attempt` from 1.
    Shard {
        sweep_id: String,
        shard: u64,
        attempt: u32,
    },
}

impl Task {
    /// The key of the tracked set.
    fn key(&self) -> String {
        match self {
            Self::Run(run_id) => run_id.clone(),
            Self::Shard {
                sweep_id, shard, ..
            } => format!("{sweep_id}#{shard}"),
        }
    }

    /// The worker's arguments after `worker`.
    fn args(&self) -> Vec<String> {
        match self {
            Self::Run(run_id) => vec!["--run-id".into(), run_id.clone()],
            Self::Shard {
                sweep_id, shard, ..
            } => vec![
                "--sweep-id".into(),
                sweep_id.clone(),
                "--shard".into(),
                shard.to_string(),
            ],
        }
    }

    fn span(&self) -> tracing::Span {
        match self {
            Self::Run(run_id) => tracing::info_span!("launcher", run_id = %run_id),
            Self::Shard {
                sweep_id,
                shard,
                attempt,
            } => tracing::info_span!("launcher", sweep_id = %sweep_id, shard, attempt),
        }
    }
}

/// Spawns workers as subprocesses; see the module documentation.
#[derive(Debug)]
pub struct LocalLauncher {
    tx: mpsc::UnboundedSender<Task>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    pool: AnyPool,
    settings: LocalSettings,
    /// Runs and shards queued in this process or supervised by it.
    tracked: Mutex<HashSet<String>>,
    /// Cancelled at shutdown: no more workers start, the sweep stops.
    stop: CancellationToken,
    /// Cancelled when the drain period is over: running workers are killed
    /// and their runs requeued.
    abort: CancellationToken,
    /// The dispatcher, the sweep and every worker's supervisor.
    tasks: TaskTracker,
    /// The dispatcher's queue, for shard retries.
    tx: mpsc::UnboundedSender<Task>,
}

impl Shared {
    /// Adds `run_id` to the tracked set; false if it was already there.
    fn track(&self, run_id: &str) -> bool {
        self.tracked
            .lock()
            .map(|mut set| set.insert(run_id.to_owned()))
            .unwrap_or(true)
    }

    fn untrack(&self, run_id: &str) {
        if let Ok(mut set) = self.tracked.lock() {
            set.remove(run_id);
        }
    }

    fn is_tracked(&self, run_id: &str) -> bool {
        self.tracked
            .lock()
            .map(|set| set.contains(run_id))
            .unwrap_or(false)
    }
}

impl LocalLauncher {
    /// Starts the dispatcher (needs a Tokio runtime).
    pub fn start(settings: LocalSettings, pool: AnyPool) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            pool,
            settings,
            tracked: Mutex::new(HashSet::new()),
            stop: CancellationToken::new(),
            abort: CancellationToken::new(),
            tasks: TaskTracker::new(),
            tx: tx.clone(),
        });
        shared.tasks.spawn(dispatch(shared.clone(), rx));
        Self { tx, shared }
    }

    /// Enqueues `run_id` unless it is already queued or running here.
    fn enqueue(&self, run_id: &str) -> anyhow::Result<()> {
        self.enqueue_task(Task::Run(run_id.to_owned()))
    }

    /// Enqueues a task unless it is already queued or running here.
    fn enqueue_task(&self, task: Task) -> anyhow::Result<()> {
        if self.shared.stop.is_cancelled() {
            // A run stays `queued` and a shard keeps its stored rows: the
            // next start launches them.
            task.span().in_scope(|| {
                tracing::info!("shutting down; the task stays queued for the next start")
            });
            return Ok(());
        }
        let key = task.key();
        if !self.shared.track(&key) {
            return Ok(());
        }
        self.tx.send(task).map_err(|_| {
            self.shared.untrack(&key);
            anyhow::anyhow!("the local worker dispatcher has stopped")
        })
    }

    /// Relaunches the shards of unfinished sweeps that no process here
    /// supervises (they resume after their stored rows).
    async fn sweep_shards(&self) -> anyhow::Result<()> {
        let pool = &self.shared.pool;
        for sweep_id in sweeps::unfinished(pool)
            .await
            .context("cannot list unfinished sweeps")?
        {
            for shard in sweeps::shards(pool, &sweep_id).await? {
                let Ok(number) = u64::try_from(shard.shard) else {
                    continue;
                };
                let task = Task::Shard {
                    sweep_id: sweep_id.clone(),
                    shard: number,
                    attempt: u32::try_from(shard.attempts.max(1))
                        .unwrap_or(SHARD_ATTEMPTS)
                        .min(SHARD_ATTEMPTS),
                };
                if shard.is_completed() || self.shared.is_tracked(&task.key()) {
                    continue;
                }
                task.span()
                    .in_scope(|| tracing::info!("relaunching an unsupervised sweep shard"));
                self.enqueue_task(task)?;
            }
            if let Err(e) = try_finalize(pool, &self.shared.settings.data_dir, &sweep_id).await {
                tracing::warn!(sweep_id = %sweep_id, error = %format!("{e:#}"), "cannot complete the sweep");
            }
        }
        Ok(())
    }

    /// Fails a lost `running` run or relaunches a `queued` one.
    async fn settle(
        &self,
        run_id: String,
        status: RunState,
        at_startup: bool,
    ) -> anyhow::Result<()> {
        match status {
            RunState::Running => {
                let message = if at_startup {
                    "worker lost: the web restarted before the run finished"
                } else {
                    "worker lost: no worker is running this run"
                };
                match runs::fail(&self.shared.pool, &run_id, message).await {
                    Ok(true) => tracing::warn!(error = message, "run failed"),
                    Ok(false) => {}
                    Err(e) => tracing::error!(error = %e, "cannot fail a lost run"),
                }
            }
            RunState::Queued => {
                tracing::info!("relaunching a queued run");
                self.enqueue(&run_id)?;
            }
            RunState::Completed | RunState::Failed => {}
        }
        Ok(())
    }

    /// Fails or relaunches the unfinished runs this process does not
    /// supervise, and relaunches unsupervised sweep shards.
    async fn sweep(&self, at_startup: bool) -> anyhow::Result<()> {
        if let Err(e) = self.sweep_shards().await {
            tracing::warn!(error = %format!("{e:#}"), "cannot recover unfinished sweeps");
        }
        let unfinished = runs::unfinished(&self.shared.pool)
            .await
            .context("cannot list unfinished runs")?;
        for run in unfinished {
            if self.shared.is_tracked(&run.run_id) {
                continue;
            }
            let span = tracing::info_span!("recover", run_id = %run.run_id);
            self.settle(run.run_id.clone(), run.status, at_startup)
                .instrument(span)
                .await?;
        }
        Ok(())
    }
}

#[rocket::async_trait]
impl JobLauncher for LocalLauncher {
    async fn launch(&self, run_id: &str) -> anyhow::Result<()> {
        self.enqueue(run_id)
    }

    async fn launch_sweep(&self, sweep_id: &str, shards: u64) -> anyhow::Result<()> {
        for shard in 0..shards {
            self.enqueue_task(Task::Shard {
                sweep_id: sweep_id.to_owned(),
                shard,
                attempt: 1,
            })?;
        }
        Ok(())
    }

    async fn recover(&self) -> anyhow::Result<()> {
        let result = self.sweep(true).await;
        let interval = self.shared.settings.sweep_interval;
        let me = LocalLauncher {
            tx: self.tx.clone(),
            shared: self.shared.clone(),
        };
        self.shared.tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    () = me.shared.stop.cancelled() => break,
                }
                if let Err(e) = me.sweep(false).await {
                    tracing::warn!(error = %format!("{e:#}"), "run sweep failed; retrying later");
                }
            }
            tracing::info!("run sweep stopped (shutdown)");
        });
        result
    }

    async fn shutdown(&self, drain: Duration) {
        let shared = &self.shared;
        shared.stop.cancel();
        shared.tasks.close();
        tracing::info!(drain_secs = drain.as_secs(), "job launcher draining");
        if tokio::time::timeout(drain, shared.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("workers still running after the drain period; stopping them");
            shared.abort.cancel();
            // Killing and requeueing takes a moment; the database calls have
            // their own timeouts.
            if tokio::time::timeout(ABORT_WAIT, shared.tasks.wait())
                .await
                .is_err()
            {
                tracing::error!("workers did not stop; their runs are settled at the next start");
            }
        }
        tracing::info!(mode = "local", "job launcher stopped");
    }

    fn mode(&self) -> &'static str {
        "local"
    }
}

/// How long stopped workers get to die and have their runs requeued.
const ABORT_WAIT: Duration = Duration::from_secs(10);

/// Starts queued tasks as permits free up, until shutdown.
async fn dispatch(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Task>) {
    let slots = Arc::new(Semaphore::new(shared.settings.max_concurrent));
    loop {
        let next = tokio::select! {
            biased;
            () = shared.stop.cancelled() => None,
            next = rx.recv() => next,
        };
        let Some(task) = next else { break };
        let permit = tokio::select! {
            biased;
            () = shared.stop.cancelled() => break,
            permit = slots.clone().acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let span = task.span();
        shared
            .tasks
            .spawn(supervise(shared.clone(), task, permit).instrument(span));
    }
    rx.close();
    let mut waiting = 0usize;
    while rx.try_recv().is_ok() {
        waiting += 1;
    }
    tracing::info!(
        waiting,
        "worker dispatcher stopped (shutdown); runs not started stay queued"
    );
}

/// Runs one worker process to its end, then reaps its run or shard.
async fn supervise(shared: Arc<Shared>, task: Task, permit: OwnedSemaphorePermit) {
    let settings = &shared.settings;
    let exit = match tokio::process::Command::new(&settings.program)
        .args(&settings.args)
        .args(task.args())
        .stdin(Stdio::null())
        .kill_on_drop(false)
        .spawn()
    {
        Err(e) => Exit::SpawnFailed(e),
        Ok(mut child) => {
            tracing::info!(pid = child.id().unwrap_or_default(), "worker started");
            let waited = tokio::select! {
                waited = tokio::time::timeout(settings.timeout, child.wait()) => Some(waited),
                () = shared.abort.cancelled() => None,
            };
            match waited {
                Some(Ok(Ok(status))) => Exit::Status(status),
                Some(Ok(Err(e))) => Exit::WaitFailed(e),
                Some(Err(_)) => {
                    if let Err(e) = child.kill().await {
                        tracing::error!(error = %e, "cannot kill the timed-out worker");
                    }
                    Exit::TimedOut(settings.timeout)
                }
                None => {
                    if let Err(e) = child.kill().await {
                        tracing::error!(error = %e, "cannot stop the worker");
                    }
                    Exit::Stopped
                }
            }
        }
    };
    // The slot is free before a retry queues behind it.
    drop(permit);
    match &task {
        Task::Run(run_id) => {
            if matches!(exit, Exit::Stopped) {
                requeue(&shared.pool, run_id).await;
            } else {
                reap(&shared.pool, run_id, &exit).await;
            }
            shared.untrack(run_id);
        }
        Task::Shard { .. } if matches!(exit, Exit::Stopped) => {
            // Stopped at shutdown: its stored rows stay, and the next
            // start's periodic sweep relaunches it (it resumes after them).
            shared.untrack(&task.key());
        }
        Task::Shard {
            sweep_id,
            shard,
            attempt,
        } => {
            if !reap_shard(&shared, sweep_id, *shard, *attempt, &exit).await {
                shared.untrack(&task.key());
            }
        }
    }
}
