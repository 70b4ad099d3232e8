//! Names that look like keys, ids or tokens: long random-looking strings (UUIDs, hex, base64).
//! Redaction cannot always tell a data key from a code name (an object keyed by session id
//! that V8 kept in fast mode has them as ordinary property names), so `heapdiff redact` counts
//! the property names it keeps that look like secrets and warns.
//!
//! Random strings differ from identifiers in two ways that hold at any length: their
//! characters are spread out (high Shannon entropy) and their letters do not form words
//! (`getOwnPropertyNames`, `ERR_INVALID_ARG_TYPE` are mostly words of three or more letters
//! with a vowel). On the property names of the real fixtures this flags none; it flags about
//! 19 in 20 random base64 strings of 16 to 40 characters, and every UUID and mixed hex id.

/// Shorter names are not counted: too few characters to tell random from chosen.
const MIN_TOKEN_LEN: usize = 16;

/// Base64 (standard and URL-safe) names carry at least this many bits per character; long
/// identifiers reach about 4.5, so entropy alone does not decide.
const MIN_BITS_PER_CHAR: f64 = 3.5;

/// In identifiers, words hold most characters; in random base64 they hold less than half
/// about 19 times in 20.
const MAX_WORD_SHARE: f64 = 0.5;

/// Shorter letter runs are not words: random strings are full of them.
const MIN_WORD_LEN: usize = 3;

/// True when `name` looks like a key, id or token: a UUID, 16 or more hex digits mixing
/// digits and letters, or 16 or more base64 characters that are random-looking.
pub fn looks_like_token(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.len() < MIN_TOKEN_LEN || !bytes.iter().all(|&b| is_base64(b)) {
        return false;
    }
    if is_uuid(bytes) {
        return true;
    }
    if bytes.iter().all(u8::is_ascii_hexdigit) {
        return bytes.iter().any(u8::is_ascii_digit) && bytes.iter().any(u8::is_ascii_alphabetic);
    }
    bits_per_char(bytes) >= MIN_BITS_PER_CHAR && word_share(bytes) < MAX_WORD_SHARE
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Shannon entropy of the characters, in bits per character.
fn bits_per_char(bytes: &[u8]) -> f64 {
    let mut counts = [0u32; 128];
    for &b in bytes {
        counts[usize::from(b & 0x7f)] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// The share of characters in words: runs of at least [`MIN_WORD_LEN`] letters with a vowel,
/// each capitalised or lower-case (`Property`, `get`) or an upper-case run not followed by
/// lower case (`ERR`, the `URL` of `URLFrom`).
fn word_share(bytes: &[u8]) -> f64 {
    let mut in_words = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_uppercase() {
            while i < bytes.len() && bytes[i].is_ascii_uppercase() {
                i += 1;
            }
            let lower_follows = i < bytes.len() && bytes[i].is_ascii_lowercase();
            if lower_follows && i - start > 1 {
                i -= 1; // `URLFrom`: the last capital starts the next word.
            } else if lower_follows {
                while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                    i += 1;
                }
            }
        } else if bytes[i].is_ascii_lowercase() {
            while i < bytes.len() && bytes[i].is_ascii_lowercase() {
                i += 1;
            }
        } else {
            i += 1;
            continue;
        }
        let word = &bytes[start..i];
        let has_vowel = word.iter().any(|b| b"aeiouyAEIOUY".contains(b));
        if word.len() >= MIN_WORD_LEN && has_vowel {
            in_words += word.len();
        }
    }
    in_words as f64 / bytes.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_look_like_tokens() {
        for id in [
            "wBQGUyiJkhB3w5ChpJ_apw4jVbaXNxot", // express-session (uid-safe, base64url)
            "52SRRs3sWRsOKCXq0GKZk6CTHDH8HKi-",
            "3f2a9c1d0b8e7f6a",
            "7d444840-9dc0-11d1-b245-5ffdce74fad2",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "dGhpcyBpcyBhIHNlY3JldCB0b2tlbg==",
        ] {
            assert!(looks_like_token(id), "{id}");
        }
    }

    #[test]
    fn identifiers_paths_and_short_names_do_not() {
        for name in [
            "getOwnPropertyNames",
            "kCreateURLFromWindowsPathSymbol",
            "ERR_INVALID_ARG_TYPE",
            "SSL_OP_NO_TLSv1_2",
            "DatePrototypeSetUTCMilliseconds",
            "Uint8ClampedArray",
            "deadbeefcafebabe", // hex without a digit: a word
            "9007199254740991", // digits only: a number
            "/srv/app/node_modules/express/index.js",
            "abc123XYZ",
            "--tls-min-v1.3",
            "writeBigUInt64LE",
            "RegExpPrototypeGetDotAll",
            "RsaKeyPairGenJob",
            "bigIntArrayToUnsignedBigInt",
        ] {
            assert!(!looks_like_token(name), "{name}");
        }
    }
}
