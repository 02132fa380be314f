//! Size image `rs256` (see lib.rs).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::rs256();
    ciphertoken_size::halt()
}
