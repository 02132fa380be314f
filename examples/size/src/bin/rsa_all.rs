//! Size image `rsa_all` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::rsa_all();
    ciphertoken_size::halt()
}
