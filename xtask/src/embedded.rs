//! Microcontroller checks: the QEMU firmware (`cargo xtask qemu`).
//!
//! The firmware crate (`examples/firmware`) is not a workspace member: it has its own
//! lockfile and target directory and is built for bare-metal targets only. The C firmware
//! (`examples/firmware/c`) links `libciphertoken.a` (ffi/, built for thumbv7em-none-eabihf)
//! with arm-none-eabi-gcc and newlib's semihosting `rdimon`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Seconds a QEMU run may take before it counts as hung (a normal run takes 1–3 s).
const QEMU_TIMEOUT_SECS: u32 = 120;

/// One emulated board per Rust target.
pub struct Board {
    pub target: &'static str,
    pub name: &'static str,
    pub qemu: &'static str,
    pub machine: &'static [&'static str],
}

/// The boards the firmware runs on, in `cargo xtask qemu` order.
pub const BOARDS: &[Board] = &[
    Board {
        target: "thumbv7em-none-eabihf",
        name: "Cortex-M4F mps2-an386",
        qemu: "qemu-system-arm",
        machine: &["-machine", "mps2-an386", "-cpu", "cortex-m4"],
    },
    Board {
        target: "thumbv7m-none-eabi",
        name: "Cortex-M3 lm3s6965evb",
        qemu: "qemu-system-arm",
        machine: &["-machine", "lm3s6965evb", "-cpu", "cortex-m3"],
    },
    Board {
        target: "thumbv6m-none-eabi",
        name: "Cortex-M0 microbit (16 KB RAM)",
        qemu: "qemu-system-arm",
        machine: &["-machine", "microbit"],
    },
    Board {
        target: "riscv32imc-unknown-none-elf",
        name: "RV32IMC virt",
        qemu: "qemu-system-riscv32",
        machine: &["-machine", "virt", "-cpu", "rv32", "-bios", "none"],
    },
];

/// The C firmware's board: the Rust target its `libciphertoken.a` is built for.
pub const C_BOARD: Board = Board {
    target: "thumbv7em-none-eabihf",
    name: "C + libciphertoken.a on Cortex-M4F mps2-an386",
    qemu: "qemu-system-arm",
    machine: &["-machine", "mps2-an386", "-cpu", "cortex-m4"],
};

/// arm-none-eabi-gcc flags matching thumbv7em-none-eabihf (hard-float ABI, FPv4-SP).
pub(crate) const C_FLAGS: &[&str] = &[
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Os",
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
    "-ffunction-sections",
    "-fdata-sections",
    "-nostartfiles",
    // newlib-nano: the printf/malloc firmware ships with (newlib's full printf is ~28 KB more).
    "--specs=nano.specs",
    "--specs=rdimon.specs",
    "-Wl,--gc-sections",
    // newlib's objects lack .note.GNU-stack; nothing here has a stack to protect.
    "-Wl,--no-warn-execstack",
];

/// Flags common to every run: semihosting for output and exit status, and `-icount shift=0`
/// so that one instruction takes 1 ns of virtual time (the firmware turns tick counts into
/// instruction counts with it).
const QEMU_COMMON: &[&str] = &[
    "-nographic",
    "-monitor",
    "none",
    "-serial",
    "none",
    "-semihosting-config",
    "enable=on,target=native",
    "-icount",
    "shift=0",
];

fn firmware_dir(root: &Path) -> PathBuf {
    root.join("examples").join("firmware")
}

/// `p256-cm4` 0.4.0 (the Cortex-M4 ES256 backend) has one instruction that QEMU refuses:
/// `ldm r4,{r6}` in `mul288x288` (src/asm/util.rs), which LLVM's assembler encodes as
/// `LDM.W` with a single register, UNPREDICTABLE in ARMv7-M (ARM DDI 0403E A7.7.41: "if
/// BitCount(registers) < 2 then UNPREDICTABLE"). Cortex-M4 silicon loads the word (the
/// crate's authors measure on an STM32WLE5); QEMU 7.2 raises UNDEFINSTR (a HardFault).
/// GNU as turns the same source line into `ldr r6,[r4]`, the instruction meant.
///
/// For the QEMU runs only, the builds take a copy of the crate (from Cargo's registry
/// cache) with that one line as `ldr r6, [r4]`, through `--config patch.crates-io...`: same
/// instruction count, same result. The lockfile Cargo rewrites for the patch is restored
/// afterwards. Returns the `--config` argument.
const P256_CM4_BAD_LINE: &str = "ldm r4,{r6}";
const P256_CM4_FIXED_LINE: &str = "ldr r6, [r4]";

