//! Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), run off the
//! async threads because each hash takes tens of milliseconds on purpose.

use crate::error::AppError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is m=19456 KiB, t=2, p=1: OWASP's recommendation.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Who a hash is for. An import's passwords, by the thousand, have a
/// capacity of their own, so that no sign-in (of any tenant) ever queues
/// behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// Sign-ins, password checks and single passwords: a person waits.
    People,
    /// The passwords of a batch.
    Batches,
}

/// Each hash holds 19 MiB for its time: a few at once per core keep every
/// core busy, and requests sent by the thousand wait here instead of each
/// taking its memory.
fn semaphore(capacity: Capacity) -> &'static Arc<Semaphore> {
    static PEOPLE: OnceLock<Arc<Semaphore>> = OnceLock::new();
    static BATCHES: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    match capacity {
        Capacity::People => PEOPLE.get_or_init(|| Arc::new(Semaphore::new(2 * cores))),
        Capacity::Batches => BATCHES.get_or_init(|| Arc::new(Semaphore::new(cores))),
    }
}

/// The permit goes into the blocking task, so that a request dropped
/// meanwhile does not free it while its hash still runs.
async fn permit(capacity: Capacity) -> OwnedSemaphorePermit {
    // Never closed, so acquiring cannot fail.
    semaphore(capacity).clone().acquire_owned().await.expect("the hashing semaphores are never closed")
}

/// A new password's hash, for a person waiting for it.
pub async fn hash(password: String) -> Result<String, AppError> {
    hash_for(Capacity::People, password).await
}

/// How many passwords of batches this process has hashed: what imports
/// cost in Argon2, for the logs and the tests.
pub fn batch_hashes() -> u64 {
    BATCH_HASHES.load(std::sync::atomic::Ordering::Relaxed)
}

static BATCH_HASHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A new password's hash, out of `capacity`.
pub async fn hash_for(capacity: Capacity, password: String) -> Result<String, AppError> {
    let permit = permit(capacity).await;
    if capacity == Capacity::Batches {
        BATCH_HASHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|error| {
        tracing::error!(%error, "password hashing failed");
        AppError::Internal
    })
}

/// Checks a password against a stored hash. With no hash (an unknown
/// account), a dummy one is checked so that the answer takes as long.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    let permit = permit(Capacity::People).await;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let stored = hash.unwrap_or_else(|| dummy_hash().to_string());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        matches && stored != dummy_hash()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"no account has this password", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse 1".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse 1".into(), Some(stored.clone())).await);
        assert!(!verify("correct horse 2".into(), Some(stored)).await);
    }

    #[tokio::test]
    async fn a_batch_that_takes_every_permit_of_its_own_leaves_sign_ins_theirs() {
        let batches = semaphore(Capacity::Batches);
        let taken = batches.clone().acquire_many_owned(batches.available_permits() as u32).await.unwrap();
        assert_eq!(batches.available_permits(), 0);
        assert!(semaphore(Capacity::People).available_permits() > 0, "a sign-in does not wait for the batch");
        assert!(!verify("anything".into(), None).await, "and runs while the batch holds every permit");
        drop(taken);
    }

    #[tokio::test]
    async fn no_password_matches_a_missing_or_broken_hash() {
        assert!(!verify("anything".into(), None).await);
        assert!(!verify("anything".into(), Some("not a hash".into())).await);
    }
}
