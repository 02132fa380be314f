//! `ciphertoken`: make keys, mint and check tokens, and turn keys into C for firmware, with the
//! same parser and policy the devices run (the `ciphertoken` core crate).
//!
//! Rules: secrets never come from argv (`--key-file PATH|-`, `--key-env VAR`); data goes to
//! stdout, diagnostics to stderr; `--json` everywhere; each failure class has its own exit
//! code ([`exit::Exit`]); the algorithm always comes from the key, never from a token.

#![forbid(unsafe_code)]

mod claims;
mod exit;
mod io;
mod jwk;
mod keycmd;
mod keys;
mod pkcs;
mod pkcs11;
mod time;
mod tokencmd;
#[cfg(feature = "tpm")]
mod tpm;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use exit::{CliError, Exit};
use std::process::ExitCode;

/// Make keys, sign and verify JSON Web Tokens, and export keys for firmware, with the
/// ciphertoken core (HS256/384/512, ES256, EdDSA; RS256..PS512 tokens from identity
/// providers are verified, never signed).
///
/// Keys are read from --key-file PATH|- or --key-env VAR, never from arguments. Data goes
/// to stdout, diagnostics to stderr; --json makes both machine-readable.
#[derive(Debug, Parser)]
#[command(name = "ciphertoken", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Machine-readable output: a JSON object on stdout, errors as JSON on stderr
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a key (kid = its RFC 7638 thumbprint); private files are created 0600
    Keygen(keycmd::KeygenArgs),
    /// Public key, thumbprint, format conversion, C export
    #[command(subcommand)]
    Key(keycmd::KeyCommand),
    /// Sign claims; prints the token alone on stdout
    Sign(tokencmd::SignArgs),
    /// Verify a token's signature and claims with the core's policy
    Verify(tokencmd::VerifyArgs),
    /// Decode a token WITHOUT verifying it (clearly marked UNVERIFIED)
    Inspect(tokencmd::InspectArgs),
    /// Buffer sizes a C (or Rust) caller needs for given claims
    Size(tokencmd::SizeArgs),
    /// Print the public key of a key in a PKCS#11 token (as a JWK, kid = its thumbprint)
    Pkcs11Public(pkcs11::Pkcs11Args),
    /// Print a shell completion script
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Output settings shared by every command.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub json: bool,
}

/// The clap command with the exit-code table after every help text.
fn command() -> clap::Command {
    fn with_table(cmd: clap::Command) -> clap::Command {
        let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
        let mut cmd = cmd.after_help(Exit::table());
        for name in names {
            cmd = cmd.mut_subcommand(name, with_table);
        }
        cmd
    }
    with_table(Cli::command())
}

fn run(cli: Cli) -> exit::Result<()> {
    let ctx = Ctx { json: cli.json };
    match cli.command {
        Command::Keygen(a) => keycmd::keygen(ctx, &a),
        Command::Key(k) => keycmd::key(ctx, &k),
        Command::Sign(a) => tokencmd::sign(ctx, &a),
        Command::Verify(a) => tokencmd::verify(ctx, &a),
        Command::Inspect(a) => tokencmd::inspect(ctx, &a),
        Command::Size(a) => tokencmd::size(ctx, &a),
        Command::Pkcs11Public(a) => pkcs11::public(ctx, &a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ciphertoken", &mut out);
            io::write_output(&io::Dest { path: None, force: false, secret: false, binary: false }, &out)
        }
    }
}

fn report(e: &CliError, json: bool) {
    if json {
        let mut v = serde_json::json!({
            "error": { "exit": e.exit.code(), "kind": e.exit.name(), "message": e.message }
        });
        if let Some(core) = e.core {
            v["error"]["core_code"] = core.code().into();
        }
        io::note(&v.to_string());
    } else {
        io::note(&format!("ciphertoken: error: {}", e.message));
    }
}

fn main() -> ExitCode {
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    let parsed = command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                _ if json => {
                    report(&CliError::usage(e.render().to_string().trim_end()), true);
                    ExitCode::from(Exit::Usage.code())
                }
                _ => {
                    let _ = e.print();
                    ExitCode::from(Exit::Usage.code())
                }
            };
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, json);
            ExitCode::from(e.exit.code())
        }
    }
}
