//! Sweeps on Kubernetes: one Indexed Job per sweep ([`job_for_sweep`]),
//! pod *k* running shard *k*.
//!
//! The launcher creates the Job (an existing one counts as created), then
//! watches it by name. A failed index (`status.failedIndexes`: a shard that
//! failed twice) or a `Failed` condition fails the sweep with the shards'
//! own reasons, keeping the Job and every stored row. Once the Job
//! succeeded the sweep is completed (the last shard normally did it; this
//! is the safety net) and the Job deleted with propagation `Background`;
//! a cancelled sweep's Job is deleted too (its pods stopped at their next
//! batch and exited 0).

use std::time::Duration;

use anyhow::{anyhow, Context};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{ListParams, PostParams};
use tracing::Instrument;

use super::{job_for_sweep, job_state, Inner, JobState, K8sLauncher, Seen, SWEEP_ID_LABEL};
use crate::db::sweeps::{self, SweepState};
use crate::jobs::short;
use crate::sweeps::finalize::try_finalize;

impl K8sLauncher {
    /// The Indexed Job this launcher creates for a sweep of `shards`.
    ///
    /// # Errors
    /// As [`job_for_sweep`].
    pub fn sweep_job(&self, sweep_id: &str, shards: u64) -> anyhow::Result<Job> {
        let settings = &self.inner.settings;
        job_for_sweep(
            &settings.template,
            sweep_id,
            shards,
            settings.sweep_parallelism,
            settings.image.as_deref(),
        )
    }

