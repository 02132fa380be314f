//! Valgrind memcheck client requests, without C: the x86-64 "special instruction" sequence of
//! `valgrind.h` (rotations of `rdi` by 3, 13, 61 and 51 bits — 128 in all, a no-op on real
//! hardware — then `xchg rbx, rbx`), with the request block address in `rax` and the default
//! result in `rdx`. Outside valgrind every request returns its default (0).
//!
//! Request numbers from `memcheck.h` / `valgrind.h` (valgrind 3.19):
//! `VG_USERREQ_TOOL_BASE('M','C') = 0x4d43_0000`; `MAKE_MEM_UNDEFINED` is base + 1,
//! `MAKE_MEM_DEFINED` base + 2; `RUNNING_ON_VALGRIND` 0x1001; `COUNT_ERRORS` 0x1201.

const MC_BASE: usize = 0x4d43_0000;
const MAKE_MEM_UNDEFINED: usize = MC_BASE + 1;
const MAKE_MEM_DEFINED: usize = MC_BASE + 2;
const RUNNING_ON_VALGRIND: usize = 0x1001;
const COUNT_ERRORS: usize = 0x1201;

#[cfg(target_arch = "x86_64")]
fn request(request: usize, a1: usize, a2: usize) -> usize {
    let args: [usize; 6] = [request, a1, a2, 0, 0, 0];
    let mut result: usize = 0;
    // SAFETY: the instruction sequence has no effect on the CPU state apart from `rdi`, which
    // is rotated back to its value (and declared clobbered); under valgrind it is decoded as a
    // client request that reads `args` (alive for the whole asm block) and writes `rdx`.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") result,
            in("rax") args.as_ptr(),
            inout("rdi") 0usize => _,
            options(nostack, preserves_flags),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn request(_request: usize, _a1: usize, _a2: usize) -> usize {
    0
}

/// Whether the program runs under valgrind.
pub fn running_on_valgrind() -> bool {
    request(RUNNING_ON_VALGRIND, 0, 0) != 0
}

/// The number of errors valgrind has reported so far.
pub fn error_count() -> usize {
    request(COUNT_ERRORS, 0, 0)
}

/// Marks `bytes` secret: memcheck then reports every branch and every address computed from
/// them ("depends on uninitialised value(s)", "Use of uninitialised value of size N").
pub fn secret(bytes: &[u8]) {
    request(MAKE_MEM_UNDEFINED, bytes.as_ptr() as usize, bytes.len());
}

/// Marks the raw memory of `value` secret (a key object, after it is built).
pub fn secret_value<T>(value: &T) {
    request(MAKE_MEM_UNDEFINED, value as *const T as usize, core::mem::size_of::<T>());
}

/// Declassifies `bytes`: an output that is public by design (a signature, a tag sent on the
/// wire, the equal/not-equal answer of a tag comparison).
pub fn public(bytes: &[u8]) {
    request(MAKE_MEM_DEFINED, bytes.as_ptr() as usize, bytes.len());
}

/// Declassifies the raw memory of `value` (e.g. a `Result` whose discriminant is public).
pub fn public_value<T>(value: &T) {
    request(MAKE_MEM_DEFINED, value as *const T as usize, core::mem::size_of::<T>());
}
