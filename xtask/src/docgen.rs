//! Figures in the docs are written by the tools that measure them, never pasted.
//!
//! `cargo xtask size`, `cargo xtask qemu` and `cargo xtask bench` run themselves once more as
//! a child process with standard output piped: every line is echoed as it comes, and when
//! the run succeeds the whole output replaces the block between
//! `<!-- BEGIN cargo xtask NAME -->` and `<!-- END cargo xtask NAME -->` in
//! `docs/performance.md`, under a line that says when, with which compiler and on which CPU
//! it was measured. A failed run leaves the page as it was.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Set in the child so that it measures instead of recording again.
const RECORDING: &str = "CIPHERTOKEN_XTASK_RECORDING";

/// The page the blocks live in, relative to the workspace root.
pub const PAGE: &str = "docs/performance.md";

/// True in the child run (the one that measures).
pub fn is_child() -> bool {
    std::env::var_os(RECORDING).is_some()
}

/// Runs `cargo xtask ARGS` as a child, echoes its output, and on success writes it into
/// the block `name` of [`PAGE`].
pub fn record(root: &Path, name: &str, args: &[&str]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let mut child = Command::new(exe)
        .current_dir(root)
        .args(args)
        .env(RECORDING, "1")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run xtask {}: {e}", args.join(" ")))?;
    let mut captured = String::new();
    if let Some(out) = child.stdout.take() {
        let stdout = std::io::stdout();
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| format!("reading xtask output: {e}"))?;
            let mut lock = stdout.lock();
            let _ = writeln!(lock, "{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let status = child.wait().map_err(|e| format!("waiting for xtask: {e}"))?;
    if !status.success() {
        return Err(format!("xtask {} exited with {status}; {PAGE} left as it was", args.join(" ")));
    }
    let page_path = root.join(PAGE);
    let page = std::fs::read_to_string(&page_path).map_err(|e| format!("{}: {e}", page_path.display()))?;
    let block =
        format!("{}\n\n{}", provenance(&format!("cargo xtask {}", args.join(" "))), as_markdown(&captured));
    let updated = replace_block(&page, name, &block)?;
    std::fs::write(&page_path, updated).map_err(|e| format!("{}: {e}", page_path.display()))?;
    println!("xtask: wrote the output above into {PAGE} (block \"{name}\")");
    Ok(())
}

/// `page` with the text between the markers of block `name` replaced by `block`.
fn replace_block(page: &str, name: &str, block: &str) -> Result<String, String> {
    let begin = format!("<!-- BEGIN cargo xtask {name} -->");
    let end = format!("<!-- END cargo xtask {name} -->");
    let start = page.find(&begin).ok_or_else(|| format!("{PAGE} has no `{begin}` marker"))?;
    let body = start + begin.len();
    let stop =
        page[body..].find(&end).map(|i| body + i).ok_or_else(|| format!("{PAGE} has no `{end}` marker"))?;
    Ok(format!("{}\n{}{}", &page[..body], block, &page[stop..]))
}

/// The tools print Markdown tables between plain lines: keep the tables, and end every
/// other non-blank line with a hard break so that lines stay lines.
fn as_markdown(output: &str) -> String {
    let mut text = String::new();
    for line in output.lines() {
        text.push_str(line.trim_end());
        if !line.trim().is_empty() && !line.trim_start().starts_with('|') {
            text.push_str("  ");
        }
        text.push('\n');
    }
    text
}

/// "Measured on DATE with RUSTC on CPU (N cores) by COMMAND."
fn provenance(command: &str) -> String {
    let date = output_of("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "an unknown date".into());
    let rustc = output_of("rustc", &["-V"]).unwrap_or_else(|| "an unknown rustc".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("Written by `{command}` on {date}, {rustc}, {cpu} ({cores} cores). Do not edit: run the command again.")
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_replaced_between_its_markers_only() {
        let page = "intro\n<!-- BEGIN cargo xtask size -->\nold\n<!-- END cargo xtask size -->\n\
                    <!-- BEGIN cargo xtask qemu -->\nkeep\n<!-- END cargo xtask qemu -->\n";
        let out = replace_block(page, "size", "new\n").unwrap();
        assert!(out.contains("<!-- BEGIN cargo xtask size -->\nnew\n<!-- END cargo xtask size -->"));
        assert!(out.contains("keep") && !out.contains("old"));
        assert!(replace_block(page, "bench", "x").is_err());
    }

    #[test]
    fn tables_stay_tables_and_lines_stay_lines() {
        let out = as_markdown("budget: met\n| a | b |\n|---|---|\n\nnext\n");
        assert_eq!(out, "budget: met  \n| a | b |\n|---|---|\n\nnext  \n");
    }
}
