//! A small persistent thread pool for the CPU forward pass.
//!
//! A decode step runs a few hundred short parallel sections; spawning threads or going
//! through a general-purpose scheduler for each would cost more than the work. Workers spin
//! briefly waiting for the next section (the sections come back to back) and then sleep, so
//! an idle engine costs nothing.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

type Job = dyn Fn(usize) + Sync;

struct Shared {
    /// The section being run; written only while every worker is idle.
    job: UnsafeCell<Option<*const Job>>,
    epoch: AtomicU64,
    running: AtomicUsize,
    sleepers: AtomicUsize,
    panicked: AtomicBool,
    shutdown: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

// SAFETY: `job` is written by the owner only while no worker reads it (between sections, when
// `running` is zero) and read by workers only after the epoch bump that publishes it.
unsafe impl Sync for Shared {}
unsafe impl Send for Shared {}

pub(crate) struct ThreadPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    threads: usize,
}

/// How long a worker spins for the next section before going to sleep.
const SPIN_ROUNDS: usize = 20_000;

impl ThreadPool {
    /// A pool in which `threads` threads (the caller included) run each section.
    pub(crate) fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let shared = Arc::new(Shared {
            job: UnsafeCell::new(None),
            epoch: AtomicU64::new(0),
            running: AtomicUsize::new(0),
            sleepers: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        let workers = (1..threads)
            .filter_map(|index| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("cadence-llm-{index}"))
                    .spawn(move || worker_loop(&shared, index))
                    .ok()
            })
            .collect::<Vec<_>>();
        let threads = workers.len() + 1;
        Self {
            shared,
            workers,
            threads,
        }
    }

    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `job(thread_index)` on every thread of the pool and returns when all are done.
    /// Returns false if the job panicked on any thread.
    pub(crate) fn run(&self, job: &(dyn Fn(usize) + Sync)) -> bool {
        if self.workers.is_empty() {
            return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(0))).is_ok();
        }
        let shared = &*self.shared;
        // SAFETY: the lifetime is erased only for the duration of this call: we wait below
        // until every worker has finished with the pointer before returning.
        let erased: *const Job =
            unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), *const Job>(job) };
        unsafe { *shared.job.get() = Some(erased) };
        shared.running.store(self.workers.len(), Ordering::Release);
        shared.epoch.fetch_add(1, Ordering::SeqCst);
        if shared.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = shared.lock.lock().unwrap_or_else(|e| e.into_inner());
            shared.wake.notify_all();
        }
        let ok_here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(0))).is_ok();
        let mut spins = 0usize;
        while shared.running.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 1 << 12 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        unsafe { *shared.job.get() = None };
        ok_here && !shared.panicked.swap(false, Ordering::AcqRel)
    }

    /// Splits `0..items` into chunks of `chunk` and hands them out dynamically, so a thread
    /// slowed by other work on the machine does not hold the others up.
    pub(crate) fn for_chunks(
        &self,
        items: usize,
        chunk: usize,
        work: &(dyn Fn(usize, std::ops::Range<usize>) + Sync),
    ) -> bool {
        let chunk = chunk.max(1);
        let next = AtomicUsize::new(0);
        self.run(&|thread| {
            loop {
                let start = next.fetch_add(chunk, Ordering::Relaxed);
                if start >= items {
                    break;
                }
                work(thread, start..(start + chunk).min(items));
            }
        })
    }
}

fn worker_loop(shared: &Shared, index: usize) {
    let mut seen = 0u64;
    loop {
        let mut spins = 0;
        let mut epoch = shared.epoch.load(Ordering::Acquire);
        while epoch == seen && !shared.shutdown.load(Ordering::Acquire) {
            if spins < SPIN_ROUNDS {
                spins += 1;
                std::hint::spin_loop();
            } else {
                let mut guard = shared.lock.lock().unwrap_or_else(|e| e.into_inner());
                shared.sleepers.fetch_add(1, Ordering::SeqCst);
                while shared.epoch.load(Ordering::SeqCst) == seen
                    && !shared.shutdown.load(Ordering::Acquire)
                {
                    guard = shared.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
                }
                shared.sleepers.fetch_sub(1, Ordering::AcqRel);
                drop(guard);
            }
            epoch = shared.epoch.load(Ordering::Acquire);
        }
        if shared.shutdown.load(Ordering::Acquire) {
            return;
        }
        seen = epoch;
        // SAFETY: published before the epoch bump and kept alive until `running` reaches zero.
        if let Some(job) = unsafe { *shared.job.get() } {
            let job = unsafe { &*job };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(index))).is_err() {
                shared.panicked.store(true, Ordering::Release);
            }
        }
        shared.running.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
        {
            let _guard = self.shared.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.wake.notify_all();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A mutable slice shared by the threads of a section, each writing a disjoint part.
#[derive(Clone, Copy)]
pub(crate) struct SharedMut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: callers guarantee that concurrent users touch disjoint index ranges.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    pub(crate) fn new(slice: &mut [T]) -> Self {
        Self {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// # Safety
    /// No other thread may access `index` concurrently.
    pub(crate) unsafe fn write(&self, index: usize, value: T) {
        assert!(index < self.len);
        unsafe { self.ptr.add(index).write(value) }
    }

    /// # Safety
    /// No other thread may access `range` while the returned slice lives.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn slice(&self, range: std::ops::Range<usize>) -> &mut [T] {
        assert!(range.start <= range.end && range.end <= self.len);
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(range.start), range.len()) }
    }
}
