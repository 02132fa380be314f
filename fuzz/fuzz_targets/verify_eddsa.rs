//! Verification with a fixed EdDSA key: raw token bytes, mutations of a valid token, and
//! forged header/payload pairs behind a valid signature, each checked against the model
//! (see `ciphertoken_fuzz::verify`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ciphertoken_fuzz::verify::run(ciphertoken_fuzz::Fixed::EdDSA, data);
});
