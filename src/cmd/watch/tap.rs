//! The watcher's tap: a file closed after a write goes to the watch loop at once, beside
//! the debounced batches.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::DebounceEventResult;

/// What reaches the watch loop: a debounced batch of events, or a file a writer has just
/// closed ([`Tapped`]).
pub(super) enum Message {
    Batch(DebounceEventResult),
    Closed(PathBuf),
}

thread_local! {
    /// The sender [`Tapped::new`] takes: set just before the debouncer makes its watcher on
    /// this thread, and cleared right after.
    pub(super) static TAP: RefCell<Option<mpsc::Sender<Message>>> = const { RefCell::new(None) };
}

/// The debouncer's watcher with a tap. Every event goes on to the debouncer as before; a
/// file closed after writing (inotify's `IN_CLOSE_WRITE`) is also sent to the watch loop at
/// once, because a write that ends with a close is whole and needs no debounce. Renames,
/// new files, removals and attribute changes still wait out [`super::DEBOUNCE`].
pub(super) struct Tapped {
    inner: notify::RecommendedWatcher,
}

impl notify::Watcher for Tapped {
    fn new<F: notify::EventHandler>(mut handler: F, config: notify::Config) -> notify::Result<Self> {
        let tap = TAP.with(|t| t.borrow_mut().take());
        let inner = notify::RecommendedWatcher::new(
            move |event: notify::Result<notify::Event>| {
                if let (Some(tap), Ok(e)) = (&tap, &event)
                    && e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write))
                {
                    for path in &e.paths {
                        let _ = tap.send(Message::Closed(path.clone()));
                    }
                }
                handler.handle_event(event);
            },
            config,
        )?;
        Ok(Tapped { inner })
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.inner.watch(path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.inner.unwatch(path)
    }

    fn configure(&mut self, option: notify::Config) -> notify::Result<bool> {
        self.inner.configure(option)
    }

    fn kind() -> notify::WatcherKind {
        notify::RecommendedWatcher::kind()
    }
}
