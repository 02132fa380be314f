//! Puts memory.x where the linker finds it and links with cortex-m-rt's script.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    fs::copy("memory.x", out.join("memory.x")).unwrap_or_else(|e| panic!("copying memory.x: {e}"));
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("TARGET").unwrap_or_default().starts_with("thumb") {
        println!("cargo:rustc-link-arg=-Tlink.x");
    }
}
