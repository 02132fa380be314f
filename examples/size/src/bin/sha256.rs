//! Size image `sha256` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::sha256();
    ciphertoken_size::halt()
}
