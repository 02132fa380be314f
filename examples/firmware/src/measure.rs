//! Stack high-water marks (stack painting) and instruction counts (tick counter under
//! QEMU `-icount shift=0`, calibrated against a loop of known length).

use crate::board;
use core::ptr;
use core::sync::atomic::{AtomicUsize, Ordering};

/// The paint pattern: what unused stack looks like.
const PAINT: u32 = 0x5AC3_5AC3;

/// What one operation cost.
#[derive(Clone, Copy, Default)]
pub struct Cost {
    /// Bytes of stack the operation used below its caller's stack pointer.
    pub stack: usize,
    /// Tick-counter ticks the operation took.
    pub ticks: u64,
}

/// How many instructions one tick is worth, measured once at boot.
#[derive(Clone, Copy)]
pub struct Calibration {
    pub instructions: u64,
    pub ticks: u64,
}

impl Calibration {
    /// Runs a loop of `2 * ITERATIONS` instructions and counts its ticks.
    pub fn measure() -> Calibration {
        const ITERATIONS: u32 = 1_000_000;
        // Under QEMU the counter's first readings after it is enabled lag behind (measured:
        // a first 2 M-instruction loop read 1 tick of SysTick): let it settle first.
        board::spin(ITERATIONS);
        let t0 = board::ticks();
        board::spin(ITERATIONS);
        let t1 = board::ticks();
        Calibration { instructions: 2 * u64::from(ITERATIONS), ticks: t1.saturating_sub(t0).max(1) }
    }

    /// Instructions executed in `ticks` ticks.
    pub fn instructions(&self, ticks: u64) -> u64 {
        ticks * self.instructions / self.ticks
    }
}

/// The lowest stack address seen in use so far (the whole run's high-water mark).
static LOWEST: AtomicUsize = AtomicUsize::new(usize::MAX);
/// The lowest stack pointer a measured operation was called with.
static LOWEST_BASE: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The lowest word of the painted area that is no longer [`PAINT`] (or `limit`).
fn lowest_used(bottom: usize, limit: usize) -> usize {
    let mut p = bottom;
    // SAFETY: reads the free part of the stack (below every live frame), painted earlier.
    while p < limit && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    LOWEST.store(LOWEST.load(Ordering::Relaxed).min(p), Ordering::Relaxed);
    p
}

/// Paints the whole free stack: call once at boot, before [`measure`] and [`deepest`].
pub fn init() {
    paint(board::stack_bounds().0);
}

/// The whole run's stack figures, in bytes.
pub struct Deepest {
    /// The deepest the stack has been since [`init`] (every frame, the harness's included).
    pub used: usize,
    /// The stack's size.
    pub size: usize,
    /// The deepest harness frames a measured operation was called from.
    pub harness: usize,
}

pub fn deepest() -> Deepest {
    let (bottom, top) = board::stack_bounds();
    let lowest = lowest_used(bottom, board::sp());
    let harness = top.saturating_sub(LOWEST_BASE.load(Ordering::Relaxed));
    Deepest { used: top - lowest, size: top - bottom, harness }
}

/// Fills the free stack, from its lowest address up to the current stack pointer, with
/// [`PAINT`].
#[inline(never)]
fn paint(bottom: usize) {
    let top = board::sp() & !3;
    let mut p = bottom;
    while p < top {
        // SAFETY: [bottom, sp) is the unused part of the stack: nothing lives there.
        unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Calls `f` out of line, so all of its locals live below the measuring frame.
#[inline(never)]
fn call<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` on a freshly painted stack and returns its result with what it cost.
///
/// The stack figure includes everything `f` pushed (and any interrupt taken meanwhile: the
/// SysTick wrap handler fires once every 2^24 ticks). `None` means the painted stack was used
/// up to its lowest word: the operation may have overflowed the stack.
#[inline(never)]
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Option<Cost>) {
    let (bottom, _) = board::stack_bounds();
    // Record what was used since the last painting, then paint again.
    lowest_used(bottom, board::sp());
    paint(bottom);
    let base = board::sp();
    LOWEST_BASE.store(LOWEST_BASE.load(Ordering::Relaxed).min(base), Ordering::Relaxed);
    let t0 = board::ticks();
    let result = call(f);
    let t1 = board::ticks();
    let p = lowest_used(bottom, base);
    let cost = (p > bottom).then(|| Cost { stack: base - p, ticks: t1.saturating_sub(t0) });
    (result, cost)
}
