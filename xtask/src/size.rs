//! `cargo xtask size` (flash and static RAM of minimal images) and `cargo xtask panics`
//! (which code keeps a panic path alive), both over the images of `examples/size`.
//!
//! The images have no `core::fmt` and no QEMU harness: a reset handler calls the library on
//! volatile inputs. Each image minus the `empty` one is the library's cost.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Targets measured: `(target, label)`.
const TARGETS: &[(&str, &str)] = &[("thumbv7em-none-eabihf", "M4F"), ("thumbv6m-none-eabi", "M0")];

/// Cargo profiles of examples/size: `(profile, opt-level)`.
const OPTS: &[(&str, &str)] = &[("release", "z"), ("release-s", "s")];

/// Sets of algorithms compiled into the core: `(label, features)`.
const ALGSETS: &[(&str, &str)] = &[
    ("HS256", "hs"),
    ("ES256", "es256"),
    ("EdDSA", "eddsa"),
    ("all algorithms", "hs,es256,eddsa"),
    ("HS256, sha2 compact", "hs,sha2-compact"),
    ("all, sha2 compact", "hs,es256,eddsa,sha2-compact"),
    // The portable RustCrypto p256 path (feature `portable`), beside the M4 backend (p256-cm4).
    ("ES256, portable p256", "es256,portable"),
];

/// Images measured: `(label, bin)`.
const BINS: &[(&str, &str)] = &[
    ("sign", "sign"),
    ("verify", "verify"),
    ("sign + verify", "both"),
    ("sign_json + verify_registered", "bytes"),
];

/// RSA and JWK images (issue 10), each measured against a baseline image:
/// `(label, features, bin, baseline features, baseline bin)`.
const RSA_ROWS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "RS256 signature primitive (RsaPublicKey::new + verify) over SHA-256",
        "rsa",
        "rsa_primitive",
        "rsa",
        "sha256",
    ),
    ("RS256 token verify (verify_registered), RS256-only key", "rsa", "rs256", "rsa", "empty"),
    ("RS256 added to an HS256 token verifier", "hs,rsa", "verify", "hs", "verify"),
    ("RS256/384/512 + PS256/384/512 token verify", "rsa", "rsa_all", "rsa", "empty"),
    ("JWK Set parse + select (with decode_header, JSON reader)", "rsa,jwk", "jwks_parse", "rsa,jwk", "empty"),
    ("JWK Set import added to an all-RSA token verifier", "rsa,jwk", "rs256_jwks", "rsa", "rsa_all"),
];

/// Issue 10's flash budgets (thumbv7em, opt-level z): the RS256 primitive over SHA-2, and JWK
/// Set import over the verifier it feeds.
const BUDGET_RS256_FLASH: u64 = 8 * 1024;
const BUDGET_JWKS_FLASH: u64 = 8 * 1024;

/// The bins a feature set can build.
fn bins_for(features: &str) -> Vec<&'static str> {
    let has = |f: &str| features.split(',').any(|x| x == f);
    let mut bins = vec!["empty", "verify"];
    if has("rsa") {
        bins.extend(["rsa_primitive", "sha256", "rs256", "rsa_all"]);
    }
    if has("jwk") {
        bins.push("jwks_parse");
    }
    if has("rsa") && has("jwk") {
        bins.push("rs256_jwks");
    }
    bins
}