fn p256_cm4_patch(root: &Path, lockfile: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(lockfile).map_err(|e| format!("{}: {e}", lockfile.display()))?;
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"p256-cm4\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"')))
        .ok_or_else(|| format!("p256-cm4 is not in {}", lockfile.display()))?
        .to_owned();
    let dir = lockfile.parent().unwrap_or(root);
    // Make sure the registry holds the crate's source.
    run_status(
        Command::new(crate::cargo()).current_dir(dir).args(["fetch", "--target", "thumbv7em-none-eabihf"]),
        "cargo fetch",
    )?;
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let registry = cargo_home.join("registry").join("src");
    let src = std::fs::read_dir(&registry)
        .map_err(|e| format!("{}: {e}", registry.display()))?
        .filter_map(Result::ok)
        .map(|d| d.path().join(format!("p256-cm4-{version}")))
        .find(|p| p.is_dir())
        .ok_or_else(|| format!("p256-cm4-{version} not found under {}", registry.display()))?;
    let dst = workspace_target_dir(root).join("p256-cm4-qemu").join(&version);
    let util = dst.join("src").join("asm").join("util.rs");
    // Copied once (a fresh copy's new mtimes would rebuild everything above it each time).
    if !util.is_file() {
        copy_dir(&src, &dst)?;
    }
    let text = std::fs::read_to_string(&util).map_err(|e| format!("{}: {e}", util.display()))?;
    let count = text.matches(P256_CM4_BAD_LINE).count();
    let fixed = text.matches(P256_CM4_FIXED_LINE).count();
    if count == 1 {
        std::fs::write(&util, text.replace(P256_CM4_BAD_LINE, P256_CM4_FIXED_LINE))
            .map_err(|e| format!("{}: {e}", util.display()))?;
    } else if !(count == 0 && fixed == 1) {
        return Err(format!("p256-cm4 {version}: expected one `{P256_CM4_BAD_LINE}` in {}", util.display()));
    }
    Ok(format!("patch.crates-io.p256-cm4.path={:?}", dst.display().to_string()))
}

fn copy_dir(src: &Path, dst: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    for entry in std::fs::read_dir(src).map_err(|e| format!("{}: {e}", src.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", src.display()))?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if from.is_dir() {
            copy_dir(&from, &to)?;
        } else {
            std::fs::copy(&from, &to).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))?;
        }
    }
    Ok(())
}

/// Runs `cmd` with the QEMU copy of `p256-cm4` patched in, restoring `lockfile` afterwards.
fn with_p256_cm4_patch(root: &Path, lockfile: &Path, cmd: &mut Command, what: &str) -> Result<(), String> {
    let saved = std::fs::read(lockfile).map_err(|e| format!("{}: {e}", lockfile.display()))?;
    let patch = p256_cm4_patch(root, lockfile)?;
    cmd.args(["--config", &patch]);
    let result = run_status(cmd, what);
    std::fs::write(lockfile, saved).map_err(|e| format!("restoring {}: {e}", lockfile.display()))?;
    result
}

/// Builds the firmware (release profile: opt-level z, LTO, one codegen unit) for `targets`
/// in one cargo invocation, so the targets build in parallel. `features`: `None` for the
/// firmware's defaults, else exactly these features.
pub fn build_firmware(root: &Path, targets: &[&str], features: Option<&str>) -> Result<(), String> {
    let dir = firmware_dir(root);
    let mut cmd = Command::new(crate::cargo());
    cmd.current_dir(&dir).args(["build", "--release"]);
    if let Some(features) = features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    for t in targets {
        cmd.args(["--target", t]);
    }
    with_p256_cm4_patch(root, &dir.join("Cargo.lock"), &mut cmd, "building the firmware")
}

