//! Running the persistent job queue: scheduled broadcasts, push notifications, and whatever
//! later features queue.
//!
//! A feature implements [`JobHandler`] for each queue it owns; the root hands every handler to
//! one [`JobRunner`], which leases due jobs from storage, runs them, and completes or fails them
//! with the attempt number it leased, so a job whose lease expired (its node died, or it ran too
//! long) and was taken by another worker is never completed twice. A failed job runs again after
//! a growing delay, and after its last attempt stays dead-lettered for an operator.
//!
//! Any number of nodes may run a runner on one database: leases keep them from running a job
//! twice at once.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use ketnoi_core::Timestamp;
use ketnoi_store::{Job, JobState, Store};
use tokio::sync::Notify;

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError {
    /// Worth trying again later (a network error, a 5xx, a database hiccup), after the
    /// runner's own back-off.
    Retry(String),
    /// Worth trying again after this delay, which the handler chose (a webhook's schedule).
    RetryIn(String, Duration),
    /// Will never succeed (a malformed payload): dead-lettered at once.
    Fatal(String),
}

impl<E: std::fmt::Display> From<E> for JobError
where
    E: Into<anyhow::Error>,
{
    fn from(e: E) -> Self {
        Self::Retry(e.to_string())
    }
}

/// What runs the jobs of one queue.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The queue it serves.
    fn queue(&self) -> &'static str;
    /// Runs one job. It may run again after a crash, so it must be safe to repeat.
    async fn run(&self, job: &Job) -> Result<(), JobError>;
}

/// How long a leased job may run before another worker may take it.
const LEASE: Duration = Duration::from_secs(120);
/// How often an idle runner looks for due jobs (a job enqueued on this node wakes it at once).
const IDLE_POLL: Duration = Duration::from_millis(500);
/// The first retry's delay; each later one doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// What wakes this node's runner when a job is queued here, so a job due now starts at once
/// instead of at the next poll.
#[derive(Default)]
pub struct Jobs {
    wake: Notify,
}

impl Jobs {
    /// A handle nobody is waiting on yet.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Wakes the runner.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Leases and runs jobs for a set of handlers.
pub struct JobRunner {
    store: Arc<dyn Store>,
    jobs: Arc<Jobs>,
    handlers: Vec<Arc<dyn JobHandler>>,
}

impl JobRunner {
    /// A runner for these handlers, woken through `jobs`.
    pub fn new(
        store: Arc<dyn Store>,
        jobs: Arc<Jobs>,
        handlers: Vec<Arc<dyn JobHandler>>,
    ) -> Arc<Self> {
        Arc::new(Self { store, jobs, handlers })
    }

    /// Runs `workers` loops of [`JobRunner::run`] side by side, each leasing its own jobs, so
    /// that a slow job does not hold up the others of its queues; ends when the task is
    /// dropped (aborting it ends the loops).
    pub async fn run_workers(self: Arc<Self>, workers: usize) {
        let mut loops = tokio::task::JoinSet::new();
        for _ in 0..workers.max(1) {
            loops.spawn(self.clone().run());
        }
        while loops.join_next().await.is_some() {}
    }

    /// Runs jobs until the task is dropped: every queue in turn, as long as any has due work,
    /// then waits for a wake-up or the next poll.
    pub async fn run(self: Arc<Self>) {
        loop {
            let mut worked = false;
            for handler in &self.handlers {
                worked |= self.run_one(handler.as_ref()).await;
            }
            if !worked {
                let _ = tokio::time::timeout(IDLE_POLL, self.jobs.wake.notified()).await;
            }
        }
    }

    /// Runs the next due job of one queue, if there is one.
    pub async fn run_one(&self, handler: &dyn JobHandler) -> bool {
        let now = Timestamp::now();
        let job = match self.store.lease(handler.queue(), now, LEASE.as_millis() as i64).await {
            Ok(Some(job)) => job,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(error = ?e, queue = handler.queue(), "could not lease a job");
                return false;
            }
        };
        let outcome = handler.run(&job).await;
        let finished = match outcome {
            Ok(()) => self.store.complete(job.id, job.attempt).await.map(|_| ()),
            Err(e @ (JobError::Retry(_) | JobError::RetryIn(..))) => {
                let (why, delay) = match e {
                    JobError::RetryIn(why, delay) => (why, delay),
                    JobError::Retry(why) | JobError::Fatal(why) => (why, backoff(job.attempt)),
                };
                let retry_at = Timestamp::now().plus_millis(delay.as_millis() as i64);
                match self.store.fail(job.id, job.attempt, &why, retry_at, Timestamp::now()).await {
                    Ok(Some(JobState::Dead)) => {
                        tracing::warn!(queue = handler.queue(), job = job.id.0, error = %why, "job dead-lettered");
                        Ok(())
                    }
                    Ok(_) => {
                        tracing::info!(queue = handler.queue(), job = job.id.0, attempt = job.attempt, error = %why, "job will be retried");
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Err(JobError::Fatal(why)) => {
                tracing::warn!(queue = handler.queue(), job = job.id.0, error = %why, "job failed for good");
                // Fail every remaining attempt at once: the job is dead-lettered now.
                let mut result = Ok(());
                let mut attempt = job.attempt;
                loop {
                    match self
                        .store
                        .fail(job.id, attempt, &why, Timestamp::now(), Timestamp::now())
                        .await
                    {
                        Ok(Some(JobState::Ready)) => {}
                        Ok(_) => break,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                    match self.store.lease(handler.queue(), Timestamp::now(), 1000).await {
                        Ok(Some(next)) if next.id == job.id => attempt = next.attempt,
                        Ok(Some(other)) => {
                            // Another due job came first; put it back for its own turn.
                            let _ = self
                                .store
                                .fail(
                                    other.id,
                                    other.attempt,
                                    "released",
                                    Timestamp::now(),
                                    Timestamp::now(),
                                )
                                .await;
                            break;
                        }
                        _ => break,
                    }
                }
                result
            }
        };
        if let Err(e) = finished {
            tracing::warn!(error = ?e, queue = handler.queue(), "could not record a job's outcome");
        }
        true
    }
}

/// The delay before attempt `attempt + 1`.
fn backoff(attempt: i64) -> Duration {
    let factor = 1u32 << attempt.clamp(1, 16).saturating_sub(1) as u32;
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_are_capped() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
