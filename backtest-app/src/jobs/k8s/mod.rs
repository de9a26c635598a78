//! Kubernetes launcher: one `batch/v1` Job per run (`JOB_LAUNCHER_MODE=k8s`).
//!
//! The Job comes from the template at `JOB_TEMPLATE_PATH` (the Helm chart
//! mounts it from a ConfigMap) or the built-in `default-job.yaml`. For each
//! run the launcher
//! - names the Job `<generateName><run_id>` (at most 63 characters), so a
//!   second launch of the same run meets `409 AlreadyExists` instead of
//!   starting a duplicate;
//! - adds the label `backtest.io/run-id: <id>` to the Job and its pod, and
//!   never an `app.kubernetes.io/instance` label (Argo CD must not track
//!   runtime Jobs; one in the template is removed);
//! - appends `--run-id <id>` to the worker container's args and sets
//!   `WORKER_IMAGE` as its image (required with the built-in template).
//!
//! It then follows the Job by name through kube's runtime watcher (a
//! quorum-read list with the field selector `metadata.name=<job>`, then a
//! watch from the list's `resourceVersion`, bookmarks, re-listing after the
//! watch expires or the version is gone; `K8S_WATCH_TIMEOUT_SECS` is the
//! server-side timeout of one watch, `K8S_RETRY_DELAY_SECS` the pause after
//! an API error). A Job missing from a list or deleted fails the run ("worker
//! lost"). Once the Job succeeded and the
//! run is `completed` in the database, the Job is deleted with propagation
//! `Background`. A failed Job is kept (its `ttlSecondsAfterFinished` cleans
//! it) and the run marked `failed` with the reason from the Job's `Failed`
//! condition (`BackoffLimitExceeded`, `DeadlineExceeded`, ...), unless the
//! worker already recorded its own message. Pod termination messages would
//! need access to pods; the web's Role only covers `batch/jobs` (create,
//! get, list, watch, delete).
//!
//! At start-up and periodically, unfinished runs without a watch are looked
//! up by label: a Job found is watched again; a `queued` run without one is
//! launched; a `running` run without one is failed.
//!
//! On shutdown the sweep and the watches stop (a cancellation token); the
//! Jobs run on, and the next web's start-up sweep watches them again.

mod sweep;
mod template;

pub use template::{
    job_for_run, job_for_sweep, job_name, job_state, load_template, parse_template, JobState,
    DEFAULT_TEMPLATE, INSTANCE_LABEL, NAMESPACE_FILE, RUN_ID_LABEL, SWEEP_ID_LABEL,
};

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use futures_util::{pin_mut, StreamExt};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::watcher::{self, watcher, Event};
use sqlx::AnyPool;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use super::{short, JobLauncher};
use crate::config::AppConfig;
use crate::db::runs::{self, RunState};

/// How the Kubernetes launcher builds and follows Jobs.
#[derive(Debug, Clone)]
pub struct K8sSettings {
    /// Namespace of the Jobs.
    pub namespace: String,
    /// The Job template.
    pub template: Job,
    /// `WORKER_IMAGE`, set on the worker container.
    pub image: Option<String>,
    /// How long to wait for a succeeded Job's result to show in the database.
    pub result_wait: Duration,
    /// Pause before re-watching after an error.
    pub retry_delay: Duration,
    /// Period of the sweep for unwatched unfinished runs.
    pub sweep_interval: Duration,
    /// Server-side timeout (seconds) of one watch request.
    pub watch_timeout_secs: u32,
    /// Pods of a sweep's Indexed Job at once (`SWEEP_PARALLELISM`).
    pub sweep_parallelism: u32,
    /// `DATA_DIR` (a walk-forward sweep is assembled from the data).
    pub data_dir: std::path::PathBuf,
}

