//! Size image `jwks_parse` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::jwks_parse();
    ciphertoken_size::halt()
}