/// Issue 4's budgets are for a device without RSA: with the `rsa` feature every
/// `VerifyingKey` is ~1 KiB larger, which moves the HS256/ES256/EdDSA stack figures. The
/// Cortex-M4F firmware is run a second time built with these features only, and issue 4's
/// verdicts come from that run.
const FEATURES_WITHOUT_RSA: &str = "hs,es256,eddsa";

/// The Ed25519 comparison build (issue 15): `salty` beside ed25519-compact.
const FEATURES_WITH_SALTY: &str = "hs,es256,eddsa,salty";

/// Runs `cmd`, inheriting its output; an error says what failed.
pub fn run_status(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: {status}"))
    }
}

/// The workspace's target directory (where `libciphertoken.a` lands).
fn workspace_target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The cargo profile `libciphertoken.a` is built with for C firmware (workspace Cargo.toml:
/// opt-level z, thin LTO, one codegen unit, panic abort).
pub const C_PROFILE: &str = "firmware";

/// Builds `libciphertoken.a` for the C board (the `firmware` profile, the `panic-handler`
/// feature) and links the C firmware with arm-none-eabi-gcc; returns the ELF.
pub fn build_c_firmware(root: &Path) -> Result<PathBuf, String> {
    build_c_firmware_with(root, "panic-handler", "ciphertoken-c-firmware.elf")
}

/// [`build_c_firmware`] with the library's `features`, linked into `elf_name`.
fn build_c_firmware_with(root: &Path, features: &str, elf_name: &str) -> Result<PathBuf, String> {
    with_p256_cm4_patch(
        root,
        &root.join("Cargo.lock"),
        Command::new(crate::cargo()).current_dir(root).args([
            "build",
            "-p",
            "ciphertoken-ffi",
            "--target",
            C_BOARD.target,
            "--no-default-features",
            "--features",
            features,
            "--profile",
            C_PROFILE,
        ]),
        "building libciphertoken.a",
    )?;
    let lib = workspace_target_dir(root).join(C_BOARD.target).join(C_PROFILE).join("libciphertoken.a");
    let c_dir = firmware_dir(root).join("c");
    let out_dir = firmware_dir(root).join("target").join("c");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let elf = out_dir.join(elf_name);
    run_status(
        Command::new("arm-none-eabi-gcc")
            .args(C_FLAGS)
            .arg(format!("-I{}", root.join("include").display()))
            .arg("-T")
            .arg(c_dir.join("mps2-an386.ld"))
            .arg(c_dir.join("main.c"))
            .arg(c_dir.join("startup.c"))
            .arg(&lib)
            .arg("-o")
            .arg(&elf),
        "linking the C firmware with arm-none-eabi-gcc (gcc-arm-none-eabi, libnewlib-arm-none-eabi: see .ci/run)",
    )?;
    Ok(elf)
}

fn rust_elf(root: &Path, board: &Board) -> PathBuf {
    firmware_dir(root).join("target").join(board.target).join("release").join("ciphertoken-firmware")
}

/// Runs `elf` on `board` under QEMU, printing its output. Fails on a non-zero exit status, a
/// timeout, or output without a final `RESULT: ... 0 failed` line.
/// Returns QEMU's standard output.
pub(crate) fn run_board(board: &Board, elf: &Path) -> Result<String, String> {
    println!("--> {} ({}): {} {}", board.name, board.target, board.qemu, board.machine.join(" "));
    let start = Instant::now();
    let output = Command::new("timeout")
        .args(["--kill-after=5", &QEMU_TIMEOUT_SECS.to_string(), board.qemu])
        .args(board.machine)
        .args(QEMU_COMMON)
        .arg("-kernel")
        .arg(elf)
        .output()
        .map_err(|e| format!("cannot run timeout/{}: {e} (is QEMU installed? see .ci/run)", board.qemu))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    let secs = start.elapsed().as_secs_f64();
    match output.status.code() {
        Some(0) => {}
        Some(124 | 137) => return Err(format!("{}: timed out after {QEMU_TIMEOUT_SECS} s", board.name)),
        _ => return Err(format!("{}: QEMU exited with {} after {secs:.1} s", board.name, output.status)),
    }
    let passed = stdout.lines().any(|l| l.starts_with("RESULT:") && l.ends_with(" 0 failed"));
    if !passed {
        return Err(format!("{}: exit status 0 but no `RESULT: ... 0 failed` line", board.name));
    }
    println!("<-- {}: all checks passed ({secs:.1} s)", board.name);
    Ok(stdout.into_owned())
}

/// A row of the firmware's cost table: stack and instructions of the library, then of the
/// primitive alone (absent for key setup).
struct CostRow {
    stack: u64,
    instructions: u64,
    primitive_instructions: Option<u64>,
}

fn cost_rows(output: &str) -> Vec<(String, CostRow)> {
    output
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            let number = |i: usize| cells.get(i).and_then(|c| c.parse::<u64>().ok());
            Some((
                (*cells.first()?).to_owned(),
                CostRow { stack: number(1)?, instructions: number(2)?, primitive_instructions: number(4) },
            ))
        })
        .collect()
}

