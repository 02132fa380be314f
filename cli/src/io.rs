//! Reading inputs and writing outputs: stdin/stdout conventions, 0600 files that are never
//! overwritten without `--force`, and buffers that are zeroized when they held secrets.

use crate::exit::{CliError, Result};
use std::fs::{self, OpenOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The largest input read from a file or stdin (keys, claims, tokens): 1 MiB.
const MAX_INPUT: u64 = 1 << 20;

/// Reads `path` (`-` for stdin) whole, into a buffer that is zeroized on drop.
pub fn read_input(path: &str, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    // Reserved up front so the buffer never reallocates: a reallocation would leave an
    // unzeroized copy of a key behind.
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_INPUT as usize + 64));
    let result = if path == "-" {
        std::io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut buf)
    } else {
        fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut buf))
    };
    let shown = if path == "-" { "stdin" } else { path };
    result.map_err(|e| CliError::io(format!("cannot read {what} from {shown}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::usage(format!("{what} from {shown} is larger than {MAX_INPUT} bytes")));
    }
    Ok(buf)
}

/// Where an output goes.
pub struct Dest<'a> {
    /// `None`: stdout.
    pub path: Option<&'a Path>,
    /// Overwrite an existing file.
    pub force: bool,
    /// The bytes are secret: the file is created with mode 0600.
    pub secret: bool,
    /// The bytes are binary: refuse to print them on a terminal.
    pub binary: bool,
}

/// Writes `bytes` to `dest`.
///
/// Files are created exclusively (an existing file is an error unless `force`); with
/// `force` the new content is written to a fresh temporary file (0600 for secrets) in the
/// same directory and renamed over the old one, so a secret never lands in a file with
/// looser permissions and a crash never leaves half a key.
pub fn write_output(dest: &Dest<'_>, bytes: &[u8]) -> Result<()> {
    match dest.path {
        None => write_stdout(bytes, dest.binary),
        Some(path) => write_file(path, bytes, dest.secret, dest.force),
    }
}

fn write_stdout(bytes: &[u8], binary: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if binary && out.is_terminal() {
        return Err(CliError::usage("refusing to write binary key material to a terminal; use --out FILE"));
    }
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io(format!("cannot write stdout: {e}")))
}

fn create_options(secret: bool) -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    o
}

fn write_file(path: &Path, bytes: &[u8], secret: bool, force: bool) -> Result<()> {
    let shown = path.display();
    if !force {
        let mut f = create_options(secret).open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::io(format!("{shown} exists; not overwriting it without --force"))
            } else {
                CliError::io(format!("cannot create {shown}: {e}"))
            }
        })?;
        return f
            .write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| CliError::io(format!("cannot write {shown}: {e}")));
    }
    let tmp = temp_path(path);
    let written = create_options(secret).open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| fs::rename(&tmp, path));
    renamed.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::io(format!("cannot write {shown}: {e}"))
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Prints a line on stdout.
pub fn print_line(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io(format!("cannot write stdout: {e}")))
}

/// Prints a diagnostic line on stderr (ignoring a closed stderr), with control characters
/// escaped: a hostile token's kid must not drive the terminal.
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", printable(line));
}

/// `s` with every control character (C0, DEL, C1: terminal escapes among them) written as
/// `\u00XX`. Inside a JSON string that is the same string, so JSON stays valid.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(
            super::printable("a\u{1b}[2Jb\u{9b}c\u{7f}\td\n"),
            "a\\u001b[2Jb\\u009bc\\u007f\\u0009d\n"
        );
        assert_eq!(super::printable("kid é ✓"), "kid é ✓");
    }
}
