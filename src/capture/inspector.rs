//! A client of the V8 inspector protocol, as much as capturing heap snapshots needs: the
//! target list over HTTP (`GET /json/list`), then one WebSocket session (tungstenite) that
//! sends commands and hands events to the caller until each command's response arrives.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::error::{Error, ErrorKind, Result};

/// How long to wait for a connection, and the polling step while reading.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(200);

pub(super) fn failed(message: String) -> Error {
    Error::new(ErrorKind::Usage(message))
}

/// The WebSocket URL of the first target at `host:port` (`GET /json/list`).
pub(super) fn debugger_url(host: &str, port: u16) -> Result<String> {
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|e| failed(format!("{host}:{port}: {e}")))?
        .next()
        .ok_or_else(|| failed(format!("{host}:{port}: no address")))?;
    let mut stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).map_err(|e| {
        failed(format!(
            "no inspector at {host}:{port} ({e}): start the process with --inspect, or give --pid"
        ))
    })?;
    stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
    write!(
        stream,
        "GET /json/list HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let response = read_response(&mut stream)?;
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let targets: Value = serde_json::from_str(body.trim()).map_err(|_| {
        failed(format!(
            "{host}:{port} is not a V8 inspector (GET /json/list did not answer a target list)"
        ))
    })?;
    targets
        .as_array()
        .and_then(|list| list.iter().find_map(|t| t["webSocketDebuggerUrl"].as_str()))
        .map(str::to_string)
        .ok_or_else(|| failed(format!("the inspector at {host}:{port} lists no target")))
}

/// An HTTP response: headers, then `Content-Length` bytes of body (Node keeps the connection
/// open), or whatever came before the peer closed.
fn read_response(stream: &mut TcpStream) -> Result<Vec<u8>> {
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if !response.is_empty() && e.kind() == std::io::ErrorKind::WouldBlock => 0,
            Err(e) => return Err(e.into()),
        };
        response.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            if length.is_some_and(|len| body.len() >= len) {
                return Ok(response);
            }
        }
        if n == 0 || response.len() > 1 << 20 {
            return Ok(response);
        }
    }
}

/// One inspector session.
pub(super) struct Session {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Session {
    pub(super) fn connect(url: &str) -> Result<Session> {
        let (socket, _) = tungstenite::connect(url)
            .map_err(|e| failed(format!("connecting to the inspector at {url}: {e}")))?;
        if let MaybeTlsStream::Plain(tcp) = socket.get_ref() {
            tcp.set_read_timeout(Some(POLL))?;
        }
        Ok(Session { socket, next_id: 1 })
    }

    /// Sends `method` and waits for its response, passing every event that arrives before it
    /// to `on_event(method, params)`. `stop` aborts the wait (Ctrl-C).
    pub(super) fn call(
        &mut self,
        method: &str,
        params: Value,
        stop: &AtomicBool,
        on_event: &mut dyn FnMut(&str, &Value) -> Result<()>,
    ) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(request.to_string()))
            .map_err(|e| lost(method, e))?;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(failed(format!("interrupted during {method}")));
            }
            let message = match self.socket.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(lost(method, e)),
            };
            let text = match message {
                Message::Text(t) => t.to_string(),
                Message::Close(_) => {
                    return Err(failed(format!(
                        "the process closed the inspector connection during {method}"
                    )));
                }
                _ => continue,
            };
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| failed(format!("the inspector sent bad JSON: {e}")))?;
            if value["id"].as_u64() == Some(id) {
                if let Some(error) = value.get("error") {
                    return Err(failed(format!("{method} failed: {error}")));
                }
                return Ok(value["result"].clone());
            }
            if let Some(event) = value["method"].as_str() {
                on_event(event, &value["params"])?;
            }
        }
    }
}

fn lost(method: &str, e: tungstenite::Error) -> Error {
    failed(format!(
        "the connection to the inspector was lost during {method}: {e}"
    ))
}
