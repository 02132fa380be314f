//! Size image `no_panic` (see lib.rs): the panic-free profile, everything but serde
//! deserialization of application claims (whose deserializer, serde-json-core, keeps panic
//! paths). Linked with feature `panic-check` by `cargo xtask test`.
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    ciphertoken_size::sign();
    ciphertoken_size::sign_json();
    ciphertoken_size::verify_registered();
    ciphertoken_size::halt()
}
