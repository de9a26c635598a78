//! The per-token submission rate limit (`QUOTA_SUBMITS_PER_MINUTE`): a token
//! bucket per token name, holding up to a minute's worth of submissions and
//! refilled continuously (kept as the generic cell rate algorithm's
//! "theoretical arrival time", in exact durations rather than fractional
//! tokens). It lives in the web's memory, so each replica
//! limits on its own; the active-run quota and the queue cap, which must
//! hold across replicas, are counted in the database
//! ([`crate::db::runs::admit_queued`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Submissions per token and minute (managed state).
#[derive(Debug)]
pub struct SubmitLimiter {
    per_minute: u32,
    /// Per token: when its bucket would be full again.
    buckets: Mutex<HashMap<String, Instant>>,
}

impl SubmitLimiter {
    /// At most `per_minute` submissions a minute (at least 1), in bursts
    /// of up to as many.
    #[must_use]
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The configured rate.
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one submission of `owner` now.
    ///
    /// # Errors
    /// The seconds to wait (at least 1) when the bucket is empty.
    pub fn check(&self, owner: &str) -> Result<(), u64> {
        self.check_at(owner, Instant::now())
    }

    fn check_at(&self, owner: &str, now: Instant) -> Result<(), u64> {
        let interval = Duration::from_secs(60) / self.per_minute;
        // A full bucket lets `per_minute` through at once: the arrival time
        // may run this far ahead of now.
        let burst = Duration::from_secs(60) - interval;
        // A poisoned lock only means another request panicked mid-update;
        // the times are still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tat = buckets.entry(owner.to_owned()).or_insert(now);
        let start = (*tat).max(now);
        let ahead = start - now;
        if ahead <= burst {
            *tat = start + interval;
            Ok(())
        } else {
            let wait = ahead - burst;
            // Whole seconds, rounded up: Retry-After takes an integer.
            Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_one_minute_then_one_per_refill_interval() {
        let limiter = SubmitLimiter::new(6); // one every 10 s
        let t0 = Instant::now();
        for _ in 0..6 {
            assert_eq!(limiter.check_at("alice", t0), Ok(()));
        }
        assert_eq!(limiter.check_at("alice", t0), Err(10));
        // Another token has its own bucket.
        assert_eq!(limiter.check_at("bob", t0), Ok(()));
        // 4 s later, 6 s are still missing for the next submission.
        assert_eq!(
            limiter.check_at("alice", t0 + Duration::from_secs(4)),
            Err(6)
        );
        assert_eq!(
            limiter.check_at("alice", t0 + Duration::from_secs(10)),
            Ok(())
        );
        assert_eq!(
            limiter.check_at("alice", t0 + Duration::from_secs(10)),
            Err(10)
        );
        // A long pause refills at most a minute's worth.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..6 {
            assert_eq!(limiter.check_at("alice", later), Ok(()));
        }
        assert!(limiter.check_at("alice", later).is_err());
    }
}