impl K8sSettings {
    /// Settings from the configuration: template file or built-in default,
    /// namespace from `K8S_NAMESPACE` or the service account.
    ///
    /// # Errors
    /// An unreadable or invalid template, or no image for the built-in one.
    pub fn from_config(config: &AppConfig) -> anyhow::Result<Self> {
        let template = match &config.job_template_path {
            Some(path) => load_template(path)?,
            None => {
                if config.worker_image.is_none() {
                    bail!("WORKER_IMAGE is required with the built-in worker Job template");
                }
                parse_template(DEFAULT_TEMPLATE).context("built-in worker Job template")?
            }
        };
        let namespace = match &config.k8s_namespace {
            Some(ns) if !ns.trim().is_empty() => ns.trim().to_owned(),
            _ => std::fs::read_to_string(NAMESPACE_FILE)
                .map(|ns| ns.trim().to_owned())
                .ok()
                .filter(|ns| !ns.is_empty())
                .unwrap_or_else(|| "default".to_owned()),
        };
        let settings = Self {
            namespace,
            template,
            image: config.worker_image.clone(),
            result_wait: Duration::from_secs(config.k8s_result_wait_secs),
            retry_delay: Duration::from_secs(config.k8s_retry_delay_secs),
            sweep_interval: Duration::from_secs(config.k8s_sweep_interval_secs),
            watch_timeout_secs: config.k8s_watch_timeout_secs,
            sweep_parallelism: config.sweep_parallelism,
            data_dir: config.data_dir.clone(),
        };
        // Fail at start-up, not at the first submit.
        job_for_run(
            &settings.template,
            "00000000-0000-4000-8000-000000000000",
            settings.image.as_deref(),
        )?;
        Ok(settings)
    }
}

/// Creates and follows worker Jobs; see the module documentation.
#[derive(Debug, Clone)]
pub struct K8sLauncher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    api: Api<Job>,
    settings: K8sSettings,
    pool: AnyPool,
    /// Runs (and `sweep:<id>` sweeps) with a watch task in this process.
    watching: Mutex<HashSet<String>>,
    /// Cancelled on shutdown: the sweep and the watches stop.
    stop: CancellationToken,
    /// The watch tasks and the sweep loop, awaited on shutdown.
    tasks: TaskTracker,
}

impl K8sLauncher {
    /// A launcher using `client` in `settings.namespace`.
    pub fn new(client: kube::Client, settings: K8sSettings, pool: AnyPool) -> Self {
        let api = Api::namespaced(client, &settings.namespace);
        Self {
            inner: Arc::new(Inner {
                api,
                settings,
                pool,
                watching: Mutex::new(HashSet::new()),
                stop: CancellationToken::new(),
                tasks: TaskTracker::new(),
            }),
        }
    }

    /// The Job this launcher creates for `run_id`.
    ///
    /// # Errors
    /// As [`job_for_run`].
    pub fn job(&self, run_id: &str) -> anyhow::Result<Job> {
        job_for_run(
            &self.inner.settings.template,
            run_id,
            self.inner.settings.image.as_deref(),
        )
    }

    /// Starts a watch task for the Job of `run_id` unless one runs; returns
    /// its handle (for tests) when it started one.
    pub fn watch(&self, run_id: &str, name: &str) -> Option<tokio::task::JoinHandle<()>> {
        let fresh = self
            .inner
            .watching
            .lock()
            .map(|mut set| set.insert(run_id.to_owned()))
            .unwrap_or(false);
        if !fresh {
            return None;
        }
        let inner = self.inner.clone();
        let run = run_id.to_owned();
        let name = name.to_owned();
        let span = tracing::info_span!("job_watch", run_id = %run_id, job = %name);
        Some(self.inner.tasks.spawn(
            async move {
                let stop = inner.stop.clone();
                tokio::select! {
                    () = inner.follow(&run, &name) => {}
                    () = stop.cancelled() => {
                        tracing::info!("job watch stopped (shutdown); the next start watches again");
                    }
                }
                if let Ok(mut set) = inner.watching.lock() {
                    set.remove(&run);
                }
            }
            .instrument(span),
        ))
    }