/// `cargo xtask size` part 2: the RSA and JWK images (issue 10), one table and the budgets.
/// `quick`: thumbv7em at opt-level z only.
fn size_rsa(root: &Path, size_tool: &Path, quick: bool) -> Result<(), String> {
    let targets: Vec<(&str, &str)> = if quick { TARGETS[..1].to_vec() } else { TARGETS.to_vec() };
    let opts: Vec<(&str, &str)> = if quick { OPTS[..1].to_vec() } else { OPTS.to_vec() };
    let columns: Vec<(&str, &str, &str, &str)> =
        targets.iter().flat_map(|&(t, tl)| opts.iter().map(move |&(p, o)| (t, tl, p, o))).collect();
    let mut feature_sets: Vec<&str> = RSA_ROWS.iter().flat_map(|r| [r.1, r.3]).collect();
    feature_sets.sort_unstable();
    feature_sets.dedup();
    // cells[row][column]: flash and RAM over the baseline.
    let mut cells: Vec<Vec<Cell>> = vec![vec![None; columns.len()]; RSA_ROWS.len()];
    for (col, &(target, _, profile, _)) in columns.iter().enumerate() {
        let mut images: HashMap<(&str, &str), Footprint> = HashMap::new();
        for &features in &feature_sets {
            let bins = bins_for(features);
            let dir = build(root, target, profile, features, &bins)?;
            for bin in bins {
                images.insert((features, bin), footprint(size_tool, &dir.join(bin))?);
            }
        }
        for (i, &(_, features, bin, base_features, base_bin)) in RSA_ROWS.iter().enumerate() {
            if let (Some(image), Some(base)) =
                (images.get(&(features, bin)), images.get(&(base_features, base_bin)))
            {
                cells[i][col] = Some(Footprint {
                    flash: image.flash.saturating_sub(base.flash),
                    ram: image.ram.saturating_sub(base.ram),
                });
            }
        }
    }
    println!();
    println!("RSA and JWK Set import: flash / static RAM of each image over its baseline:");
    println!();
    let header: Vec<String> = columns.iter().map(|c| format!("{} opt {}", c.1, c.3)).collect();
    println!("| image | over | {} |", header.join(" | "));
    println!("|---|---|{}", "---:|".repeat(columns.len()));
    for (i, &(label, _, _, base_features, base_bin)) in RSA_ROWS.iter().enumerate() {
        let row: Vec<String> = cells[i]
            .iter()
            .map(|c| c.map_or_else(|| "–".to_owned(), |f| format!("{} / {} B", kib(f.flash), f.ram)))
            .collect();
        println!("| {label} | `{base_bin}` [{base_features}] | {} |", row.join(" | "));
    }
    println!();
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    if let Some(f) = cells[0][0] {
        println!(
            "budget: RS256 verify ≤ 8 KiB flash over SHA-2 (thumbv7em opt z): {} — {}",
            kib(f.flash),
            verdict(f.flash <= BUDGET_RS256_FLASH)
        );
    }
    if let Some(f) = cells[5][0] {
        println!(
            "budget: JWK Set parsing ≤ 8 KiB flash (thumbv7em opt z, over the verifier it feeds): {} — {}",
            kib(f.flash),
            verdict(f.flash <= BUDGET_JWKS_FLASH)
        );
    }
    Ok(())
}

/// The budgets of issue 4, all for thumbv7em at opt-level z.
const BUDGET_ALL_FLASH: u64 = 64 * 1024;
const BUDGET_HS256_FLASH: u64 = 16 * 1024;
const BUDGET_RAM: u64 = 512;

fn size_dir(root: &Path) -> PathBuf {
    root.join("examples").join("size")
}

/// An LLVM tool from the `llvm-tools` rustup component.
pub fn llvm_tool(name: &str) -> Result<PathBuf, String> {
    let sysroot = capture(Command::new("rustc").args(["--print", "sysroot"]))?;
    let version = capture(Command::new("rustc").arg("-vV"))?;
    let host =
        version.lines().find_map(|l| l.strip_prefix("host: ")).ok_or("rustc -vV printed no host triple")?;
    let path = Path::new(sysroot.trim()).join("lib").join("rustlib").join(host).join("bin").join(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not found: rustup component add llvm-tools", path.display()))
    }
}

