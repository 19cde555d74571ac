//! Long work in short steps. Reading and checking a big file takes a few
//! hundred milliseconds; in the browser that must not freeze the page, so the
//! engine offers its caller a step every few hundred rows. The page pauses
//! there when its time slice is used up (no task over 50 ms); the server and
//! the command line never pause.

use std::future::{ready, Future};
use std::pin::Pin;

/// How many rows a step of the engine covers: small enough that checking
/// them takes well under a millisecond.
pub(crate) const ROWS_A_STEP: usize = 256;

/// What a step gives back: ready at once, or once the caller may go on.
pub type Wait<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Paced work as the engine hands it out: boxed, so that its code is
/// compiled once, in the engine, and not again in each crate that awaits it
/// (an `async fn` is compiled where it is polled, like a generic).
pub type Paced<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// What the engine calls between steps. Used as `dyn Pace`, so that the
/// engine is compiled once, not once for each way of pacing it.
pub trait Pace {
    /// `done` of `total` units of work are finished; may wait before the next.
    fn step(&mut self, done: usize, total: usize) -> Wait<'_>;
}

/// Runs straight through: for the server, the command line and tests.
pub struct Straight;

impl Pace for Straight {
    fn step(&mut self, _done: usize, _total: usize) -> Wait<'_> {
        Box::pin(ready(()))
    }
}

/// Runs paced work that never waits to its end, here and now.
pub fn straight<T>(work: impl Future<Output = T>) -> T {
    futures::executor::block_on(work)
}

/// Counts units of work and offers the pace a step every `every` units.
pub struct Steps<'p> {
    pace: &'p mut dyn Pace,
    every: usize,
    done: usize,
    total: usize,
    next: usize,
}

impl<'p> Steps<'p> {
    pub fn new(pace: &'p mut dyn Pace, total: usize, every: usize) -> Self {
        Self { pace, every, done: 0, total, next: every }
    }

    pub async fn advance(&mut self, units: usize) {
        self.done += units;
        if self.done >= self.next {
            self.next = self.done + self.every;
            self.pace.step(self.done.min(self.total), self.total).await;
        }
    }
}

/// A pace that writes down every step it is offered, for tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Record(pub Vec<(usize, usize)>);

#[cfg(test)]
impl Pace for Record {
    fn step(&mut self, done: usize, total: usize) -> Wait<'_> {
        self.0.push((done, total));
        Box::pin(ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_offered_every_so_many_units_and_never_past_the_total() {
        let mut record = Record::default();
        straight(async {
            let mut steps = Steps::new(&mut record, 10, 4);
            for _ in 0..11 {
                steps.advance(1).await;
            }
        });
        assert_eq!(record.0, vec![(4, 10), (8, 10)]);
    }
}
