//! Size image `rs256_jwks` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::rs256_jwks();
    ciphertoken_size::halt()
}