fn capture(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed ({}): {}",
            cmd.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds the images of one configuration; returns the directory holding them.
fn build(root: &Path, target: &str, profile: &str, features: &str, bins: &[&str]) -> Result<PathBuf, String> {
    let dir = size_dir(root);
    let mut cmd = Command::new(crate::cargo());
    cmd.current_dir(&dir).args(["build", "--quiet", "--profile", profile, "--target", target]);
    if !features.is_empty() {
        cmd.args(["--features", features]);
    }
    for bin in bins {
        cmd.args(["--bin", bin]);
    }
    crate::embedded::run_status(
        &mut cmd,
        &format!("building examples/size ({target}, {profile}, [{features}])"),
    )?;
    Ok(dir.join("target").join(target).join(profile))
}

/// Flash (`.text + .rodata + .data`, plus the vector table that every image has) and static
/// RAM (`.data + .bss + .uninit`) of an image, in bytes.
#[derive(Clone, Copy, Default)]
struct Footprint {
    flash: u64,
    ram: u64,
}

fn footprint(size_tool: &Path, elf: &Path) -> Result<Footprint, String> {
    let out = capture(Command::new(size_tool).arg("-A").arg(elf))?;
    Ok(parse_sections(&out))
}

/// Sums the sections of `llvm-size -A` output into flash and RAM.
fn parse_sections(out: &str) -> Footprint {
    let mut fp = Footprint::default();
    for line in out.lines() {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(size)) = (parts.next(), parts.next()) else { continue };
        let Ok(size) = size.parse::<u64>() else { continue };
        match name {
            // `.p256-cortex-m4`: the Cortex-M4 ES256 backend's assembly (p256-cm4) has its own
            // section in flash.
            ".vector_table" | ".text" | ".rodata" | ".p256-cortex-m4" => fp.flash += size,
            ".data" => {
                fp.flash += size;
                fp.ram += size;
            }
            ".bss" | ".uninit" => fp.ram += size,
            _ => {}
        }
    }
    fp
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// One measured cell: the image minus the empty one.
type Cell = Option<Footprint>;

/// `cargo xtask size [--quick]`: builds the images and prints one markdown table, then the
/// budgets. `--quick` (what `cargo xtask test` runs): thumbv7em at opt-level z, HS256 and all
/// algorithms only.
pub fn size(root: &Path, quick: bool) -> Result<(), String> {
    let size_tool = llvm_tool("llvm-size")?;
    let targets: Vec<(&str, &str)> = if quick { TARGETS[..1].to_vec() } else { TARGETS.to_vec() };
    let opts: Vec<(&str, &str)> = if quick { OPTS[..1].to_vec() } else { OPTS.to_vec() };
    let algsets: Vec<(&str, &str)> =
        ALGSETS.iter().copied().filter(|(l, _)| !quick || *l == "HS256" || *l == "all algorithms").collect();
    let mut bins: Vec<&str> = BINS.iter().map(|b| b.1).collect();
    // `no_panic` too, so that `panics` reuses the build.
    bins.extend(["empty", "no_panic"]);

    // cells[(algset, bin)][column]
    let columns: Vec<(&str, &str, &str, &str)> =
        targets.iter().flat_map(|&(t, tl)| opts.iter().map(move |&(p, o)| (t, tl, p, o))).collect();
    let mut cells: HashMap<(&str, &str), Vec<Cell>> = HashMap::new();
    for (col, &(target, _, profile, _)) in columns.iter().enumerate() {
        for &(label, features) in &algsets {
            let dir = build(root, target, profile, features, &bins)?;
            let empty = footprint(&size_tool, &dir.join("empty"))?;
            for &(_, bin) in BINS {
                let fp = footprint(&size_tool, &dir.join(bin))?;
                let row = cells.entry((label, bin)).or_insert_with(|| vec![None; columns.len()]);
                row[col] = Some(Footprint {
                    flash: fp.flash.saturating_sub(empty.flash),
                    ram: fp.ram.saturating_sub(empty.ram),
                });
            }
        }
    }

    let mut table = String::new();
    let header: Vec<String> = columns.iter().map(|c| format!("{} opt {}", c.1, c.3)).collect();
    let _ = writeln!(table, "| algorithms | image | {} |", header.join(" | "));
    let _ = writeln!(table, "|---|---|{}", "---:|".repeat(columns.len()));
    for &(label, _) in &algsets {
        for &(image, bin) in BINS {
            let row: Vec<String> = cells[&(label, bin)]
                .iter()
                .map(|c| c.map_or_else(|| "–".to_owned(), |f| format!("{} / {} B", kib(f.flash), f.ram)))
                .collect();
            let _ = writeln!(table, "| {label} | {image} | {} |", row.join(" | "));
        }
    }
    println!();
    println!("Flash (.text+.rodata+.data) / static RAM (.data+.bss), minus an empty image;");
    println!("LTO, codegen-units = 1, panic = abort; examples/size:");
    println!();
    print!("{table}");

    // Budgets: thumbv7em opt z is column 0.
    println!();
    let at = |label: &str, bin: &str| cells.get(&(label, bin)).and_then(|r| r[0]);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    if let Some(all) = at("all algorithms", "both") {
        println!(
            "budget: all algorithms sign+verify ≤ 64 KiB (thumbv7em opt z): {} — {}",
            kib(all.flash),
            verdict(all.flash <= BUDGET_ALL_FLASH)
        );
    }
    if let Some(hs) = at("HS256", "both") {
        println!(
            "budget: HS256 sign+verify ≤ 16 KiB (thumbv7em opt z): {} — {}",
            kib(hs.flash),
            verdict(hs.flash <= BUDGET_HS256_FLASH)
        );
    }
    let max_ram = cells.values().filter_map(|r| r[0]).map(|f| f.ram).max().unwrap_or(0);
    println!(
        "budget: static RAM ≤ 512 B (thumbv7em opt z, every image): {max_ram} B — {}",
        verdict(max_ram <= BUDGET_RAM)
    );

    size_rsa(root, &size_tool, quick)?;

    // Where the bytes of the two flash budgets go. Later builds overwrite the images of a
    // set, so build thumbv7em opt z again (cargo only relinks what changed).
    for (label, features) in [("HS256", "hs"), ("all algorithms", "hs,es256,eddsa")] {
        let dir = build(root, TARGETS[0].0, OPTS[0].0, features, &bins)?;
        let parts = breakdown(root, &dir.join("both"))?;
        let total: u64 = parts.iter().map(|p| p.1).sum();
        println!();
        println!("where the .text of {label} sign + verify goes (thumbv7em opt z, {}):", kib(total));
        for (owner, bytes) in parts.iter().take(14) {
            println!("  {:>9}  {owner}", kib(*bytes));
        }
    }
    Ok(())
}

/// `.text` bytes of an image by owner: the first source location outside the Rust standard
/// library in each instruction's inline chain (a ciphertoken file, a dependency crate), or
/// `core / compiler-builtins` when there is none. Largest first.
fn breakdown(root: &Path, elf: &Path) -> Result<Vec<(String, u64)>, String> {
    let objdump = llvm_tool("llvm-objdump")?;
    let text = capture(Command::new(objdump).args(["-d", "--no-show-raw-insn", "--section=.text"]).arg(elf))?;
    let mut addrs: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with(' '))
        .filter_map(|l| {
            let (addr, rest) = l.trim_start().split_once(':')?;
            if rest.trim().is_empty() {
                return None;
            }
            u64::from_str_radix(addr, 16).ok()
        })
        .collect();
    addrs.sort_unstable();
    addrs.dedup();
    let chains = inline_chains(elf, &addrs)?;
    let src = format!("{}/src/", root.display());
    let mut by_owner: HashMap<String, u64> = HashMap::new();
    for (i, chain) in chains.iter().enumerate() {
        let size = match addrs.get(i + 1) {
            Some(next) if next - addrs[i] <= 4 => next - addrs[i],
            _ => 2,
        };
        let owner = chain.iter().find(|(_, loc)| !in_std(loc)).map_or_else(
            || "core / compiler-builtins".to_owned(),
            |(_, loc)| {
                let file = loc.rsplit_once(':').map_or(loc.as_str(), |(f, _)| f);
                if let Some(rel) = file.strip_prefix(&src) {
                    format!("ciphertoken src/{rel}")
                } else if let Some(rest) = file.split("/registry/src/").nth(1) {
                    let krate = rest.split('/').nth(1).unwrap_or("?");
                    krate.rsplit_once('-').map_or(krate, |(name, _)| name).to_owned()
                } else if file.contains("/examples/") {
                    "size harness (claims type, calls)".to_owned()
                } else {
                    "other".to_owned()
                }
            },
        );
        *by_owner.entry(owner).or_default() += size;
    }
    let mut parts: Vec<(String, u64)> = by_owner.into_iter().collect();
    parts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(parts)
}

