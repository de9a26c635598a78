//! What happens after a worker process ends: its run is reaped (failed
//! with the reason unless the worker made it final) or requeued after a
//! shutdown, and a sweep shard is retried or fails its sweep.

use std::process::ExitStatus;
use std::time::Duration;

use sqlx::AnyPool;

use super::{Shared, Task, SHARD_ATTEMPTS};
use crate::db::{runs, sweeps};
use crate::sweeps::finalize::try_finalize;

/// How a worker process ended.
#[derive(Debug)]
pub(super) enum Exit {
    Status(ExitStatus),
    TimedOut(Duration),
    WaitFailed(std::io::Error),
    SpawnFailed(std::io::Error),
    /// Killed at shutdown, after the drain period.
    Stopped,
}

/// After a shard's process ended: nothing to do if it completed or the
/// sweep is final; else retry it (true: still tracked) or, attempts
/// exhausted, fail the sweep with the shard's reason.
pub(super) async fn reap_shard(
    shared: &Shared,
    sweep_id: &str,
    shard: u64,
    attempt: u32,
    exit: &Exit,
) -> bool {
    let pool = &shared.pool;
    let state = match sweeps::status(pool, sweep_id).await {
        Ok(Some(state)) => state,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the sweep after its shard; the periodic sweep will");
            return false;
        }
    };
    if state.is_final() {
        return false;
    }
    let row = match sweeps::shards(pool, sweep_id).await {
        Ok(rows) => rows
            .into_iter()
            .find(|s| u64::try_from(s.shard).ok() == Some(shard)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the shard; the periodic sweep will");
            return false;
        }
    };
    let Some(row) = row else { return false };
    if row.is_completed() {
        if let Err(e) = try_finalize(pool, &shared.settings.data_dir, sweep_id).await {
            tracing::warn!(error = %format!("{e:#}"), "cannot complete the sweep");
        }
        return false;
    }
    let reason = row
        .error_message
        .clone()
        .unwrap_or_else(|| exit_message(exit));
    if attempt < SHARD_ATTEMPTS {
        tracing::warn!(error = %reason, "shard attempt failed; retrying");
        let retry = Task::Shard {
            sweep_id: sweep_id.to_owned(),
            shard,
            attempt: attempt + 1,
        };
        return shared.tx.send(retry).is_ok();
    }
    let message = format!("shard {shard} failed after {attempt} attempts: {reason}");
    match sweeps::fail(pool, sweep_id, &message).await {
        Ok(true) => tracing::error!(error = %message, "sweep failed"),
        Ok(false) => {}
        Err(e) => tracing::error!(error = %e, "cannot fail the sweep"),
    }
    false
}

/// Puts the run of a worker stopped at shutdown back to `queued`.
pub(super) async fn requeue(pool: &AnyPool, run_id: &str) {
    match runs::requeue(pool, run_id).await {
        Ok(true) => {
            tracing::warn!("worker stopped by the shutdown; run requeued for the next start")
        }
        Ok(false) => tracing::info!("worker stopped by the shutdown; the run was not running"),
        Err(e) => tracing::error!(
            error = %e,
            "cannot requeue the run; the next start fails it as lost"
        ),
    }
}

/// The `error_message` for a worker that ended without a final run.
fn exit_message(exit: &Exit) -> String {
    match exit {
        Exit::SpawnFailed(e) => format!("could not start a worker process: {e}"),
        Exit::WaitFailed(e) => format!("lost track of the worker process: {e}"),
        Exit::TimedOut(limit) => format!(
            "worker timed out after {} s and was killed",
            limit.as_secs()
        ),
        Exit::Status(status) => describe(status),
        Exit::Stopped => "worker stopped by the web's shutdown".to_owned(),
    }
}

#[cfg(unix)]
fn describe(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (_, Some(signal)) => format!("worker exited with signal {signal} before writing a result"),
        (Some(0), _) => "worker exited without writing a result".to_owned(),
        (Some(code), _) => format!("worker exited with status {code} before writing a result"),
        (None, None) => "worker ended before writing a result".to_owned(),
    }
}

#[cfg(not(unix))]
fn describe(status: &ExitStatus) -> String {
    match status.code() {
        Some(0) => "worker exited without writing a result".to_owned(),
        Some(code) => format!("worker exited with status {code} before writing a result"),
        None => "worker ended before writing a result".to_owned(),
    }
}

/// Marks the run failed unless the worker brought it to a final state.
pub(super) async fn reap(pool: &AnyPool, run_id: &str, exit: &Exit) {
    for attempt in 1..=3u32 {
        match runs::get(pool, run_id).await {
            Ok(Some(run)) if run.status.is_final() => {
                tracing::info!(status = %run.status, "worker finished");
                return;
            }
            Ok(Some(_)) => {
                let message = exit_message(exit);
                match runs::fail(pool, run_id, &message).await {
                    Ok(true) => {
                        tracing::error!(error = %message, "run failed");
                        return;
                    }
                    // Became final in between.
                    Ok(false) => return,
                    Err(e) => tracing::warn!(error = %e, attempt, "cannot fail the run"),
                }
            }
            Ok(None) => {
                tracing::error!("worker ended for an unknown run");
                return;
            }
            Err(e) => tracing::warn!(error = %e, attempt, "cannot read the run after its worker"),
        }
        tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
    }
    tracing::error!("could not reap the run; the periodic sweep will fail it");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_cause() {
        assert_eq!(
            exit_message(&Exit::TimedOut(Duration::from_secs(5))),
            "worker timed out after 5 s and was killed"
        );
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                exit_message(&Exit::Status(ExitStatus::from_raw(9))),
                "worker exited with signal 9 before writing a result"
            );
            assert_eq!(
                exit_message(&Exit::Status(ExitStatus::from_raw(1 << 8))),
                "worker exited with status 1 before writing a result"
            );
        }
    }
}