    /// Creates the sweep's Indexed Job (an existing one counts as created)
    /// and returns its name, without watching it.
    ///
    /// # Errors
    /// When the API refuses or cannot be reached.
    pub async fn create_sweep(&self, sweep_id: &str, shards: u64) -> anyhow::Result<String> {
        let job = self.sweep_job(sweep_id, shards)?;
        let name = job.metadata.name.clone().unwrap_or_default();
        match self.inner.api.create(&PostParams::default(), &job).await {
            Ok(created) => {
                tracing::info!(job = %name, shards, "sweep Indexed Job created");
                Ok(created.metadata.name.unwrap_or(name))
            }
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                tracing::info!(job = %name, "sweep Job already exists");
                Ok(name)
            }
            Err(e) => Err(anyhow!(e).context("cannot create the sweep's Job")),
        }
    }

    /// Starts a watch task for the sweep's Job unless one runs; returns its
    /// handle (for tests) when it started one.
    pub fn watch_sweep(&self, sweep_id: &str, name: &str) -> Option<tokio::task::JoinHandle<()>> {
        let key = format!("sweep:{sweep_id}");
        let fresh = self
            .inner
            .watching
            .lock()
            .map(|mut set| set.insert(key.clone()))
            .unwrap_or(false);
        if !fresh {
            return None;
        }
        let inner = self.inner.clone();
        let sweep = sweep_id.to_owned();
        let name = name.to_owned();
        let span = tracing::info_span!("job_watch", sweep_id = %sweep_id, job = %name);
        Some(tokio::spawn(
            async move {
                inner.follow_sweep(&sweep, &name).await;
                if let Ok(mut set) = inner.watching.lock() {
                    set.remove(&key);
                }
            }
            .instrument(span),
        ))
    }

    /// Watches the Jobs of unfinished sweeps without a watch here; launches
    /// a queued sweep without one and fails a running one whose Job is gone.
    pub(super) async fn recover_sweeps(&self) -> anyhow::Result<()> {
        let pool = &self.inner.pool;
        for sweep_id in sweeps::unfinished(pool).await? {
            let watched = self
                .inner
                .watching
                .lock()
                .map(|set| set.contains(&format!("sweep:{sweep_id}")))
                .unwrap_or(false);
            if watched {
                continue;
            }
            let lp = ListParams::default().labels(&format!("{SWEEP_ID_LABEL}={sweep_id}"));
            let jobs = self
                .inner
                .api
                .list(&lp)
                .await
                .context("cannot list sweep Jobs")?;
            if let Some(name) = jobs.items.iter().find_map(|j| j.metadata.name.clone()) {
                self.watch_sweep(&sweep_id, &name);
                continue;
            }
            let Some(sweep) = sweeps::get(pool, &sweep_id).await? else {
                continue;
            };
            match sweep.status {
                SweepState::Queued => {
                    let shards = u64::try_from(sweep.shards).unwrap_or(1);
                    let name = self.create_sweep(&sweep_id, shards).await?;
                    self.watch_sweep(&sweep_id, &name);
                }
                SweepState::Running => {
                    let message = "worker lost: the sweep's Job no longer exists";
                    if sweeps::fail(pool, &sweep_id, message).await? {
                        tracing::warn!(sweep_id = %sweep_id, error = message, "sweep failed");
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The failed indexes of an Indexed Job (`"1,3-5"`), when any.
fn failed_indexes(job: &Job) -> Option<String> {
    job.status
        .as_ref()
        .and_then(|s| s.failed_indexes.clone())
        .filter(|f| !f.trim().is_empty())
}

impl Inner {
    /// Follows a sweep's Job until it succeeds, fails or disappears.
    async fn follow_sweep(&self, sweep_id: &str, name: &str) {
        self.watch_job(name, |seen| async move {
            match seen {
                Seen::Job(job) => {
                    if let Some(failed) = failed_indexes(&job) {
                        self.sweep_failed(sweep_id, &format!("shard {failed}"))
                            .await;
                        return true;
                    }
                    match job_state(&job) {
                        JobState::Active => false,
                        JobState::Succeeded => {
                            self.sweep_succeeded(sweep_id, name).await;
                            true
                        }
                        JobState::Failed(reason) => {
                            self.sweep_failed(sweep_id, &format!("Job ({reason})"))
                                .await;
                            true
                        }
                    }
                }
                Seen::Deleted => {
                    let message = "worker lost: the sweep's Job was deleted before it finished";
                    if let Ok(true) = sweeps::fail(&self.pool, sweep_id, message).await {
                        tracing::warn!(error = message, "sweep failed");
                    }
                    true
                }
            }
        })
        .await;
    }

    /// Every index succeeded: complete the sweep if no shard did, then
    /// delete the Job.
    async fn sweep_succeeded(&self, sweep_id: &str, name: &str) {
        let step = Duration::from_millis(500);
        let mut waited = Duration::ZERO;
        loop {
            match sweeps::status(&self.pool, sweep_id).await {
                Ok(Some(SweepState::Completed | SweepState::Cancelled)) => {
                    self.delete(name).await;
                    return;
                }
                Ok(Some(SweepState::Failed)) => {
                    tracing::warn!("sweep Job succeeded but the sweep is failed; keeping the Job");
                    return;
                }
                Ok(None) => {
                    tracing::error!("sweep Job succeeded for an unknown sweep; keeping the Job");
                    return;
                }
                Ok(Some(_)) => {
                    if let Err(e) =
                        try_finalize(&self.pool, &self.settings.data_dir, sweep_id).await
                    {
                        tracing::warn!(error = %format!("{e:#}"), "cannot complete the sweep");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the sweep"),
            }
            if waited >= self.settings.result_wait {
                let message = "sweep Job succeeded but not every shard stored its results";
                if let Ok(true) = sweeps::fail(&self.pool, sweep_id, message).await {
                    tracing::error!(error = message, "sweep failed");
                }
                return;
            }
            tokio::time::sleep(step).await;
            waited += step;
        }
    }

    /// A shard exhausted its retries (or the Job failed): fail the sweep
    /// with the failed shards' own messages, keep the Job.
    async fn sweep_failed(&self, sweep_id: &str, what: &str) {
        let reasons: Vec<String> = sweeps::shards(&self.pool, sweep_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !s.is_completed())
            .filter_map(|s| s.error_message.map(|m| format!("shard {}: {m}", s.shard)))
            .collect();
        let mut message = format!("{what} failed after its retries");
        if !reasons.is_empty() {
            message = format!("{message}: {}", reasons.join("; "));
        }
        let message = short(&message, 900);
        match sweeps::fail(&self.pool, sweep_id, &message).await {
            Ok(true) => tracing::error!(error = %message, "sweep failed; Job kept for debugging"),
            Ok(false) => tracing::info!("sweep Job failed; the sweep was already final"),
            Err(e) => tracing::error!(error = %e, "cannot record the sweep's failure"),
        }
    }
}