// ---------------------------------------------------------------------------
// Panic paths
// ---------------------------------------------------------------------------

/// The link check: the `no_panic` image (HS256 sign, sign_json, verify_registered) with a
/// panic handler that calls an undefined function must link at opt-level `s`. At `z` it must
/// link too, unless every surviving panic path is a dependency's (then they are listed; with
/// base64ct 1.8 its `copy_from_slice` calls keep four at `z`).
pub fn panic_link_check(root: &Path) -> Result<(), String> {
    let target = TARGETS[0].0;
    for &(profile, opt) in OPTS.iter().rev() {
        match build(root, target, profile, "hs,panic-check", &["no_panic"]) {
            Ok(_) => println!(
                "HS256 no_panic image (sign, sign_json, verify_registered) links at opt-level {opt}: no reachable panic"
            ),
            Err(e) if opt == "s" => {
                return Err(format!("{e}\na panic path survives in the HS256 profile at opt-level s: `cargo xtask panics` lists it"))
            }
            Err(_) => {
                println!("the link at opt-level {opt} failed (expected message above); what keeps panics alive:");
                let dir = build(root, target, profile, "hs", &["no_panic"])?;
                let sites = panic_sites(root, &dir.join("no_panic"))?;
                let own = report_sites(&format!("HS256 no_panic ({target}, opt {opt})"), &sites);
                if own > 0 || sites.is_empty() {
                    return Err(format!("HS256 profile at opt-level {opt}: {own} panic path(s) in ciphertoken's own code"));
                }
                println!("HS256 at opt-level {opt}: only dependencies keep panic paths; none in ciphertoken");
            }
        }
    }
    Ok(())
}

