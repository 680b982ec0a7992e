//! A small pool of RSA-2048 key pairs made ahead of time, so that `generateKey` answers at
//! once instead of spending 0.1–1.5 s of CPU per request.
//!
//! One background thread keeps the pool full: it makes a key pair whenever the pool holds
//! fewer than its capacity and sleeps otherwise. A request takes a pair if there is one;
//! when the pool is drained (a burst of requests, or a pool of size 0), the request makes
//! its own pair, as before, so a request is slowed down but never fails. Each pair is
//! handed out once. The thread starts with [`KeyPool::start`] (`exemplar serve` fills the
//! pool at start-up) or on the first request that needs a key pair (the mock embedded in a
//! test run, which may never need one), and stops when the pool is dropped.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use super::keygen::{self, RsaMembers};

/// Key pairs made ahead of time; see the module documentation.
pub struct KeyPool {
    shared: Arc<Shared>,
}

struct Shared {
    capacity: usize,
    keys: Mutex<VecDeque<RsaMembers>>,
    /// Wakes the filler when a pair is taken or the pool is dropped.
    wake: Condvar,
    stop: AtomicBool,
    started: AtomicBool,
    /// Whether a request is waiting for the filler's next pair.
    waiting: AtomicBool,
    /// How many pairs requests have taken from the pool.
    handed_out: AtomicUsize,
    /// How many pairs are ready, for whoever waits for the pool to fill.
    ready: watch::Sender<usize>,
}

impl fmt::Debug for KeyPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPool")
            .field("capacity", &self.shared.capacity)
            .field("ready", &self.len())
            .finish()
    }
}

impl Shared {
    fn keys(&self) -> MutexGuard<'_, VecDeque<RsaMembers>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl KeyPool {
    /// A pool holding up to `capacity` pairs; nothing is made until [`start`](Self::start)
    /// or the first [`take`](Self::take).
    pub fn new(capacity: usize) -> Self {
        let (ready, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            capacity,
            keys: Mutex::new(VecDeque::with_capacity(capacity)),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            started: AtomicBool::new(false),
            waiting: AtomicBool::new(false),
            handed_out: AtomicUsize::new(0),
            ready,
        });
        Self { shared }
    }

    /// Starts filling the pool in the background, once; later calls do nothing. A pool of
    /// capacity 0, or one whose thread cannot be started, stays empty, and every request
    /// makes its own pair.
    pub fn start(&self) {
        if self.shared.capacity == 0 || self.shared.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let shared = self.shared.clone();
        // Without the thread the pool only stays empty; requests still get their keys.
        let _ = std::thread::Builder::new()
            .name("exemplar-rsa-pool".into())
            .spawn(move || fill(&shared));
    }

    /// A key pair from the pool at once, or `None` when it is empty.
    pub fn try_take(&self) -> Option<RsaMembers> {
        let mut keys = self.shared.keys();
        let key = keys.pop_front();
        self.shared.ready.send_replace(keys.len());
        drop(keys);
        if key.is_some() {
            self.shared.handed_out.fetch_add(1, Ordering::SeqCst);
        }
        self.shared.wake.notify_one();
        key
    }

    /// How many pairs have been taken from the pool so far (pairs made on request are not
    /// counted).
    pub fn handed_out(&self) -> usize {
        self.shared.handed_out.load(Ordering::SeqCst)
    }

    /// A key pair from the pool; when it is empty, the first caller to ask waits for the
    /// pair being made, and `None` tells the others to make their own.
    pub async fn take(&self) -> Option<RsaMembers> {
        self.start();
        if let Some(key) = self.try_take() {
            return Some(key);
        }
        if !self.running() || self.shared.waiting.swap(true, Ordering::SeqCst) {
            return None;
        }
        let mut ready = self.shared.ready.subscribe();
        let _ = ready.wait_for(|n| *n > 0).await;
        self.shared.waiting.store(false, Ordering::SeqCst);
        // Another request may have been quicker; then this one makes its own.
        self.try_take()
    }

    /// Whether the filler thread is (still) at work.
    fn running(&self) -> bool {
        self.shared.capacity > 0
            && self.shared.started.load(Ordering::SeqCst)
            && !self.shared.stop.load(Ordering::SeqCst)
    }

    /// How many pairs are ready now.
    pub fn len(&self) -> usize {
        self.shared.keys().len()
    }

    /// Whether no pair is ready.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most pairs the pool holds.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Completes once the pool holds `capacity` pairs (at once for capacity 0). Starts the
    /// filler if it is not running.
    pub async fn filled(&self) {
        self.start();
        let mut ready = self.shared.ready.subscribe();
        let capacity = self.shared.capacity;
        // The sender lives as long as the pool, so waiting cannot fail while `self` does.
        let _ = ready.wait_for(|n| *n >= capacity).await;
    }
}

impl Drop for KeyPool {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_all();
    }
}

/// The filler thread: makes pairs while the pool has room, sleeps while it is full.
fn fill(shared: &Shared) {
    loop {
        {
            let mut keys = shared.keys();
            while keys.len() >= shared.capacity && !shared.stop.load(Ordering::SeqCst) {
                keys = shared.wake.wait(keys).unwrap_or_else(PoisonError::into_inner);
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        // The lock is not held while the pair is made, so requests can take pairs.
        // A failure here would repeat; requests then make their own pairs.
        let Ok(key) = keygen::rsa_key() else {
            shared.stop.store(true, Ordering::SeqCst);
            shared.ready.send_replace(usize::MAX);
            return;
        };
        let mut keys = shared.keys();
        if keys.len() < shared.capacity {
            keys.push_back(key);
        }
        shared.ready.send_replace(keys.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pool_fills_hands_out_distinct_pairs_and_refills() {
        let pool = KeyPool::new(2);
        assert!(pool.is_empty(), "nothing is made before it starts");
        pool.filled().await;
        assert_eq!(pool.len(), 2);
        let first = pool.take().await.expect("a pair");
        let second = pool.take().await.expect("another pair");
        assert_ne!(first.n, second.n);
        pool.filled().await;
        let third = pool.take().await.expect("a refilled pair");
        assert!(third.n != first.n && third.n != second.n);
    }

    #[tokio::test]
    async fn on_an_empty_pool_one_request_waits_for_the_pair_under_way() {
        let pool = KeyPool::new(1);
        // The first take starts the filler and waits for its pair.
        let first = pool.take().await.expect("the pair under way");
        assert_eq!(b64_len(&first.n), 256);
        assert_eq!(pool.handed_out(), 1);
    }

    #[tokio::test]
    async fn while_one_request_waits_the_others_make_their_own() {
        let pool = KeyPool::new(1);
        // A filler that counts as running but makes nothing, and a request already waiting.
        pool.shared.started.store(true, Ordering::SeqCst);
        pool.shared.waiting.store(true, Ordering::SeqCst);
        assert!(pool.take().await.is_none());
        assert_eq!(pool.handed_out(), 0);
    }

    fn b64_len(n: &str) -> usize {
        crate::mock::b64::decode_url(n).map_or(0, |bytes| bytes.len())
    }

    #[tokio::test]
    async fn an_empty_pool_says_so_and_capacity_zero_never_fills() {
        let pool = KeyPool::new(0);
        pool.filled().await;
        assert!(pool.take().await.is_none());
        assert_eq!(pool.capacity(), 0);
    }
}
