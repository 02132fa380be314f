//! Declassification: the few places where a value computed from a secret becomes public by
//! design, each through one of these out-of-line functions.
//!
//! `cargo xtask ct` runs every secret-bearing operation under valgrind memcheck with the
//! secret marked undefined; any branch or address computed from it is reported, except in
//! these functions (the suppression file `ct/ctgrind.supp` names them, and nothing else of
//! ours). Each caller says why its value is public: a key's validity (the key is refused or
//! accepted, which the caller sees anyway) or a public key derived from a private one (it is
//! published). Keeping them out of line keeps the suppression exact: only the branches in
//! these bodies are exempt, not whatever they are inlined into.

use subtle::Choice;

/// The public answer of a constant-time check on secret data (e.g. "this scalar is in
/// range"): the one branch taken on it is here.
#[inline(never)]
pub(crate) fn declassify_choice(secret_derived: Choice) -> bool {
    // A real branch (`black_box` keeps the two arms from being merged into a select), so
    // that what leaves this function is a constant chosen by it.
    if secret_derived.unwrap_u8() == 1 {
        core::hint::black_box(true)
    } else {
        core::hint::black_box(false)
    }
}

/// A copy of `bytes` that is public by design (a signature being written into a token, a
/// public key derived from a private one).
///
/// Under `--cfg ciphertoken_ctgrind` (the `cargo xtask ct` builds) the copy is rebuilt bit by
/// bit through branches, so that valgrind counts nothing after this point as secret-derived.
/// Other builds copy: the bytes are public either way, and the per-bit branches would cost
/// about a microsecond per signature for nothing (BoringSSL's `CONSTANT_TIME_DECLASSIFY`
/// is likewise a no-op outside its validation builds).
#[inline(never)]
pub(crate) fn declassify_bytes<const N: usize>(bytes: &[u8; N]) -> [u8; N] {
    #[cfg(ciphertoken_ctgrind)]
    {
        let mut out = [0u8; N];
        for (o, &b) in out.iter_mut().zip(bytes) {
            for bit in 0..8u32 {
                if (b >> bit) & 1 == 1 {
                    *o |= core::hint::black_box(1u8 << bit);
                }
            }
        }
        out
    }
    #[cfg(not(ciphertoken_ctgrind))]
    {
        *bytes
    }
}
