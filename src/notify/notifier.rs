//! The notification side of a running driftd: the settings in force ([`NotifyRuntime`], swapped
//! whole on reload) and the [`Notifier`] every stage shares. It holds only what notification
//! needs (the clock, the store, the settings, a wake-up), so nothing here knows the daemon; the
//! stages themselves run in [`super::pipeline`].

use super::channel::Channel;
use super::config::{ChannelConfig, NotifyConfig, RouteConfig};
use crate::secret::Secret;
use crate::store::StoreHandle;
use crate::time::Clock;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The notification settings in force.
pub struct NotifyRuntime {
    pub routes: Vec<RouteConfig>,
    pub defaults: NotifyConfig,
    pub channels: HashMap<String, Arc<dyn Channel>>,
    /// Every configured target with its labels (routes and silences match them).
    pub targets: Vec<(String, BTreeMap<String, String>)>,
    /// `[notify.heartbeat]`, its URL loaded.
    pub heartbeat: Option<(Secret, Duration)>,
}

impl NotifyRuntime {
    /// Routes and policies, with the channels built (secrets loaded) only when this process
    /// delivers: `driftd scan` queues notifications and leaves delivery to the daemon. Errors
    /// name the key, never a secret's value.
    pub fn new(
        routes: &[RouteConfig],
        defaults: &NotifyConfig,
        channels: &[ChannelConfig],
        targets: Vec<(String, BTreeMap<String, String>)>,
        deliver: bool,
    ) -> Result<NotifyRuntime, String> {
        let (channels, heartbeat) = if deliver {
            let heartbeat = match &defaults.heartbeat {
                Some(h) => Some((
                    h.url
                        .load()
                        .map_err(|e| format!("notify.heartbeat.url: {e}"))?,
                    Duration::from_secs(h.interval_secs),
                )),
                None => None,
            };
            (super::build_channels(channels)?, heartbeat)
        } else {
            (HashMap::new(), None)
        };
        Ok(NotifyRuntime {
            routes: routes.to_vec(),
            defaults: defaults.clone(),
            channels,
            targets,
            heartbeat,
        })
    }

    pub(super) fn labels(&self, target: &str) -> BTreeMap<String, String> {
        self.targets
            .iter()
            .find(|(n, _)| n == target)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// What planning and delivery share across tasks.
pub struct Notifier {
    pub clock: Arc<dyn Clock>,
    pub store: StoreHandle,
    /// Swapped whole on reload; readers take the `Arc` and keep a consistent view.
    settings: RwLock<Arc<NotifyRuntime>>,
    /// Wakes the delivery task when something was enqueued.
    pub(super) ready: tokio::sync::Notify,
}

impl Notifier {
    pub fn new(clock: Arc<dyn Clock>, store: StoreHandle, settings: NotifyRuntime) -> Notifier {
        Notifier {
            clock,
            store,
            settings: RwLock::new(Arc::new(settings)),
            ready: tokio::sync::Notify::new(),
        }
    }

    pub fn runtime(&self) -> Arc<NotifyRuntime> {
        match self.settings.read() {
            Ok(n) => n.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts new settings in force (SIGHUP); deliveries under way finish with the old ones.
    pub fn reload(&self, settings: NotifyRuntime) {
        match self.settings.write() {
            Ok(mut n) => *n = Arc::new(settings),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(settings),
        }
    }

    /// Tells the delivery task that the outbox has something new.
    pub fn wake(&self) {
        self.ready.notify_one();
    }
}
