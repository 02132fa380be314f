//! QEMU `virt` (RV32IMC): the CLINT's `mtime` as the tick counter, semihosting for output
//! and exit.

use core::fmt;

/// `mtime` of the CLINT on QEMU `virt` (base 0x0200_0000, offset 0xBFF8).
const MTIME: usize = 0x0200_BFF8;

/// The CLINT timebase of QEMU `virt`: 10 MHz of virtual time.
pub const TICKS_PER_SECOND: u64 = 10_000_000;

pub const BOARD: &str = "RV32IMC, QEMU virt";

pub fn init() {}

/// `mtime` ticks since reset.
pub fn ticks() -> u64 {
    let lo = MTIME as *const u32;
    let hi = (MTIME + 4) as *const u32;
    loop {
        // SAFETY: `mtime` is a readable MMIO register on this board.
        let (h1, l, h2) = unsafe { (hi.read_volatile(), lo.read_volatile(), hi.read_volatile()) };
        if h1 == h2 {
            return (u64::from(h1) << 32) | u64::from(l);
        }
    }
}

/// Runs `n` iterations of a two-instruction loop (`n * 2` instructions).
#[inline(never)]
pub fn spin(n: u32) {
    // SAFETY: a register-only countdown loop; touches no memory and no stack.
    unsafe {
        core::arch::asm!("2:", "addi {0}, {0}, -1", "bnez {0}, 2b", inout(reg) n => _, options(nomem, nostack));
    }
}

/// The current stack pointer.
#[inline(always)]
pub fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// The stack's bounds: `(lowest address, initial stack pointer)`.
pub fn stack_bounds() -> (usize, usize) {
    extern "C" {
        static __estack: u32;
        static _stack_start: u32;
    }
    // Linker-provided symbols: only their addresses are used.
    (core::ptr::addr_of!(__estack) as usize, core::ptr::addr_of!(_stack_start) as usize)
}

pub fn print(args: fmt::Arguments<'_>) {
    semihosting::print!("{}", args);
}

/// Ends the emulation: QEMU exits with status 0 on success, 1 otherwise.
pub fn exit(ok: bool) -> ! {
    semihosting::process::exit(if ok { 0 } else { 1 })
}

/// Any exception (illegal instruction, access fault, ...) ends the run as a failure.
#[export_name = "ExceptionHandler"]
fn exception_handler(_frame: &riscv_rt::TrapFrame) -> ! {
    let mcause: usize;
    let mepc: usize;
    // SAFETY: reads machine-mode CSRs.
    unsafe {
        core::arch::asm!("csrr {}, mcause", out(reg) mcause, options(nomem, nostack));
        core::arch::asm!("csrr {}, mepc", out(reg) mepc, options(nomem, nostack));
    }
    println!("FAIL: exception mcause={} at mepc={:#010x}", mcause, mepc);
    exit(false)
}

#[export_name = "DefaultHandler"]
fn default_handler() {
    println!("FAIL: unexpected interrupt");
    exit(false)
}