/// The `cargo xtask test` step: the link check, then the sizes and the panic paths of the
/// quick configuration (thumbv7em, opt z).
pub fn test_step(root: &Path) -> Result<(), String> {
    panic_link_check(root)?;
    size(root, true)?;
    panics(root, true)
}

/// A call into the panic machinery, attributed to the first source location outside the
/// Rust standard library in its inline chain.
struct Site {
    /// `ciphertoken` (the core's own src/), a dependency's `name-version`, or `harness`.
    owner: String,
    location: String,
    function: String,
    callee: String,
}

/// Functions of an image and the functions each one branches to (calls and tail calls).
struct CallGraph {
    calls: BTreeMap<String, Vec<(u64, String)>>,
    starts: HashMap<String, u64>,
}

fn call_graph(elf: &Path) -> Result<CallGraph, String> {
    let objdump = llvm_tool("llvm-objdump")?;
    let text = capture(Command::new(objdump).args(["-d", "-C", "--no-show-raw-insn"]).arg(elf))?;
    let mut calls: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    let mut starts = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        // `0000bad4 <core::panicking::panic_fmt>:`
        if let Some((addr, name)) = line.strip_suffix(">:").and_then(|l| l.split_once(" <")) {
            if let Ok(addr) = u64::from_str_radix(addr, 16) {
                current = Some(name.to_owned());
                calls.entry(name.to_owned()).or_default();
                starts.insert(name.to_owned(), addr);
                continue;
            }
        }
        // `    bad0:      	bl	0xbad4 <core::panicking::panic_fmt> @ imm = #0x0`
        let Some(func) = &current else { continue };
        let trimmed = line.trim_start();
        let Some((addr, rest)) = trimmed.split_once(':') else { continue };
        let Ok(addr) = u64::from_str_radix(addr, 16) else { continue };
        let mut fields = rest.split_whitespace();
        let Some(mnemonic) = fields.next() else { continue };
        if !mnemonic.starts_with('b') && !mnemonic.starts_with('j') && !mnemonic.starts_with("call") {
            continue;
        }
        let Some((_, target)) = rest.split_once(" <") else { continue };
        let target = target.split(" @ ").next().unwrap_or(target).trim_end().trim_end_matches('>');
        // A branch into the middle of a function is a local jump (or data read as code).
        if target.contains("+0x") || target == func {
            continue;
        }
        calls.entry(func.clone()).or_default().push((addr, target.to_owned()));
    }
    Ok(CallGraph { calls, starts })
}

