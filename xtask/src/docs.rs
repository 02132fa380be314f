//! Checks that what the docs tell a user to copy works.
//!
//! * Rust blocks in README.md and docs/*.md are doc tests of the core (`src/lib.rs` includes
//!   the files under `cfg(doctest)`), run by `cargo test -p ciphertoken --all-features`.
//! * [`c_snippets`]: every code line of a C block in README.md and docs/*.md stands, verbatim,
//!   in one of the C programs that CI builds and runs, so a snippet cannot drift from them.
//! * [`readme_consumer`]: a new crate outside the workspace with README's `[dependencies]`
//!   lines (the path pointing at this checkout) and README's first Rust example as its
//!   `main.rs`, built and run as a user would.
//! * The walk-through scripts (`examples/provisioning/walkthrough.sh`,
//!   `examples/gateway/walkthrough.sh`) are plain steps in `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// C programs that CI builds and runs, and the header they include; C snippets in the docs
/// must be made of their lines.
const C_SOURCES: &[&str] =
    &["examples/c", "examples/provisioning", "examples/firmware/c", "examples/psa", "ffi/tests/c", "include"];

/// The Markdown files a user reads.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("SECURITY.md")];
    if let Ok(entries) = std::fs::read_dir(root.join("docs")) {
        let mut docs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        docs.sort();
        files.extend(docs);
    }
    files
}

/// The fenced blocks of `lang` in a Markdown text, with the line each starts on.
fn fenced_blocks<'a>(text: &'a str, lang: &str) -> Vec<(usize, Vec<&'a str>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed.starts_with("```") => {
                let info = trimmed.trim_start_matches('`').trim();
                let first = info.split([',', ' ']).next().unwrap_or("");
                current = Some((i + 1, Vec::new()));
                if first != lang {
                    current = Some((0, Vec::new())); // a block of another language: skipped
                }
            }
            None => {}
            Some((start, lines)) => {
                if trimmed.starts_with("```") {
                    if *start != 0 {
                        blocks.push((*start, std::mem::take(lines)));
                    }
                    current = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    blocks
}

/// A C line that carries code (not blank, not only a comment or a brace).
fn is_code(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty()
        || t.starts_with("/*")
        || t.starts_with("//")
        || t.starts_with('*')
        || t == "{"
        || t == "}")
}

/// Every code line of every C block in the docs appears in one of [`C_SOURCES`].
pub fn c_snippets(root: &Path) -> Result<(), String> {
    let mut corpus = String::new();
    for dir in C_SOURCES {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "c" || x == "h") {
                corpus.push_str(
                    &std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
                );
            }
        }
    }
    let known: std::collections::HashSet<&str> = corpus.lines().map(str::trim).collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in doc_files(root) {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (start, lines) in fenced_blocks(&text, "c") {
            for (offset, line) in lines.iter().enumerate() {
                if !is_code(line) {
                    continue;
                }
                checked += 1;
                if !known.contains(line.trim()) {
                    let name = file.strip_prefix(root).unwrap_or(&file).display();
                    problems.push(format!("{name}:{}: {}", start + 1 + offset, line.trim()));
                }
            }
        }
    }
    if problems.is_empty() {
        println!("{checked} lines of C in the docs, each found in the example programs CI runs");
        Ok(())
    } else {
        Err(format!("C snippet lines not found in any of {}:\n{}", C_SOURCES.join(", "), problems.join("\n")))
    }
}

/// Builds and runs README's first Rust example as a crate of its own, with README's
/// dependency lines.
pub fn readme_consumer(root: &Path) -> Result<(), String> {
    let readme = std::fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let deps = fenced_blocks(&readme, "toml")
        .into_iter()
        .find(|(_, lines)| lines.first().is_some_and(|l| l.trim() == "[dependencies]"))
        .ok_or("README.md has no ```toml block starting with [dependencies]")?
        .1;
    let main = fenced_blocks(&readme, "rust").into_iter().next().ok_or("README.md has no ```rust block")?.1;
    let checkout = root.display().to_string();
    let deps: Vec<String> =
        deps.iter().map(|l| l.replace("\"../ciphertoken\"", &format!("{checkout:?}"))).collect();
    if !deps.iter().any(|l| l.contains(&checkout)) {
        return Err("README's dependency line no longer says path = \"../ciphertoken\"".into());
    }
    let dir = root.join("target/readme-consumer");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"readme-consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n{}\n",
        deps.join("\n")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/main.rs"), main.join("\n") + "\n").map_err(|e| e.to_string())?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&dir)
        .args(["run", "--quiet"])
        .env("CARGO_TARGET_DIR", root.join("target/readme-consumer/target"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        println!("README's dependency lines and first example build and run in a crate of their own");
        Ok(())
    } else {
        Err(format!("the README consumer crate ({}) failed: {status}", dir.display()))
    }
}

/// `cargo xtask docs`: the checks above and both walk-throughs.
pub fn check_all(root: &Path) -> Result<(), String> {
    c_snippets(root)?;
    readme_consumer(root)?;
    for script in ["examples/provisioning/walkthrough.sh", "examples/gateway/walkthrough.sh"] {
        let status = Command::new("bash")
            .current_dir(root)
            .arg(script)
            .status()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        if !status.success() {
            return Err(format!("{script} failed: {status}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_one_language_with_their_lines() {
        let md = "x\n```c\nint a;\n```\n```rust\nlet b = 1;\n```\n```c\n/* c */\nint d;\n```\n";
        let c = fenced_blocks(md, "c");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], (2, vec!["int a;"]));
        assert_eq!(c[1].1, vec!["/* c */", "int d;"]);
        assert_eq!(fenced_blocks(md, "rust")[0].1, vec!["let b = 1;"]);
        assert!(!is_code("  /* a comment */") && !is_code("}") && is_code("int d;"));
    }
}
