//! The history store as the daemon's tasks share it (scans, notification planning and delivery,
//! the web server): one SQLite connection behind a mutex, always used off the async threads.
//! A module of its own so that notify and web get the store without the daemon's context.

use anyhow::{Context, Result};
use driftd_store::Store;
use std::sync::{Arc, Mutex};

/// A cheap, cloneable handle to the one open store.
#[derive(Clone)]
pub struct StoreHandle(Arc<Mutex<Store>>);

impl StoreHandle {
    pub fn new(store: Store) -> StoreHandle {
        StoreHandle(Arc::new(Mutex::new(store)))
    }

    /// Runs `f` on the store in a blocking task: SQLite calls (and waits for its lock) must not
    /// stall the async threads that deliver notifications and answer web requests.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> driftd_store::Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store
                .lock()
                .map_err(|_| anyhow::anyhow!("the store lock was poisoned by a panic"))?;
            f(&mut guard).map_err(anyhow::Error::from)
        })
        .await
        .context("store task failed")?
    }

    /// The store itself, for tests that read it between steps.
    #[cfg(test)]
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.0.lock().expect("store lock")
    }
}