/// Source locations (innermost inlined frame first) of `addrs`, from the DWARF line tables.
fn inline_chains(elf: &Path, addrs: &[u64]) -> Result<Vec<Vec<(String, String)>>, String> {
    let input: String = addrs.iter().map(|a| format!("{a:#x}\n")).collect();
    let out =
        pipe(Command::new("arm-none-eabi-addr2line").args(["-i", "-f", "-C", "-a", "-e"]).arg(elf), &input)?;
    let mut chains: Vec<Vec<(String, String)>> = Vec::new();
    let mut lines = out.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("0x") {
            chains.push(Vec::new());
            continue;
        }
        let location = lines.next().unwrap_or("??:0").to_owned();
        if let Some(chain) = chains.last_mut() {
            chain.push((line.to_owned(), location));
        }
    }
    if chains.len() != addrs.len() {
        return Err(format!("addr2line answered {} of {} addresses", chains.len(), addrs.len()));
    }
    Ok(chains)
}

/// Whether a source location is the Rust standard library (core, compiler-builtins).
fn in_std(location: &str) -> bool {
    location.starts_with("/rustc/")
        || location.contains("/library/core/")
        || location.contains("compiler_builtins")
        || location.contains("compiler-builtins")
        || location.starts_with("??")
}

/// Legacy-mangled leftovers (`_$LT$core..ops..Range$LT$usize$GT$...`) made readable.
fn readable(name: &str) -> String {
    let name = name.split("::h").next().unwrap_or(name);
    let mut s = name.trim_start_matches('_').to_owned();
    for (from, to) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$u20$", " "),
        ("$RF$", "&"),
        ("$C$", ","),
        ("$u5b$", "["),
        ("$u5d$", "]"),
        ("$u3b$", ";"),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("..", "::"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Every direct call into a panic primitive from which the panic handler is reachable.
fn panic_sites(root: &Path, elf: &Path) -> Result<Vec<Site>, String> {
    let graph = call_graph(elf)?;
    let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
    for (f, cs) in &graph.calls {
        for (_, t) in cs {
            callers.entry(t.as_str()).or_default().push(f.as_str());
        }
    }
    let roots: Vec<&str> = graph
        .calls
        .keys()
        .map(String::as_str)
        .filter(|f| *f == "core::panicking::panic_fmt" || f.contains("rust_begin_unwind"))
        .collect();
    let mut panicking: HashSet<&str> = roots.iter().copied().collect();
    let mut stack = roots;
    while let Some(f) = stack.pop() {
        for &c in callers.get(f).map(Vec::as_slice).unwrap_or(&[]) {
            if panicking.insert(c) {
                stack.push(c);
            }
        }
    }
    // The panic machinery: functions that can reach the handler and whose own code is the
    // standard library's (bounds checks, slice and unwrap failures, `panic_fmt`), except drop
    // glue, which runs the program's own `Drop`.
    let candidates: Vec<&str> = panicking.iter().copied().filter(|f| graph.starts.contains_key(*f)).collect();
    let entries: Vec<u64> = candidates.iter().map(|f| graph.starts[*f]).collect();
    let entry_chains = inline_chains(elf, &entries)?;
    let primitives: HashSet<&str> = candidates
        .iter()
        .zip(&entry_chains)
        .filter(|(f, chain)| {
            let readable = readable(f);
            !readable.contains("drop_in_place")
                && (f.starts_with("core::")
                    || f.contains("rust_begin_unwind")
                    || chain.first().is_some_and(|(_, loc)| in_std(loc)))
        })
        .map(|(f, _)| *f)
        .collect();
    let mut raw: Vec<(u64, &str, &str)> = Vec::new();
    for (f, cs) in &graph.calls {
        if primitives.contains(f.as_str()) {
            continue;
        }
        for (addr, t) in cs {
            if primitives.contains(t.as_str()) {
                raw.push((*addr, f.as_str(), t.as_str()));
            }
        }
    }
    // opt-level z's machine outliner merges identical instruction runs of several functions
    // into `OUTLINED_FUNCTION_n`, whose debug info has no inline chain: a site there belongs
    // to the code at each call of the outlined function.
    for _ in 0..4 {
        let (outlined, kept): (Vec<_>, Vec<_>) =
            raw.into_iter().partition(|(_, f, _)| f.starts_with("OUTLINED_FUNCTION"));
        raw = kept;
        if outlined.is_empty() {
            break;
        }
        for (_, fragment, callee) in outlined {
            for (caller, calls) in &graph.calls {
                for (addr, t) in calls {
                    if t == fragment && !raw.iter().any(|r| r.0 == *addr) {
                        raw.push((*addr, caller.as_str(), callee));
                    }
                }
            }
        }
    }
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let addrs: Vec<u64> = raw.iter().map(|r| r.0).collect();
    let chains = inline_chains(elf, &addrs)?;
    let src = root.join("src");
    let src = src.to_string_lossy();
    let examples = root.join("examples");
    let examples = examples.to_string_lossy();
    let mut sites = Vec::new();
    for ((_, func, callee), chain) in raw.iter().zip(chains) {
        // A frame without a line number (`file:?`, `file:0`) is code LTO merged or moved without
        // a precise location; prefer a frame that has one.
        let has_line = |loc: &str| !loc.ends_with(":?") && !loc.ends_with(":0");
        let precise = chain.iter().find(|(_, loc)| !in_std(loc) && has_line(loc)).cloned();
        let (function, location) = precise.clone().unwrap_or_else(|| {
            chain
                .iter()
                .find(|(_, loc)| !in_std(loc))
                .cloned()
                .unwrap_or_else(|| (readable(func), "?".to_owned()))
        });
        // Without a line, the function's own crate (its path's first segment) is the better
        // witness than the file the merged code was attributed to.
        let named_crate =
            readable(&function).split("::").next().unwrap_or("").trim_start_matches('<').to_owned();
        let owner = if precise.is_none() && !named_crate.is_empty() && named_crate != "ciphertoken" {
            let dashed = named_crate.replace('_', "-");
            format!("{dashed} (no line info)")
        } else if location.starts_with(src.as_ref()) {
            "ciphertoken".to_owned()
        } else if let Some(rest) = location.split("/registry/src/").nth(1) {
            rest.split('/').nth(1).unwrap_or("?").to_owned()
        } else if location.starts_with(examples.as_ref()) {
            "harness".to_owned()
        } else {
            "other".to_owned()
        };
        let location = location
            .strip_prefix(&format!("{}/", root.display()))
            .map(str::to_owned)
            .or_else(|| {
                location
                    .split("/registry/src/")
                    .nth(1)
                    .and_then(|r| r.split_once('/'))
                    .map(|(_, p)| p.to_owned())
            })
            .unwrap_or(location);
        sites.push(Site { owner, location, function: readable(&function), callee: readable(callee) });
    }
    Ok(sites)
}

fn pipe(cmd: &mut Command, input: &str) -> Result<String, String> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().map_err(|e| {
        format!("cannot run {:?}: {e} (binutils-arm-none-eabi, see .ci/run)", cmd.get_program())
    })?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Prints the sites of one image grouped by owner; returns how many are in ciphertoken.
fn report_sites(what: &str, sites: &[Site]) -> usize {
    let mut by_owner: BTreeMap<&str, Vec<&Site>> = BTreeMap::new();
    for s in sites {
        by_owner.entry(s.owner.as_str()).or_default().push(s);
    }
    println!("{what}: {} call(s) into the panic machinery", sites.len());
    for (owner, list) in &by_owner {
        let mut places: BTreeMap<String, usize> = BTreeMap::new();
        for s in list {
            *places.entry(format!("{} ({} -> {})", s.location, s.function, s.callee)).or_default() += 1;
        }
        println!("  {owner}: {}", list.len());
        for (place, n) in places {
            println!("    {place}{}", if n > 1 { format!(" ×{n}") } else { String::new() });
        }
    }
    by_owner.get("ciphertoken").map_or(0, Vec::len)
}

/// `cargo xtask panics [--quick]`: for each algorithm set (thumbv7em, both opt-levels), lists
/// the code that keeps a panic path alive after LTO, grouped by crate, and fails if any of it
/// is ciphertoken's own. `--quick` (the `cargo xtask test` step): all algorithms, opt z.
pub fn panics(root: &Path, quick: bool) -> Result<(), String> {
    let target = TARGETS[0].0;
    let opts: &[(&str, &str)] = if quick { &OPTS[..1] } else { OPTS };
    let algsets: &[(&str, &str)] = if quick { &ALGSETS[3..4] } else { &ALGSETS[..4] };
    let mut own = 0;
    for &(profile, opt) in opts {
        for &(label, features) in algsets {
            let mut bins: Vec<&str> = BINS.iter().map(|b| b.1).collect();
            bins.extend(["empty", "no_panic"]);
            let dir = build(root, target, profile, features, &bins)?;
            for (image, bin) in
                [("sign + verify", "both"), ("sign + sign_json + verify_registered", "no_panic")]
            {
                let sites = panic_sites(root, &dir.join(bin))?;
                own += report_sites(&format!("{label}, {image} ({target}, opt {opt})"), &sites);
            }
        }
    }
    if own > 0 {
        return Err(format!(
            "{own} panic path(s) in ciphertoken's own code (src/), listed above. Typical causes at \
             opt-level z, which does not inline core's checks: `copy_from_slice` (use \
             `crate::copy_bytes`), `char::encode_utf8` (use `json::utf8`), slice indexing, and \
             `zip` over `chunks_exact` (a division by a chunk size it cannot see)"
        ));
    }
    println!("no panic path in ciphertoken's own code");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_sum_into_flash_and_ram() {
        let out = "both  :\nsection  size  addr\n.vector_table  1024  0\n.text  35620  1024\n\
                   .rodata  844  36644\n.data  8  536870912\n.bss  4  536870920\n.debug_info  9999  0\n";
        let fp = parse_sections(out);
        assert_eq!(fp.flash, 1024 + 35620 + 844 + 8);
        assert_eq!(fp.ram, 8 + 4);
    }

    #[test]
    fn legacy_mangled_names_become_readable() {
        assert_eq!(
            readable("_$LT$core..ops..range..RangeTo$LT$usize$GT$$u20$as$u20$core..slice..index..SliceIndex$LT$$u5b$T$u5d$$GT$$GT$::index_mut::h3b027361b62fce90"),
            "<core::ops::range::RangeTo<usize> as core::slice::index::SliceIndex<[T]>>::index_mut"
        );
        assert_eq!(readable("core::panicking::panic_fmt"), "core::panicking::panic_fmt");
    }

    #[test]
    fn standard_library_locations() {
        assert!(in_std(
            "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/slice/index.rs:581"
        ));
        assert!(in_std("??:0"));
        assert!(!in_std("/work/main/src/mac.rs:139"));
        assert!(!in_std("/root/.cargo/registry/src/index.crates.io-1/base64ct-1.8.3/src/encoding.rs:222"));
    }
}
