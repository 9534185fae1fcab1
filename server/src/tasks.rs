//! Background tasks that run inside the server process, and the supervisor that owns them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use warmline::store::{sessions, Db};

/// How long a supervised task that ended or panicked waits before it is started again.
pub const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Aborts the task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Every background task of a server, each started by [`Supervisor::spawn`]. A task that
/// panics or returns is logged and started again after [`RESTART_AFTER`], never lost silently.
/// [`Supervisor::stop`] ends them all (at shutdown).
#[derive(Default)]
pub struct Supervisor {
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Supervisor {
    pub fn new() -> Supervisor {
        Supervisor::default()
    }

    /// Runs the task `make` builds, and builds and runs it again whenever it ends.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, make: F) -> &mut Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.spawn_with_pause(name, RESTART_AFTER, make)
    }

    /// [`Supervisor::spawn`] with its own pause before a restart.
    pub fn spawn_with_pause<F, Fut>(&mut self, name: &'static str, pause: Duration, make: F) -> &mut Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let make = Arc::new(make);
        let handle = tokio::spawn(async move {
            loop {
                // Aborted with the supervisor's task: stopping the supervisor stops the work.
                let mut run = AbortOnDrop(tokio::spawn((make)()));
                match (&mut run.0).await {
                    Ok(()) => tracing::warn!(task = name, "background task ended; starting it again"),
                    Err(e) if e.is_panic() => tracing::error!(task = name, "background task panicked; starting it again"),
                    Err(_) => return,
                }
                tokio::time::sleep(pause).await;
            }
        });
        self.tasks.push((name, handle));
        self
    }

    /// The names of the tasks it runs.
    pub fn names(&self) -> Vec<&'static str> {
        self.tasks.iter().map(|(n, _)| *n).collect()
    }

    /// Stops every task (a task in the middle of a send leaves its claim to run out).
    pub fn stop(self) {
        for (_, t) in self.tasks {
            t.abort();
        }
    }
}

/// Removes expired sessions once an hour.
pub async fn purge_sessions(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match sessions::purge_expired(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

/// Folds the contact count's recorded changes (PostgreSQL) into one row once a minute, so
/// reading the count stays a sum of a few rows.
pub async fn compact_counts(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match warmline::store::contacts::compact_count(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(folded = n, "contact count compacted"),
            Err(e) => tracing::warn!(error = %e, "could not compact the contact count"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_task_that_panics_or_ends_is_started_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut sup = Supervisor::new();
        let r = runs.clone();
        sup.spawn_with_pause("flaky", Duration::from_millis(1), move || {
            let r = r.clone();
            async move {
                match r.fetch_add(1, Ordering::SeqCst) {
                    0 => panic!("first run fails"),
                    1 => {}
                    _ => std::future::pending::<()>().await,
                }
            }
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while runs.load(Ordering::SeqCst) < 3 {
            assert!(tokio::time::Instant::now() < deadline, "the task was not started again");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(sup.names(), ["flaky"]);
        sup.stop();
        let after = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(runs.load(Ordering::SeqCst), after, "a stopped supervisor starts nothing");
    }

    #[tokio::test]
    async fn stopping_stops_the_running_work_too() {
        let ticks = Arc::new(AtomicUsize::new(0));
        let mut sup = Supervisor::new();
        let t = ticks.clone();
        sup.spawn("ticker", move || {
            let t = t.clone();
            async move {
                loop {
                    t.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        });
        while ticks.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        sup.stop();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let after = ticks.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(ticks.load(Ordering::SeqCst), after, "the task kept running after stop");
    }
}
