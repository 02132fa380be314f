//! Size image `rsa_primitive` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::rsa_primitive();
    ciphertoken_size::halt()
}
