//! The C ABI of `ciphertoken`: `libciphertoken.a` / `libciphertoken.so` and
//! `include/ciphertoken.h` (generated from this crate by cbindgen; `cargo xtask header`).
//!
//! Shape of every call (rustls-ffi style): `ct_<object>_<verb>`; every fallible call returns
//! a [`ct_status`](status::ct_status); inputs first, outputs last; each buffer is followed by
//! its length; outputs are written only on success; a too-small output buffer gives
//! `CT_STATUS_BUFFER_TOO_SMALL` with the size needed in `*out_len`; every pointer is checked
//! (`CT_STATUS_NULL_ARGUMENT`); objects (`ct_key`, `ct_validation`, and for the token life
//! cycle `ct_key_set`, `ct_revocation_list`, `ct_issuer`) live in storage the caller
//! allocates, whose size and alignment the header states.
//!
//! No panic crosses the boundary: with the `std` feature every body runs under
//! `catch_unwind` and a panic becomes `CT_STATUS_PANIC`; bare-metal builds (`panic = "abort"`
//! is the default of every `*-none-*` target) take the `panic-handler` feature.
#![no_std]
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(any(feature = "std", test))]
extern crate std;

#[cfg(all(feature = "std", feature = "panic-handler"))]
compile_error!("the `panic-handler` feature is for bare-metal builds: use it with --no-default-features");

pub mod claims;
pub mod key;
pub mod keyset;
pub mod lifecycle;
mod object;
pub mod random;
mod raw;
pub mod revocation;
#[cfg(feature = "rsa-jwks")]
pub mod rsa;
pub mod signer;
pub mod status;
pub mod token;
pub mod validation;

/// Panic handler of builds without std. The library has no known panic path, but the crypto
/// dependencies keep some the compiler cannot prove dead. On bare-metal Arm it executes a
/// permanently undefined instruction (a HardFault the firmware's handler sees), on other
/// bare-metal targets it spins; under an operating system it calls the C library's `abort()`.
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(not(target_os = "none"))]
    {
        extern "C" {
            fn abort() -> !;
        }
        // SAFETY: `abort` from the C library takes no arguments and never returns.
        unsafe { abort() }
    }
    #[cfg(all(target_os = "none", target_arch = "arm"))]
    // SAFETY: `udf` raises an UsageFault/HardFault; it touches no memory or registers the
    // compiler relies on, and the function never returns either way.
    unsafe {
        core::arch::asm!("udf #0xfe", options(nomem, nostack));
    }
    #[cfg(target_os = "none")]
    loop {
        core::hint::spin_loop();
    }
}
