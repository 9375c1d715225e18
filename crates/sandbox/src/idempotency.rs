//! `Idempotency-Key`: a write retried with the same key happens once. The first successful
//! answer is kept per organisation and key, and a retry of the same request gets it again,
//! without being acted upon or charged; the same key on a different request, or while the
//! first is still being handled, is a 409.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;

/// How many keys each organisation has at most (its oldest are forgotten first): one
/// organisation's keys never push out another's.
const MAX_KEPT_PER_ORGANISATION: usize = 2_000;
/// How many bytes of kept answers each organisation has at most.
const MAX_BYTES_PER_ORGANISATION: usize = 32 << 20;
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

impl Entry {
    fn bytes(&self) -> usize {
        match self {
            Entry::InProgress => 0,
            Entry::Done(_, kept) => kept.body.len(),
        }
    }
}

/// One organisation's keys, oldest first.
#[derive(Debug, Default)]
struct Organisation {
    /// Each key's entry, with the sequence number it was made under.
    entries: HashMap<String, (u64, Entry)>,
    /// The keys by sequence number.
    order: BTreeMap<u64, String>,
    /// The bytes of the kept answers.
    bytes: usize,
}

impl Organisation {
    fn insert(&mut self, key: String, sequence: u64, entry: Entry) {
        self.remove(&key);
        self.bytes += entry.bytes();
        self.order.insert(sequence, key.clone());
        self.entries.insert(key, (sequence, entry));
    }

    fn remove(&mut self, key: &str) {
        if let Some((sequence, entry)) = self.entries.remove(key) {
            self.order.remove(&sequence);
            self.bytes -= entry.bytes();
        }
    }

    /// Forgets the oldest keys, but not `keep`, until within the limits: kept answers first,
    /// and requests still in progress only when no answer is left to forget (forgetting one
    /// lets a retry of it act again).
    fn evict(&mut self, keep: Option<&str>) {
        while self.entries.len() > MAX_KEPT_PER_ORGANISATION
            || self.bytes > MAX_BYTES_PER_ORGANISATION
        {
            let evictable = |key: &&String| Some(key.as_str()) != keep;
            let done = |key: &&String| {
                matches!(self.entries.get(key.as_str()), Some((_, Entry::Done(..))))
            };
            let oldest = self
                .order
                .values()
                .filter(evictable)
                .find(done)
                .or_else(|| self.order.values().find(evictable))
                .cloned();
            match oldest {
                Some(key) => self.remove(&key),
                None => break,
            }
        }
    }
}

#[derive(Debug, Default)]
struct State {
    organisations: HashMap<String, Organisation>,
    next_sequence: u64,
}

/// The answers kept by organisation and key.
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
    /// Organisation, key and the sequence number of the claim (a key forgotten and claimed
    /// again is another claim).
    slot: Option<(String, String, u64)>,
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
        let mut state = self.lock();
        let sequence = state.next_sequence;
        let keys = state
            .organisations
            .entry(organization.to_owned())
            .or_default();
        match keys.entries.get(key) {
            Some((_, Entry::Done(kept_for, kept))) if *kept_for == fingerprint => {
                Decision::Replay(kept.clone())
            }
            Some((_, Entry::Done(..))) => {
                Decision::Conflict("this Idempotency-Key was used for a different request")
            }
            Some((_, Entry::InProgress)) => {
                Decision::Conflict("a request with this Idempotency-Key is still in progress")
            }
            None => {
                keys.insert(key.to_owned(), sequence, Entry::InProgress);
                keys.evict(Some(key));
                state.next_sequence += 1;
                Decision::Handle(Claim {
                    keys: self.clone(),
                    slot: Some((organization.to_owned(), key.to_owned(), sequence)),
                    fingerprint,
                })
            }
        }
    }

    /// How many keys and bytes `organization` has kept (for tests).
    #[cfg(test)]
    fn usage(&self, organization: &str) -> (usize, usize) {
        let state = self.lock();
        state
            .organisations
            .get(organization)
            .map(|keys| (keys.entries.len(), keys.bytes))
            .unwrap_or_default()
    }
}

