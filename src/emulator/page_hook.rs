//! A one-shot hook on the v2 list: after page N of a zone is computed, something changes the
//! store (as another team's writes would) and the answer is held for a while, so a client that
//! pages by offset meets the shifted pages it must survive.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::control::EmulatorControl;

/// What the hook does to the store.
pub type StoreChange = Arc<dyn Fn(&EmulatorControl) + Send + Sync>;

#[derive(Clone)]
pub struct PageHook {
    pub zone_id: String,
    /// The page (1-based) after which the hook fires.
    pub after_page: usize,
    /// How long the page's answer is held after the change.
    pub delay: Duration,
    pub change: StoreChange,
}

impl fmt::Debug for PageHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageHook")
            .field("zone_id", &self.zone_id)
            .field("after_page", &self.after_page)
            .field("delay", &self.delay)
            .finish_non_exhaustive()
    }
}

impl PageHook {
    pub fn fires_for(&self, zone_id: &str, page: usize) -> bool {
        self.zone_id == zone_id && self.after_page == page
    }
}
