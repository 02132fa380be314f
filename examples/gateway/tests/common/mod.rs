//! Shared by the gateway's HTTP tests: a gateway child process started with the test
//! fleet's key and admin token, stopped by its own PID when dropped.
#![allow(dead_code)] // each test binary uses a different part

use ciphertoken_gateway::{Client, Response};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const SECRET: &str = "8f2c61a0d3b94e57a1c0ffee5eed0123456789abcdef00112233445566778899";
pub const ADMIN: &str = "test-admin-token";

/// A gateway child process, killed by its own PID when dropped.
pub struct Gateway {
    child: Child,
    addr: String,
}

impl Gateway {
    /// Starts `gateway --listen 127.0.0.1:0 --threads 1 ARGS…` and reads the address it
    /// chose from its first line of output.
    pub fn start(args: &[&str]) -> Gateway {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gateway"))
            .args(["--listen", "127.0.0.1:0", "--threads", "1"])
            .args(args)
            .env("GATEWAY_SECRET_HEX", SECRET)
            .env("GATEWAY_ADMIN_TOKEN", ADMIN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the gateway binary");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
        let addr = line.trim().strip_prefix("listening on ").expect("listening line").to_owned();
        Gateway { child, addr }
    }

    /// A keep-alive client of this gateway.
    pub fn client(&self) -> Client {
        Client::connect(&self.addr).expect("connect to gateway")
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /api/hello` with a bearer token.
pub fn hello(c: &mut Client, token: &str) -> Response {
    c.get("/api/hello", Some(token)).expect("GET /api/hello")
}
