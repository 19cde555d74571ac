//! How repeated failed sign-ins are slowed down and then locked out. Pure
//! arithmetic over a [`Record`], so it is tested without a clock or database.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Policy {
    /// Failures allowed before each attempt is delayed.
    pub free_attempts: u32,
    /// Added delay for each failure beyond the free ones.
    pub step: Duration,
    pub max_delay: Duration,
    /// Failures for one account that lock it.
    pub account_limit: u32,
    /// Failures from one network address that lock it.
    pub address_limit: u32,
    pub lock_for: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            free_attempts: 2,
            step: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
            account_limit: 5,
            address_limit: 30,
            lock_for: Duration::from_secs(15 * 60),
            window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    pub failures: u32,
    pub last_failure_at: i64,
    pub locked_until: i64,
}

impl Policy {
    /// Whole minutes left on a lock, if the record is locked now.
    pub fn locked_minutes(&self, record: &Record, now: i64) -> Option<u64> {
        (record.locked_until > now).then(|| ((record.locked_until - now) as u64).div_ceil(60))
    }

    /// How long to wait before checking the next password.
    pub fn delay(&self, record: &Record, now: i64) -> Duration {
        let failures = self.current(record, now).failures;
        match failures.checked_sub(self.free_attempts) {
            Some(extra) => (self.step * (extra + 1)).min(self.max_delay),
            None => Duration::ZERO,
        }
    }

    /// The record after one more failure; at `limit` failures it locks, and counting starts over.
    pub fn after_failure(&self, record: &Record, now: i64, limit: u32) -> Record {
        let mut next = self.current(record, now);
        next.failures += 1;
        next.last_failure_at = now;
        if next.failures >= limit {
            next.failures = 0;
            next.locked_until = now + self.lock_for.as_secs() as i64;
        }
        next
    }

    fn current(&self, record: &Record, now: i64) -> Record {
        if now - record.last_failure_at > self.window.as_secs() as i64 {
            Record { locked_until: record.locked_until, ..Record::default() }
        } else {
            *record
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(policy: &Policy, times: u32, now: i64) -> Record {
        (0..times).fold(Record::default(), |r, _| policy.after_failure(&r, now, policy.account_limit))
    }

    #[test]
    fn first_failures_are_free_then_each_costs_more_up_to_a_cap() {
        let policy = Policy::default();
        assert_eq!(policy.delay(&fail(&policy, 1, 100), 100), Duration::ZERO);
        assert_eq!(policy.delay(&fail(&policy, 2, 100), 100), Duration::from_millis(500));
        assert_eq!(policy.delay(&fail(&policy, 3, 100), 100), Duration::from_millis(1000));
        let many = Record { failures: 50, last_failure_at: 100, locked_until: 0 };
        assert_eq!(policy.delay(&many, 100), policy.max_delay);
    }

    #[test]
    fn the_limit_locks_for_the_lock_period() {
        let policy = Policy::default();
        let locked = fail(&policy, policy.account_limit, 1_000);
        assert_eq!(policy.locked_minutes(&locked, 1_000), Some(15));
        assert_eq!(policy.locked_minutes(&locked, 1_000 + 14 * 60 + 1), Some(1));
        assert_eq!(policy.locked_minutes(&locked, 1_000 + 15 * 60), None);
        assert_eq!(policy.locked_minutes(&fail(&policy, policy.account_limit - 1, 1_000), 1_000), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let policy = Policy::default();
        let record = fail(&policy, 4, 0);
        let later = policy.window.as_secs() as i64 + 1;
        assert_eq!(policy.delay(&record, later), Duration::ZERO);
        assert_eq!(policy.after_failure(&record, later, 5).failures, 1);
    }
}
