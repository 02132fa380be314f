//! `sign --tpm`: an ES256 key created inside a software TPM 2.0 (swtpm, one per test in its
//! own state directory), made persistent with tpm2-tools, signed with through the command and
//! verified with the public key tpm2-tools exports (`tpm2_readpublic -f pem`).
//!
//! Needs the `tpm` feature (tss-esapi over Debian's libtss2-dev) and Debian's swtpm and
//! tpm2-tools (installed by .ci/run); run by `cargo xtask hardware`:
//!     cargo test -p ciphertoken-cli --features tpm --test cli tpm -- --ignored

use crate::common::{cmd, code, Out};
use std::process::{Child, Command, Stdio};

/// A swtpm process (started and stopped by this test, by its own handle).
struct Tpm {
    dir: tempfile::TempDir,
    child: Child,
    tcti: String,
}

/// Two free consecutive ports: the swtpm TCTI finds the control channel at port + 1.
fn free_ports() -> (u16, u16) {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return (port, port + 1);
        }
    }
}

impl Tpm {
    fn start() -> Tpm {
        let dir = tempfile::tempdir().unwrap();
        let (port, ctrl) = free_ports();
        let child = Command::new("swtpm")
            .args(["socket", "--tpm2", "--flags", "not-need-init,startup-clear"])
            .arg(format!("--tpmstate=dir={}", dir.path().display()))
            .args(["--server", &format!("type=tcp,port={port}"), "--ctrl", &format!("type=tcp,port={ctrl}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("swtpm (install swtpm)");
        let tcti = format!("swtpm:host=127.0.0.1,port={port}");
        let tpm = Tpm { dir, child, tcti };
        // Wait until it answers.
        for _ in 0..100 {
            let up = |p: u16| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
            if up(port) && up(ctrl) {
                return tpm;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("swtpm did not start");
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn tool(&self, program: &str, args: &[&str]) -> String {
        let o = Command::new(program)
            .env("TPM2TOOLS_TCTI", &self.tcti)
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program} (install tpm2-tools): {e}"));
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{program} {args:?} failed:\n{text}");
        text
    }

    fn run(&self, args: &[&str]) -> Out {
        let o = cmd().current_dir(self.dir.path()).args(args).output().expect("run ciphertoken");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Drop for Tpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs swtpm, tpm2-tools and the tpm feature (cargo xtask hardware)"]
fn es256_key_in_a_tpm_signs_and_the_exported_public_key_verifies() {
    let tpm = Tpm::start();
    // An unrestricted P-256 ECDSA signing key generated inside the TPM, made persistent.
    tpm.tool(
        "tpm2_createprimary",
        &[
            "-Q",
            "-C",
            "o",
            "-G",
            "ecc256:ecdsa-sha256",
            "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
            "-c",
            "key.ctx",
        ],
    );
    tpm.tool("tpm2_evictcontrol", &["-Q", "-C", "o", "-c", "key.ctx", "0x81000001"]);
    // No resource manager in front of swtpm: free the transient copies.
    tpm.tool("tpm2_flushcontext", &["-t"]);
    tpm.tool("tpm2_readpublic", &["-Q", "-c", "0x81000001", "-f", "pem", "-o", "pub.pem"]);
    // An RSA key is not an ES256 key.
    tpm.tool("tpm2_createprimary", &["-Q", "-C", "o", "-G", "rsa2048", "-c", "rsa.ctx"]);
    tpm.tool("tpm2_evictcontrol", &["-Q", "-C", "o", "-c", "rsa.ctx", "0x81000002"]);
    tpm.tool("tpm2_flushcontext", &["-t"]);

    let pem = tpm.path("pub.pem");
    let sign = |handle: &str| {
        tpm.run(&["sign", "--tpm", &tpm.tcti, "--tpm-handle", handle, "--sub", "gw-1", "--exp", "+1h"])
    };
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let token = sign("0x81000001").expect(code::OK).line().to_owned();
        tpm.run(&["verify", "--key-file", &pem, &token]).expect(code::OK);
        tokens.push(token);
    }
    assert!(tokens[0] != tokens[1], "the TPM's ECDSA nonces are random");
    // The default kid is the exported key's RFC 7638 thumbprint.
    let thumb = tpm.run(&["key", "thumbprint", "--key-file", &pem]).expect(code::OK).line().to_owned();
    let header = crate::common::unb64(tokens[0].split('.').next().unwrap());
    assert!(String::from_utf8(header).unwrap().contains(&thumb), "kid is {thumb}");
    // A tampered signature does not verify.
    let mut bad = tokens[0].clone().into_bytes();
    let at = bad.len() - 5;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    tpm.run(&["verify", "--key-file", &pem, std::str::from_utf8(&bad).unwrap()]).expect(code::SIGNATURE);
    // No key at that handle; not an ECC key; a bad handle.
    sign("0x81000009").expect(code::KEY);
    let o = sign("0x81000002").expect(code::KEY);
    assert!(o.stderr.contains("not an ECC key"), "{}", o.stderr);
    sign("handle").expect(code::USAGE);
}
