//! A byte-level JSON scanner specialised for heap snapshots: it walks the top-level object,
//! skips values it does not need without building them, reads the big numeric arrays straight
//! into `u32` sinks and decodes the `strings` array into one contiguous buffer.
//!
//! Every error carries the byte offset where it was found; running out of input is reported as
//! truncation, since that is what a short heap snapshot almost always is.

use crate::error::{Error, Result};

/// A cursor over the snapshot text.
pub(crate) struct Scanner<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// How deep `skip_value` lets arrays and objects nest before calling the input hostile.
const MAX_SKIP_DEPTH: usize = 10_000;

impl<'a> Scanner<'a> {
    pub fn new(buf: &'a [u8]) -> Scanner<'a> {
        Scanner { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    fn truncated(&self, context: &str) -> Error {
        Error::truncated(self.buf.len(), context)
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    pub fn peek(&mut self, context: &str) -> Result<u8> {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Ok(b);
            }
            self.pos += 1;
        }
        Err(self.truncated(context))
    }

    /// Consumes `expected` (after whitespace) or fails with a syntax error.
    pub fn expect(&mut self, expected: u8, context: &str) -> Result<()> {
        let b = self.peek(context)?;
        if b != expected {
            return Err(Error::syntax(
                self.pos,
                format!(
                    "expected '{}' {context}, found {}",
                    expected as char,
                    describe_byte(b)
                ),
            ));
        }
        self.pos += 1;
        Ok(())
    }

    /// True at end of input once trailing whitespace is skipped.
    pub fn at_end(&mut self) -> bool {
        self.peek("").is_err()
    }

    /// Reads a JSON string and returns it decoded. Lone UTF-16 surrogates become U+FFFD.
    pub fn string(&mut self, context: &str) -> Result<String> {
        let mut out = Vec::new();
        self.string_bytes(&mut out, context)?;
        Ok(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Reads a JSON string and appends its decoded bytes to `out`. The caller validates UTF-8
    /// (the bytes are valid UTF-8 whenever the input is).
    pub fn string_bytes(&mut self, out: &mut Vec<u8>, context: &str) -> Result<()> {
        self.expect(b'"', context)?;
        self.string_body(out, context)
    }

    fn string_body(&mut self, out: &mut Vec<u8>, context: &str) -> Result<()> {
        loop {
            let rest = &self.buf[self.pos..];
            let Some(stop) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.truncated(context));
            };
            out.extend_from_slice(&rest[..stop]);
            self.pos += stop + 1;
            if rest[stop] == b'"' {
                return Ok(());
            }
            let Some(&esc) = self.buf.get(self.pos) else {
                return Err(self.truncated(context));
            };
            self.pos += 1;
            let simple = match esc {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    let c = self.unicode_escape(context)?;
                    let mut utf8 = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                    continue;
                }
                other => {
                    return Err(Error::syntax(
                        self.pos - 1,
                        format!("invalid escape \\{} in a string", other as char),
                    ));
                }
            };
            out.push(simple);
        }
    }

    /// Decodes `XXXX` after `\u`, joining a surrogate pair when one follows.
    fn unicode_escape(&mut self, context: &str) -> Result<char> {
        let first = self.hex4(context)?;
        if (0xD800..0xDC00).contains(&first) && self.buf[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4(context)?;
            if (0xDC00..0xE000).contains(&second) {
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.pos = save;
        }
        Ok(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self, context: &str) -> Result<u32> {
        let Some(digits) = self.buf.get(self.pos..self.pos + 4) else {
            return Err(self.truncated(context));
        };
        let mut value = 0u32;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| Error::syntax(self.pos, "invalid \\u escape in a string"))?;
            value = value * 16 + v;
        }
        self.pos += 4;
        Ok(value)
    }

    /// Skips one JSON value of any kind without building it; iterative, depth-limited.
    pub fn skip_value(&mut self, context: &str) -> Result<()> {
        // One entry per open container: true for an object, false for an array.
        let mut open: Vec<bool> = Vec::new();
        loop {
            let b = self.peek(context)?;
            match b {
                b'{' | b'[' => {
                    if open.len() >= MAX_SKIP_DEPTH {
                        return Err(Error::syntax(self.pos, "JSON nested too deeply"));
                    }
                    self.pos += 1;
                    let is_object = b == b'{';
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek(context)? == close {
                        self.pos += 1;
                    } else {
                        open.push(is_object);
                        if is_object {
                            self.skip_string(context)?;
                            self.expect(b':', context)?;
                        }
                        continue;
                    }
                }
                b'"' => self.skip_string(context)?,
                b't' => self.literal(b"true", context)?,
                b'f' => self.literal(b"false", context)?,
                b'n' => self.literal(b"null", context)?,
                b'-' | b'0'..=b'9' => self.skip_number(),
                other => {
                    return Err(Error::syntax(
                        self.pos,
                        format!("expected a value {context}, found {}", describe_byte(other)),
                    ));
                }
            }
            // After a complete value: close containers or move on to the next element.
            loop {
                let Some(&is_object) = open.last() else {
                    return Ok(());
                };
                let close = if is_object { b'}' } else { b']' };
                match self.peek(context)? {
                    b',' => {
                        self.pos += 1;
                        if is_object {
                            self.skip_string(context)?;
                            self.expect(b':', context)?;
                        }
                        break;
                    }
                    c if c == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    other => {
                        return Err(Error::syntax(
                            self.pos,
                            format!(
                                "expected ',' or '{}' {context}, found {}",
                                close as char,
                                describe_byte(other)
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn skip_string(&mut self, context: &str) -> Result<()> {
        self.expect(b'"', context)?;
        loop {
            let rest = &self.buf[self.pos..];
            let Some(stop) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.truncated(context));
            };
            self.pos += stop + 1;
            if rest[stop] == b'"' {
                return Ok(());
            }
            if self.pos >= self.buf.len() {
                return Err(self.truncated(context));
            }
            self.pos += 1;
        }
    }

    /// Reads a non-negative integer (no sign, fraction or exponent) that fits in 64 bits.
    pub fn unsigned(&mut self, context: &str) -> Result<u64> {
        let start = self.pos;
        let first = self.peek(context)?;
        if !first.is_ascii_digit() {
            return Err(Error::syntax(
                self.pos,
                format!(
                    "expected a non-negative integer {context}, found {}",
                    describe_byte(first)
                ),
            ));
        }
        let mut value: u64 = 0;
        while let Some(&b) = self.buf.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add((b - b'0') as u64))
                .ok_or_else(|| Error::syntax(start, format!("a number too large {context}")))?;
            self.pos += 1;
        }
        if let Some(b'.' | b'e' | b'E') = self.buf.get(self.pos) {
            return Err(Error::syntax(
                start,
                format!("expected an integer {context}, found a fraction or exponent"),
            ));
        }
        Ok(value)
    }

    fn skip_number(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                break;
            }
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &[u8], context: &str) -> Result<()> {
        let end = self.pos + word.len();
        match self.buf.get(self.pos..end) {
            Some(w) if w == word => {
                self.pos = end;
                Ok(())
            }
            Some(_) => Err(Error::syntax(self.pos, "invalid literal")),
            None => Err(self.truncated(context)),
        }
    }
}

/// A short human description of a byte for error messages.
pub(crate) fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_surrogates() {
        let mut s = Scanner::new(br#""a\"b\\c\n\u00e9\ud83d\ude00\ud800x""#);
        assert_eq!(s.string("").unwrap(), "a\"b\\c\n\u{e9}\u{1f600}\u{fffd}x");
    }

    #[test]
    fn skips_nested_values() {
        let text = br#"{"a": [1, {"b": "x,]"}, true, null, -1.5e3], "c": {}} tail"#;
        let mut s = Scanner::new(text);
        s.skip_value("").unwrap();
        assert_eq!(&text[s.pos()..], b" tail");
    }
}
