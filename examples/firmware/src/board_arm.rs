//! Cortex-M boards: SysTick as the tick counter, semihosting for output and exit.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};

/// SysTick reload value: the full 24-bit range, so the wrap interrupt is rare.
const RELOAD: u32 = 0x00FF_FFFF;

/// SysTick wraps since boot (the high bits of the tick count).
static WRAPS: AtomicU32 = AtomicU32::new(0);

/// The SysTick clock of the emulated board, in ticks per second of virtual time (QEMU 7.2).
/// Under `-icount shift=0` one instruction takes 1 ns, so a tick is `1e9 / TICKS_PER_SECOND`
/// instructions; the firmware also calibrates this with a loop of known length.
#[cfg(board = "mps2-an386")]
pub const TICKS_PER_SECOND: u64 = 25_000_000; // SYSCLK 25 MHz
#[cfg(board = "lm3s6965evb")]
pub const TICKS_PER_SECOND: u64 = 12_500_000; // measured: 80 instructions per tick at 1 GIPS
#[cfg(board = "microbit")]
pub const TICKS_PER_SECOND: u64 = 16_000_000; // nRF51 HCLK 16 MHz

#[cfg(board = "mps2-an386")]
pub const BOARD: &str = "Cortex-M4F, QEMU mps2-an386";
#[cfg(board = "lm3s6965evb")]
pub const BOARD: &str = "Cortex-M3, QEMU lm3s6965evb";
#[cfg(board = "microbit")]
pub const BOARD: &str = "Cortex-M0, QEMU microbit (16 KB RAM)";

/// Starts SysTick on the core clock with the wrap interrupt enabled.
pub fn init() {
    let Some(mut p) = cortex_m::Peripherals::take() else {
        exit(false);
    };
    p.SYST.set_clock_source(SystClkSource::Core);
    p.SYST.set_reload(RELOAD);
    p.SYST.clear_current();
    p.SYST.enable_interrupt();
    p.SYST.enable_counter();
}

#[exception]
fn SysTick() {
    // Only this handler writes WRAPS and it cannot preempt itself: load + store is enough
    // (thumbv6m has no atomic read-modify-write).
    WRAPS.store(WRAPS.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}

/// SysTick ticks since `init`, 64 bits wide.
pub fn ticks() -> u64 {
    loop {
        let before = WRAPS.load(Ordering::Relaxed);
        let current = SYST::get_current();
        let after = WRAPS.load(Ordering::Relaxed);
        // A wrap between the two loads has run the handler: read again.
        if before == after {
            return (u64::from(before) << 24) | u64::from(RELOAD - current);
        }
    }
}

/// Runs `n` iterations of a two-instruction loop (`n * 2` instructions).
#[inline(never)]
pub fn spin(n: u32) {
    // SAFETY: a register-only countdown loop; touches no memory and no stack.
    unsafe {
        core::arch::asm!("2:", "subs r0, #1", "bne 2b", inout("r0") n => _, options(nomem, nostack));
    }
}

/// The current stack pointer.
#[inline(always)]
pub fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// The stack's bounds: `(lowest address, initial stack pointer)`.
pub fn stack_bounds() -> (usize, usize) {
    extern "C" {
        static _stack_end: u32;
        static _stack_start: u32;
    }
    // Linker-provided symbols: only their addresses are used.
    (core::ptr::addr_of!(_stack_end) as usize, core::ptr::addr_of!(_stack_start) as usize)
}

pub fn print(args: fmt::Arguments<'_>) {
    cortex_m_semihosting::hprint!("{}", args);
}

/// Ends the emulation: QEMU exits with status 0 on success, 1 otherwise.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
    loop {
        cortex_m::asm::bkpt();
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    println!("FAIL: HardFault at pc={:#010x}", frame.pc());
    exit(false)
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    println!("FAIL: unexpected exception {}", irqn);
    exit(false)
}
