//! `Idempotency-Key`: a write retried with the same key happens once. The first successful
//! answer is kept per organisation and key, and a retry of the same request gets it again,
//! without being acted upon or charged; the same key on a different request, or while the
//! first is still being handled, is a 409.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;

/// How many answers are kept, all organisations together (the oldest are forgotten).
const MAX_KEPT: usize = 10_000;
/// Longer keys are refused rather than kept.
pub const MAX_KEY_LENGTH: usize = 255;

/// A kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
enum Entry {
    InProgress,
    Done(u64, Kept),
}

type Slot = (String, String);

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Slot, Entry>,
    order: VecDeque<Slot>,
}

/// The answers kept by key.
#[derive(Debug, Default, Clone)]
pub struct Keys {
    state: Arc<Mutex<State>>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Decision {
    /// Handle it, then [`Claim::keep`] its answer (dropping the claim forgets the key).
    Handle(Claim),
    /// Answer this again.
    Replay(Kept),
    /// 409: the key is in use by another request, or by this one still in progress.
    Conflict(&'static str),
}

/// The right to handle a request under a key.
#[derive(Debug)]
pub struct Claim {
    keys: Keys,
    slot: Option<Slot>,
    fingerprint: u64,
}

/// What identifies a request: its method, path, query and body.
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    (method, target, body).hash(&mut hasher);
    hasher.finish()
}

impl Keys {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Looks `key` up for `organization`'s request of `fingerprint`.
    pub fn decide(&self, organization: &str, key: &str, fingerprint: u64) -> Decision {
        let slot = (organization.to_owned(), key.to_owned());
        let mut state = self.lock();
        match state.entries.get(&slot) {
            Some(Entry::Done(kept_for, kept)) if *kept_for == fingerprint => {
                Decision::Replay(kept.clone())
            }
            Some(Entry::Done(..)) => {
                Decision::Conflict("this Idempotency-Key was used for a different request")
            }
            Some(Entry::InProgress) => {
                Decision::Conflict("a request with this Idempotency-Key is still in progress")
            }
            None => {
                state.entries.insert(slot.clone(), Entry::InProgress);
                state.order.push_back(slot.clone());
                while state.order.len() > MAX_KEPT {
                    if let Some(oldest) = state.order.pop_front() {
                        state.entries.remove(&oldest);
                    }
                }
                Decision::Handle(Claim {
                    keys: self.clone(),
                    slot: Some(slot),
                    fingerprint,
                })
            }
        }
    }
}

impl Claim {
    /// Keeps a successful answer for retries; any other answer frees the key.
    pub fn keep(mut self, kept: Kept) {
        let Some(slot) = self.slot.take() else {
            return;
        };
        let mut state = self.keys.lock();
        if !kept.status.is_success() {
            state.entries.remove(&slot);
        } else if state.entries.contains_key(&slot) {
            state
                .entries
                .insert(slot, Entry::Done(self.fingerprint, kept));
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Not kept (a failure, or the handler was cancelled): a retry may try again.
        if let Some(slot) = self.slot.take() {
            self.keys.lock().entries.remove(&slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: StatusCode) -> Kept {
        Kept {
            status,
            content_type: Some("application/json".into()),
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn a_key_replays_its_first_success_and_conflicts_otherwise() {
        let keys = Keys::default();
        let print = fingerprint("POST", "/projects", b"{}");
        let Decision::Handle(claim) = keys.decide("org", "k1", print) else {
            panic!("first use")
        };
        assert!(matches!(
            keys.decide("org", "k1", print),
            Decision::Conflict("a request with this Idempotency-Key is still in progress")
        ));
        // Another organisation's key of the same name is its own.
        assert!(matches!(
            keys.decide("other", "k1", print),
            Decision::Handle(_)
        ));
        claim.keep(answer(StatusCode::CREATED));
        assert!(matches!(
            keys.decide("org", "k1", print),
            Decision::Replay(kept) if kept == answer(StatusCode::CREATED)
        ));
        assert!(matches!(
            keys.decide("org", "k1", fingerprint("POST", "/projects", b"{\"a\":1}")),
            Decision::Conflict("this Idempotency-Key was used for a different request")
        ));
    }

    #[test]
    fn failures_and_cancellations_free_the_key() {
        let keys = Keys::default();
        let Decision::Handle(claim) = keys.decide("org", "k", 1) else {
            panic!("first use")
        };
        claim.keep(answer(StatusCode::BAD_REQUEST));
        let Decision::Handle(claim) = keys.decide("org", "k", 1) else {
            panic!("free again after a failure")
        };
        drop(claim);
        assert!(matches!(keys.decide("org", "k", 1), Decision::Handle(_)));
    }
}
