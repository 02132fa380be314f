//! Size image `bytes` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::sign_json();
    ciphertoken_size::verify_registered();
    ciphertoken_size::halt()
}
