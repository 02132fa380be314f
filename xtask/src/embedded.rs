//! Microcontroller checks: the QEMU firmware (`cargo xtask qemu`).
//!
//! The firmware crate (`examples/firmware`) is not a workspace member: it has its own
//! lockfile and target directory and is built for bare-metal targets only.

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

/// Builds the firmware (release profile: opt-level z, LTO, one codegen unit) for `targets`
/// in one cargo invocation, so the targets build in parallel.
pub fn build_firmware(root: &Path, targets: &[&str]) -> Result<(), String> {
    let dir = firmware_dir(root);
    let mut cmd = Command::new(crate::cargo());
    cmd.current_dir(&dir).args(["build", "--release"]);
    for t in targets {
        cmd.args(["--target", t]);
    }
    run_status(&mut cmd, "building the firmware")
}

/// Runs `cmd`, inheriting its output; an error says what failed.
pub fn run_status(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: {status}"))
    }
}

/// Runs the firmware of `board` under QEMU, printing its output. Fails on a non-zero exit
/// status, a timeout, or output without a final `RESULT: ... 0 failed` line.
fn run_board(root: &Path, board: &Board) -> Result<(), String> {
    let elf =
        firmware_dir(root).join("target").join(board.target).join("release").join("ciphertoken-firmware");
    println!("--> {} ({}): {} {}", board.name, board.target, board.qemu, board.machine.join(" "));
    let start = Instant::now();
    let output = Command::new("timeout")
        .args(["--kill-after=5", &QEMU_TIMEOUT_SECS.to_string(), board.qemu])
        .args(board.machine)
        .args(QEMU_COMMON)
        .arg("-kernel")
        .arg(&elf)
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
    Ok(())
}

/// `cargo xtask qemu [TARGET...]`: builds and runs the firmware on every board (or the
/// boards of the given targets).
pub fn qemu(root: &Path, only: &[&str]) -> Result<(), String> {
    let boards: Vec<&Board> =
        BOARDS.iter().filter(|b| only.is_empty() || only.iter().any(|t| b.target.starts_with(t))).collect();
    if boards.is_empty() {
        let known: Vec<&str> = BOARDS.iter().map(|b| b.target).collect();
        return Err(format!("no board for {only:?}; targets: {}", known.join(", ")));
    }
    let targets: Vec<&str> = boards.iter().map(|b| b.target).collect();
    build_firmware(root, &targets)?;
    let mut failed = Vec::new();
    for board in &boards {
        if let Err(e) = run_board(root, board) {
            eprintln!("FAILED: {e}");
            failed.push(e);
        }
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
