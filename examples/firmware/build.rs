//! Picks the memory map for the target (one QEMU board per target) and the runtime's
//! linker script, so the crate builds the same from any directory.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    // One QEMU board per target: `cfg(board = "...")` tells the code which one it runs on.
    println!(
        "cargo::rustc-check-cfg=cfg(board, values(\"mps2-an386\", \"lm3s6965evb\", \"microbit\", \"virt\"))"
    );
    let board = match target.as_str() {
        "thumbv7em-none-eabihf" => Some("mps2-an386"),
        "thumbv7m-none-eabi" => Some("lm3s6965evb"),
        "thumbv6m-none-eabi" => Some("microbit"),
        "riscv32imc-unknown-none-elf" => Some("virt"),
        _ => None,
    };
    if let Some(board) = board {
        println!("cargo:rustc-cfg=board=\"{board}\"");
    }
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let memory = manifest.join("memory").join(format!("{target}.x"));
    println!("cargo:rerun-if-changed={}", memory.display());
    println!("cargo:rerun-if-changed=build.rs");
    let Ok(map) = fs::read(&memory) else {
        // Host builds (cargo check on x86) have nothing to link.
        return;
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    fs::write(out.join("memory.x"), map).unwrap_or_else(|e| panic!("writing memory.x: {e}"));
    println!("cargo:rustc-link-search={}", out.display());
    if target.starts_with("riscv") {
        println!("cargo:rustc-link-arg=-Tmemory.x");
    }
    println!("cargo:rustc-link-arg=-Tlink.x");
    // defmt's interned strings (the `defmt` feature, Cortex-M): its linker script.
    if env::var_os("CARGO_FEATURE_DEFMT").is_some() && target.starts_with("thumb") {
        println!("cargo:rustc-link-arg=-Tdefmt.x");
    }
}
