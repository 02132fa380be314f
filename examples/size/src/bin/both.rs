//! Size image `both` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::sign();
    ciphertoken_size::verify();
    ciphertoken_size::halt()
}
