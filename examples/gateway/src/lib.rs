//! Helpers shared by the gateway's tests and its load generator: a minimal blocking
//! HTTP/1.1 keep-alive client (loopback only, `Content-Length` bodies), enough to drive
//! the gateway without pulling in an HTTP client stack.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Response {
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A string member of the JSON body.
    pub fn field(&self, name: &str) -> Option<String> {
        self.json().get(name).and_then(|v| v.as_str()).map(str::to_owned)
    }
}

/// One keep-alive connection to a gateway.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
    request: Vec<u8>,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

impl Client {
    /// Connects to `addr` (`host:port`) with TCP_NODELAY and 5 s timeouts.
    ///
    /// # Errors
    /// I/O errors.
    pub fn connect(addr: &str) -> io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.set_write_timeout(Some(Duration::from_secs(5)))?;
        let writer = stream.try_clone()?;
        Ok(Client { reader: BufReader::new(stream), writer, host: addr.to_owned(), request: Vec::new() })
    }

    /// `GET path` with an optional bearer token.
    ///
    /// # Errors
    /// I/O errors, malformed responses.
    pub fn get(&mut self, path: &str, bearer: Option<&str>) -> io::Result<Response> {
        self.send("GET", path, bearer, None)
    }

    /// `POST path` with an optional bearer token and a JSON body.
    ///
    /// # Errors
    /// I/O errors, malformed responses.
    pub fn post(
        &mut self,
        path: &str,
        bearer: Option<&str>,
        json: &serde_json::Value,
    ) -> io::Result<Response> {
        self.send("POST", path, bearer, Some(json.to_string()))
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
    ) -> io::Result<Response> {
        let r = &mut self.request;
        r.clear();
        write!(r, "{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host)?;
        if let Some(token) = bearer {
            write!(r, "Authorization: Bearer {token}\r\n")?;
        }
        match &body {
            Some(b) => write!(r, "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}", b.len())?,
            None => r.extend_from_slice(b"\r\n"),
        }
        self.writer.write_all(r)?;
        self.read_response()
    }

    fn read_response(&mut self) -> io::Result<Response> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("status line"))?;
        let mut length = 0usize;
        for _ in 0..100 {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                let mut body = vec![0u8; length];
                self.reader.read_exact(&mut body)?;
                let body = String::from_utf8(body).map_err(|_| invalid("body is not UTF-8"))?;
                return Ok(Response { status, body });
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().map_err(|_| invalid("content-length"))?;
                    if length > 1 << 20 {
                        return Err(invalid("body too large"));
                    }
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    return Err(invalid("chunked bodies are not supported"));
                }
            }
        }
        Err(invalid("too many headers"))
    }
}