/// The stack and instruction budgets of issue 4 (Cortex-M4F, a firmware without RSA),
/// checked against the firmware's table. Printed, not enforced: the README publishes them
/// beside the measured figures.
fn print_budgets(output: &str) {
    let rows = cost_rows(output);
    let find = |name: &str| rows.iter().find(|(n, _)| n == name).map(|(_, r)| r);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("budgets (Cortex-M4F, firmware at opt-level z, features {FEATURES_WITHOUT_RSA}):");
    for (ops, limit) in [
        (&["HS256 sign", "HS256 verify", "HS256 verify_registered"][..], 1536),
        (&["ES256 verify", "ES256 verify_registered", "EdDSA verify", "EdDSA verify_registered"][..], 6656),
        (&["EdDSA sign"][..], 9728),
    ] {
        for op in ops {
            if let Some(r) = find(op) {
                println!("  stack {op}: {} B ≤ {limit} B — {}", r.stack, verdict(r.stack <= limit));
            }
        }
    }
    for op in ["ES256 sign", "ES256 verify", "EdDSA sign", "EdDSA verify"] {
        if let Some(CostRow { instructions, primitive_instructions: Some(p), .. }) = find(op) {
            let overhead = (*instructions as f64 - *p as f64) / (*p).max(1) as f64 * 100.0;
            println!("  library overhead {op}: {overhead:+.1} % ≤ 5 % — {}", verdict(overhead <= 5.0));
        }
    }
}

/// Issue 10's stack budgets (Cortex-M4F, the default firmware with rsa and jwk): RS256 verify
/// ≤ 5 KiB, JWK Set parsing ≤ 1.5 KiB.
fn print_rsa_budgets(output: &str) {
    let rows = cost_rows(output);
    let find = |name: &str| rows.iter().find(|(n, _)| n == name).map(|(_, r)| r);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!("budgets (Cortex-M4F, firmware at opt-level z, default features with rsa and jwk):");
    for (op, limit) in [("RS256 verify", 5120), ("JWKS parse", 1536)] {
        if let Some(r) = find(op) {
            println!("  stack {op}: {} B ≤ {limit} B — {}", r.stack, verdict(r.stack <= limit));
        }
    }
}

/// The C firmware's ES256 rows on both paths, with issue 15's instruction targets.
fn print_es256_paths(fast: &str, portable: &str) {
    let row = |out: &str, op: &str| -> Option<(u64, u64)> {
        out.lines().find_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split('|').map(str::trim).collect();
            (cells.first() == Some(&op))
                .then(|| Some((cells.get(1)?.parse().ok()?, cells.get(2)?.parse().ok()?)))?
        })
    };
    println!("ES256 on the Cortex-M4F, C firmware (stack B / instructions): p256-cm4 vs portable p256");
    for (op, target) in [("ES256 ct_sign", 600_000u64), ("ES256 ct_verify", 1_500_000)] {
        if let (Some((fs, fi)), Some((ps, pi))) = (row(fast, op), row(portable, op)) {
            let verdict = if fi <= target { "met" } else { "NOT met" };
            println!(
                "  {op}: {fs} B / {fi} (portable {ps} B / {pi}, {:.1}x fewer) — target <= {target}: {verdict}",
                pi as f64 / fi.max(1) as f64
            );
        }
    }
}

