//! Picks the ES256 backend for the target (`cfg(ciphertoken_es256 = "...")`):
//!
//! * `"cm4"`: Cortex-M4/M7 (`thumbv7em-*`), the `p256-cm4` assembly (UMAAL, DSP extension);
//!   Cortex-M33/M55 (`thumbv8m.main-*`) only with the `cortex-m33-dsp` feature, as the DSP
//!   extension is optional there and the target leaves it off. Stable rustc exposes no
//!   `target_feature = "dsp"` cfg for Arm, hence the target name; Cargo.toml lists the same
//!   triples for the dependency.
//! * `"host"`: `std` hosts on x86_64 or aarch64 with the `host-backend` feature: `graviola`.
//! * `"portable"`: RustCrypto `p256` everywhere else, or with the `portable` feature.
//!
//! Only the `es256` feature's code reads the cfg; with `es256` off nothing changes.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ciphertoken_es256, values(\"cm4\", \"host\", \"portable\"))");
    println!("cargo::rustc-check-cfg=cfg(ciphertoken_host)");
    println!("cargo:rerun-if-changed=build.rs");
    let target = env::var("TARGET").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let feature = |name: &str| {
        env::var_os(format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"))).is_some()
    };
    let portable = feature("portable");
    let m33 = feature("cortex-m33-dsp") && M33_TARGETS.contains(&target.as_str());
    let cm4 = CM4_TARGETS.contains(&target.as_str()) || m33;
    let host = feature("host-backend") && matches!(arch.as_str(), "x86_64" | "aarch64");
    let es256 = if portable {
        "portable"
    } else if cm4 {
        "cm4"
    } else if host {
        "host"
    } else {
        "portable"
    };
    println!("cargo:rustc-cfg=ciphertoken_es256=\"{es256}\"");
    // The host backend for the other algorithms (Ed25519, RSA) follows the same rule.
    if host && !portable {
        println!("cargo:rustc-cfg=ciphertoken_host");
    }
}

/// The targets whose `p256-cm4` dependency Cargo.toml declares (keep the lists equal).
const CM4_TARGETS: &[&str] = &["thumbv7em-none-eabi", "thumbv7em-none-eabihf"];
/// The targets where `p256-cm4` comes with the `cortex-m33-dsp` feature only.
const M33_TARGETS: &[&str] = &["thumbv8m.main-none-eabi", "thumbv8m.main-none-eabihf"];
