//! Newline-delimited JSON-RPC over a reader and a writer (stdin and stdout), answering what
//! rmcp's own stdio transport drops: a line that is not JSON gets JSON-RPC's parse error
//! (-32700, id null), and JSON that is not a message gets invalid request (-32600, with its
//! id when it has one). rmcp ignores unparsable lines on purpose (its issue 938: an error storm
//! with a peer that echoes); JSON-RPC 2.0 asks for the answer, and a client that sent a broken
//! line otherwise waits forever.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

/// JSON-RPC's code for a message that is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's code for JSON that is not a request, a notification or a response.
pub const INVALID_REQUEST: i64 = -32600;

/// One message per line in, one per line out.
pub struct LineTransport<R, W> {
    read: BufReader<R>,
    /// The line being read; kept across calls, since `receive` may be cancelled mid-line.
    line: Vec<u8>,
    write: Arc<Mutex<W>>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    pub fn new(read: R, write: W) -> Self {
        LineTransport {
            read: BufReader::new(read),
            line: Vec::new(),
            write: Arc::new(Mutex::new(write)),
        }
    }
}

/// Writes one message and its newline, in one piece.
async fn write_line<W: AsyncWrite + Unpin>(write: &Mutex<W>, text: Vec<u8>) -> std::io::Result<()> {
    let mut out = write.lock().await;
    out.write_all(&text).await?;
    out.write_all(b"\n").await?;
    out.flush().await
}

/// What to do with one line read.
#[derive(Debug)]
enum Reading {
    /// Nothing (a blank line, or a notification of a method the server does not know).
    Skip,
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    /// Answer with this error response.
    Refuse(Value),
}

/// The JSON-RPC error response with `code` for the message `id` (null when unknown).
fn error_response(code: i64, message: String, id: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Reads one line (without its newline).
fn reading(line: &[u8]) -> Reading {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Reading::Skip;
    }
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => {
            let message = format!("Parse error: {e}");
            return Reading::Refuse(error_response(PARSE_ERROR, message, Value::Null));
        }
    };
    let id = value.get("id").cloned();
    let is_notification = id.is_none() && value.get("method").is_some_and(Value::is_string);
    match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value.clone()) {
        Ok(message) => Reading::Message(Box::new(message)),
        // A notification is never answered, not even with an error (JSON-RPC 2.0, section 4.1);
        // rmcp drops the ones it does not know too.
        Err(_) if is_notification => Reading::Skip,
        Err(e) => {
            let message = format!("Invalid request: {e}");
            Reading::Refuse(error_response(
                INVALID_REQUEST,
                message,
                id.unwrap_or(Value::Null),
            ))
        }
    }
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = self.write.clone();
        async move { write_line(&write, serde_json::to_vec(&item)?).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            // Cancel-safe: a partial line stays in `self.line` for the next call.
            match self.read.read_until(b'\n', &mut self.line).await {
                Ok(0) => return None,
                Ok(_) if !self.line.ends_with(b"\n") => {
                    // The last line, without a newline: read it as a whole line.
                }
                Ok(_) => {
                    self.line.pop();
                }
                Err(_) => return None,
            }
            let read = reading(&self.line);
            self.line.clear();
            match read {
                Reading::Skip => {}
                Reading::Message(message) => return Some(*message),
                Reading::Refuse(response) => {
                    // Written by a task of its own, so that a cancelled receive cannot cut
                    // the answer in half.
                    let write = self.write.clone();
                    let text = serde_json::to_vec(&response).ok()?;
                    let sent = tokio::spawn(async move { write_line(&write, text).await });
                    if !matches!(sent.await, Ok(Ok(()))) {
                        return None;
                    }
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.write.lock().await.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(line: &str) -> Value {
        match reading(line.as_bytes()) {
            Reading::Refuse(v) => v,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn garbage_is_a_parse_error_with_a_null_id() {
        let v = refused("{not json");
        assert_eq!(v["error"]["code"], PARSE_ERROR);
        assert_eq!(v["id"], Value::Null);
        assert!(v.as_object().unwrap().contains_key("id"));
    }

    #[test]
    fn json_that_is_no_message_is_an_invalid_request_with_its_id() {
        let v = refused(r#"{"jsonrpc": "2.0", "id": 7, "params": 3}"#);
        assert_eq!(v["error"]["code"], INVALID_REQUEST);
        assert_eq!(v["id"], 7);
    }

    #[test]
    fn blank_lines_and_unknown_notifications_are_skipped() {
        assert!(matches!(reading(b"  \r"), Reading::Skip));
        let unknown = br#"{"jsonrpc": "2.0", "method": "notifications/whatever", "params": 1}"#;
        assert!(matches!(reading(unknown), Reading::Skip));
    }

    #[test]
    fn a_request_is_a_message() {
        let line = br#"{"jsonrpc": "2.0", "id": 1, "method": "ping"}"#;
        assert!(matches!(reading(line), Reading::Message(_)));
    }
}
