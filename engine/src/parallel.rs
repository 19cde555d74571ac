//! Row work on every core. The server and the command line check a file on
//! all the machine's cores (rayon); the browser has one thread, so there the
//! same calls run in order, in the short paced steps the page needs.

/// How many rows one parallel step takes: natively enough to share among
/// the cores, in the browser one paced step.
pub(crate) const CHUNK: usize = if cfg!(target_arch = "wasm32") { crate::pace::ROWS_A_STEP } else { 8192 };

/// Fewer rows than this are not worth handing to another thread.
pub(crate) const ROWS_A_THREAD: usize = 512;

/// `f` of each item, in order; natively the items are shared among the
/// cores, at least `least` to a thread.
pub(crate) fn map<T: Sync, U: Send>(items: &[T], least: usize, f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter().with_min_len(least).map(&f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = least;
        items.iter().map(f).collect()
    }
}

/// `a()` and `b()`, natively at once (`b` may be a [`map`], whose rows the
/// thread that ran `a` then helps with); in the browser one after the other.
pub(crate) fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::join(a, b);
    #[cfg(target_arch = "wasm32")]
    (a(), b())
}

/// How many threads [`map`] shares work among.
pub(crate) fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads();
    #[cfg(target_arch = "wasm32")]
    1
}

/// Whether work can run on more than one core here.
pub(crate) fn is_parallel() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads() > 1;
    #[cfg(target_arch = "wasm32")]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        for len in [0, 1, 511, 512, 1_025, 10_007] {
            let items: Vec<usize> = (0..len).collect();
            assert_eq!(map(&items, ROWS_A_THREAD, |i| i * 3), items.iter().map(|i| i * 3).collect::<Vec<_>>(), "{len} items");
        }
    }

    #[test]
    fn a_panic_in_any_part_reaches_the_caller() {
        let items: Vec<usize> = (0..4096).collect();
        let outcome = std::panic::catch_unwind(|| map(&items, ROWS_A_THREAD, |i| assert!(*i < 4000)));
        assert!(outcome.is_err());
    }
}