impl Claim {
    /// Keeps a successful answer for retries; any other answer frees the key.
    pub fn keep(mut self, kept: Kept) {
        let Some((organization, key, sequence)) = self.slot.take() else {
            return;
        };
        let mut state = self.keys.lock();
        let Some(keys) = state.organisations.get_mut(&organization) else {
            return;
        };
        // Forgotten meanwhile (pushed out by newer keys), or another claim's now: not ours.
        if !matches!(keys.entries.get(&key), Some((claimed, _)) if *claimed == sequence) {
            return;
        }
        if kept.status.is_success() && kept.body.len() <= MAX_BYTES_PER_ORGANISATION {
            keys.insert(key.clone(), sequence, Entry::Done(self.fingerprint, kept));
            keys.evict(Some(&key));
        } else {
            keys.remove(&key);
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Not kept (a failure, or the handler was cancelled): a retry may try again.
        if let Some((organization, key, sequence)) = self.slot.take() {
            let mut state = self.keys.lock();
            if let Some(keys) = state.organisations.get_mut(&organization)
                && matches!(keys.entries.get(&key), Some((claimed, _)) if *claimed == sequence)
            {
                keys.remove(&key);
            }
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

    fn kept(keys: &Keys, organization: &str, key: &str, body: Vec<u8>) {
        let Decision::Handle(claim) = keys.decide(organization, key, 7) else {
            panic!("{key} is new")
        };
        claim.keep(Kept {
            status: StatusCode::CREATED,
            content_type: None,
            body,
        });
    }

    fn replays(keys: &Keys, organization: &str, key: &str) -> bool {
        matches!(keys.decide(organization, key, 7), Decision::Replay(_))
    }

    #[test]
    fn one_organisation_cannot_push_out_anothers_keys() {
        let keys = Keys::default();
        kept(&keys, "quiet", "mine", b"{}".to_vec());
        for index in 0..MAX_KEPT_PER_ORGANISATION + 500 {
            kept(&keys, "noisy", &format!("k{index}"), b"{}".to_vec());
        }
        assert!(replays(&keys, "quiet", "mine"));
        assert_eq!(keys.usage("noisy").0, MAX_KEPT_PER_ORGANISATION);
        // The oldest went first.
        assert!(!replays(&keys, "noisy", "k0"));
        assert!(replays(
            &keys,
            "noisy",
            &format!("k{}", MAX_KEPT_PER_ORGANISATION + 499)
        ));
    }

    #[test]
    fn freed_keys_do_not_push_out_live_ones_early() {
        let keys = Keys::default();
        kept(&keys, "org", "live", b"{}".to_vec());
        // The same key claimed and freed many times over takes no room.
        for _ in 0..3 * MAX_KEPT_PER_ORGANISATION {
            let Decision::Handle(claim) = keys.decide("org", "flaky", 1) else {
                panic!("free")
            };
            drop(claim);
        }
        for index in 0..MAX_KEPT_PER_ORGANISATION - 1 {
            kept(&keys, "org", &format!("k{index}"), b"{}".to_vec());
        }
        assert!(replays(&keys, "org", "live"));
        assert_eq!(keys.usage("org").0, MAX_KEPT_PER_ORGANISATION);
    }

    #[test]
    fn kept_answers_are_bounded_in_bytes() {
        let keys = Keys::default();
        let answer = 5 << 20;
        for index in 0..20 {
            kept(&keys, "org", &format!("k{index}"), vec![b'x'; answer]);
        }
        let (count, bytes) = keys.usage("org");
        assert!(bytes <= MAX_BYTES_PER_ORGANISATION, "{bytes}");
        assert_eq!(count, MAX_BYTES_PER_ORGANISATION / answer);
        assert!(replays(&keys, "org", "k19"));
        assert!(!replays(&keys, "org", "k0"));
        // An answer bigger than the whole allowance is not kept: a retry acts again.
        kept(
            &keys,
            "org",
            "huge",
            vec![b'x'; MAX_BYTES_PER_ORGANISATION + 1],
        );
        assert!(!replays(&keys, "org", "huge"));
    }

    #[test]
    fn requests_in_progress_are_forgotten_after_kept_answers() {
        let keys = Keys::default();
        let Decision::Handle(slow) = keys.decide("org", "slow", 7) else {
            panic!("new")
        };
        for index in 0..MAX_KEPT_PER_ORGANISATION + 10 {
            kept(&keys, "org", &format!("k{index}"), b"{}".to_vec());
        }
        // The oldest key is still in progress: a retry of it is a conflict, not a second run.
        assert!(matches!(
            keys.decide("org", "slow", 7),
            Decision::Conflict(_)
        ));
        slow.keep(answer(StatusCode::CREATED));
        assert!(replays(&keys, "org", "slow"));
    }

    #[test]
    fn a_claim_pushed_out_while_in_progress_keeps_nothing() {
        let keys = Keys::default();
        let mut claims = Vec::new();
        for index in 0..MAX_KEPT_PER_ORGANISATION {
            let Decision::Handle(claim) = keys.decide("org", &format!("slow{index}"), 7) else {
                panic!("new")
            };
            claims.push(claim);
        }
        // Every key is in progress: a new one pushes out the oldest of them.
        kept(&keys, "org", "new", b"{}".to_vec());
        let slow = claims.remove(0);
        slow.keep(answer(StatusCode::CREATED));
        assert_eq!(keys.usage("org").0, MAX_KEPT_PER_ORGANISATION);
        assert!(!replays(&keys, "org", "slow0"));
    }
}