    /// Creates the Job of `run_id` (an existing one counts as created) and
    /// returns its name, without watching it.
    ///
    /// # Errors
    /// When the API refuses or cannot be reached.
    pub async fn create(&self, run_id: &str) -> anyhow::Result<String> {
        let job = self.job(run_id)?;
        let name = job.metadata.name.clone().unwrap_or_default();
        match self.inner.api.create(&PostParams::default(), &job).await {
            Ok(created) => {
                tracing::info!(job = %name, namespace = %self.inner.settings.namespace, "worker Job created");
                Ok(created.metadata.name.unwrap_or(name))
            }
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                tracing::info!(job = %name, "worker Job already exists");
                Ok(name)
            }
            Err(e) => Err(anyhow!(e).context("cannot create the worker Job")),
        }
    }

    /// Watches or settles every unfinished run and sweep without a watch here.
    async fn sweep(&self, at_startup: bool) -> anyhow::Result<()> {
        if let Err(e) = self.recover_sweeps().await {
            tracing::warn!(error = %format!("{e:#}"), "cannot recover unfinished sweeps");
        }
        let unfinished = runs::unfinished(&self.inner.pool)
            .await
            .context("cannot list unfinished runs")?;
        for run in unfinished {
            let watched = self
                .inner
                .watching
                .lock()
                .map(|set| set.contains(&run.run_id))
                .unwrap_or(false);
            if watched {
                continue;
            }
            let span = tracing::info_span!("recover", run_id = %run.run_id);
            if let Err(e) = self
                .settle(&run.run_id, run.status, at_startup)
                .instrument(span)
                .await
            {
                tracing::warn!(run_id = %run.run_id, error = %format!("{e:#}"), "cannot recover the run");
            }
        }
        Ok(())
    }

    async fn settle(&self, run_id: &str, status: RunState, at_startup: bool) -> anyhow::Result<()> {
        let lp = ListParams::default().labels(&format!("{RUN_ID_LABEL}={run_id}"));
        let jobs = self
            .inner
            .api
            .list(&lp)
            .await
            .context("cannot list worker Jobs")?;
        if let Some(name) = jobs.items.iter().find_map(|j| j.metadata.name.clone()) {
            self.watch(run_id, &name);
            return Ok(());
        }
        match status {
            RunState::Queued => {
                tracing::info!("launching a queued run without a Job");
                let name = self.create(run_id).await?;
                self.watch(run_id, &name);
            }
            RunState::Running => {
                let message = if at_startup {
                    "worker lost: its Job no longer exists (found at web start-up)"
                } else {
                    "worker lost: its Job no longer exists"
                };
                if runs::fail(&self.inner.pool, run_id, message).await? {
                    tracing::warn!(error = message, "run failed");
                }
            }
            RunState::Completed | RunState::Failed => {}
        }
        Ok(())
    }
}

/// What a watch saw of a Job.
#[derive(Debug)]
enum Seen {
    /// Its current state.
    Job(Box<Job>),
    /// It was deleted.
    Deleted,
}