/// `cargo xtask qemu [TARGET... | c]`: builds and runs the Rust firmware on every board and
/// the C firmware (or only the boards of the given targets, `c` for the C firmware).
pub fn qemu(root: &Path, only: &[&str]) -> Result<(), String> {
    let boards: Vec<&Board> =
        BOARDS.iter().filter(|b| only.is_empty() || only.iter().any(|t| b.target.starts_with(t))).collect();
    let with_c = only.is_empty() || only.contains(&"c");
    if boards.is_empty() && !with_c {
        let known: Vec<&str> = BOARDS.iter().map(|b| b.target).collect();
        return Err(format!("no board for {only:?}; targets: {}, or c", known.join(", ")));
    }
    let mut failed = Vec::new();
    let mut rust_flash = None;
    if !boards.is_empty() {
        let targets: Vec<&str> = boards.iter().map(|b| b.target).collect();
        build_firmware(root, &targets, None)?;
        for board in &boards {
            match run_board(board, &rust_elf(root, board)) {
                Ok(out) if board.target == BOARDS[0].target => print_rsa_budgets(&out),
                Ok(_) => {}
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    failed.push(e);
                }
            }
        }
        if let Some(m4f) = boards.iter().find(|b| b.target == BOARDS[0].target) {
            println!("--- the Cortex-M4F firmware again without rsa/jwk ({FEATURES_WITHOUT_RSA}): the stack budgets");
            build_firmware(root, &[m4f.target], Some(FEATURES_WITHOUT_RSA))?;
            rust_flash = crate::install::flash_bytes(&rust_elf(root, m4f)).ok();
            match run_board(m4f, &rust_elf(root, m4f)) {
                Ok(out) => print_budgets(&out),
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    failed.push(e);
                }
            }
            // Issue 15: salty against ed25519-compact (same signature, instructions, stack).
            println!(
                "--- the Cortex-M4F firmware with `salty` beside ed25519-compact ({FEATURES_WITH_SALTY})"
            );
            build_firmware(root, &[m4f.target], Some(FEATURES_WITH_SALTY))?;
            if let Err(e) = run_board(m4f, &rust_elf(root, m4f)) {
                eprintln!("FAILED: {e}");
                failed.push(e);
            }
        }
    }
    if with_c {
        let elf = build_c_firmware(root)?;
        let fast = run_board(&C_BOARD, &elf);
        // The same C firmware over the portable p256 (feature `portable`): both ES256 paths.
        println!("--- the C firmware again with the portable ES256 (libciphertoken.a built with `portable`)");
        let elf =
            build_c_firmware_with(root, "panic-handler,portable", "ciphertoken-c-firmware-portable.elf")?;
        let portable = run_board(&C_BOARD, &elf);
        match (fast, portable) {
            (Ok(fast), Ok(portable)) => print_es256_paths(&fast, &portable),
            (fast, portable) => {
                for e in [fast.err(), portable.err()].into_iter().flatten() {
                    eprintln!("FAILED: {e}");
                    failed.push(e);
                }
            }
        }
        crate::install::print_c_flash(&elf, rust_flash, FEATURES_WITHOUT_RSA);
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

/// The `cargo xtask test` step: every board.
pub fn qemu_step(root: &Path) -> Result<(), String> {
    qemu(root, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_cost_table_parses() {
        let out = "| operation | stack (B) | instructions | primitive alone: stack (B) | instructions | library overhead |\n\
                   |---|---:|---:|---:|---:|---:|\n\
                   | HS256 key setup | 788 | 10759 | | | |\n\
                   | ES256 sign | 5400 | 10382432 | 5096 | 10328033 | +54399 (+0.5 %) |\n\
                   RESULT: 28 checks passed, 0 failed\n";
        let rows = cost_rows(out);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "HS256 key setup");
        assert_eq!(
            (rows[0].1.stack, rows[0].1.instructions, rows[0].1.primitive_instructions),
            (788, 10759, None)
        );
        assert_eq!(rows[1].0, "ES256 sign");
        assert_eq!(rows[1].1.primitive_instructions, Some(10328033));
    }
}