impl Inner {
    /// Follows the Job `name` through kube's runtime watcher (a quorum list,
    /// then a watch from its version, re-listing when the version is gone)
    /// and hands every state to `on` until it returns true, or the Job is
    /// deleted or missing from a list (`Seen::Deleted`).
    async fn watch_job<F, Fut>(&self, name: &str, mut on: F)
    where
        F: FnMut(Seen) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let config = watcher::Config::default()
            .fields(&format!("metadata.name={name}"))
            .timeout(self.settings.watch_timeout_secs);
        let events = watcher(self.api.clone(), config);
        pin_mut!(events);
        // Whether the Job was in the list being received (`Init` .. `InitDone`).
        let mut listed = false;
        while let Some(event) = events.next().await {
            let job = match event {
                Ok(Event::Init) => {
                    listed = false;
                    continue;
                }
                Ok(Event::InitApply(job)) => {
                    listed = true;
                    job
                }
                Ok(Event::Apply(job)) => job,
                Ok(Event::InitDone) if listed => continue,
                Ok(Event::InitDone | Event::Delete(_)) => {
                    on(Seen::Deleted).await;
                    return;
                }
                Err(e) => {
                    // The watcher recovers on the next poll (re-watch or re-list).
                    tracing::warn!(error = %e, "watching the worker Job failed; retrying");
                    tokio::time::sleep(self.settings.retry_delay).await;
                    continue;
                }
            };
            if on(Seen::Job(Box::new(job))).await {
                return;
            }
        }
    }

    /// Follows the Job until it succeeds, fails or disappears.
    async fn follow(&self, run_id: &str, name: &str) {
        self.watch_job(name, |seen| async move {
            match seen {
                Seen::Job(job) => match job_state(&job) {
                    JobState::Active => false,
                    JobState::Succeeded => {
                        self.succeeded(run_id, name).await;
                        true
                    }
                    JobState::Failed(reason) => {
                        self.failed(run_id, &reason).await;
                        true
                    }
                },
                Seen::Deleted => {
                    let message = "worker lost: its Job was deleted before the run finished";
                    if let Ok(true) = runs::fail(&self.pool, run_id, message).await {
                        tracing::warn!(error = message, "run failed");
                    }
                    true
                }
            }
        })
        .await;
    }

    /// The Job succeeded: delete it once the run is `completed`.
    async fn succeeded(&self, run_id: &str, name: &str) {
        let step = Duration::from_millis(500);
        let mut waited = Duration::ZERO;
        loop {
            match runs::get(&self.pool, run_id).await {
                Ok(Some(run)) if run.status == RunState::Completed => {
                    self.delete(name).await;
                    return;
                }
                Ok(Some(run)) if run.status == RunState::Failed => {
                    tracing::warn!("worker Job succeeded but the run is failed; keeping the Job");
                    return;
                }
                Ok(None) => {
                    tracing::error!("worker Job succeeded for an unknown run; keeping the Job");
                    return;
                }
                Ok(Some(_)) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the run"),
            }
            if waited >= self.settings.result_wait {
                let message = "worker Job succeeded but no result was stored";
                if let Ok(true) = runs::fail(&self.pool, run_id, message).await {
                    tracing::error!(error = message, "run failed");
                }
                return;
            }
            tokio::time::sleep(step).await;
            waited += step;
        }
    }

    async fn delete(&self, name: &str) {
        match self.api.delete(name, &DeleteParams::background()).await {
            Ok(_) => tracing::info!("run completed; worker Job deleted"),
            Err(kube::Error::Api(status)) if status.is_not_found() => {}
            Err(e) => tracing::warn!(error = %e, "cannot delete the worker Job; its TTL will"),
        }
    }

    /// The Job failed: keep it, fail the run with the reason.
    async fn failed(&self, run_id: &str, reason: &str) {
        let message = short(&format!("worker Job failed: {reason}"), 500);
        match runs::fail(&self.pool, run_id, &message).await {
            Ok(true) => tracing::error!(error = %message, "run failed; Job kept for debugging"),
            Ok(false) => tracing::info!(reason, "worker Job failed; the run was already final"),
            Err(e) => tracing::error!(error = %e, "cannot record the Job's failure"),
        }
    }
}

#[rocket::async_trait]
impl JobLauncher for K8sLauncher {
    async fn launch(&self, run_id: &str) -> anyhow::Result<()> {
        let name = self.create(run_id).await?;
        self.watch(run_id, &name);
        Ok(())
    }

    async fn launch_sweep(&self, sweep_id: &str, shards: u64) -> anyhow::Result<()> {
        let name = self.create_sweep(sweep_id, shards).await?;
        self.watch_sweep(sweep_id, &name);
        Ok(())
    }

    async fn recover(&self) -> anyhow::Result<()> {
        let result = self.sweep(true).await;
        let me = self.clone();
        self.inner.tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(me.inner.settings.sweep_interval) => {}
                    () = me.inner.stop.cancelled() => break,
                }
                if let Err(e) = me.sweep(false).await {
                    tracing::warn!(error = %format!("{e:#}"), "run sweep failed; retrying later");
                }
            }
            tracing::info!("run sweep stopped (shutdown)");
        });
        result
    }

    async fn shutdown(&self, _drain: Duration) {
        // The Jobs run on without this process; only its own tasks end.
        self.inner.stop.cancel();
        self.inner.tasks.close();
        self.inner.tasks.wait().await;
        tracing::info!(mode = "k8s", "job launcher stopped");
    }

    fn mode(&self) -> &'static str {
        "k8s"
    }
}
