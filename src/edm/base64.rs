//! Base64 for `Edm.Binary`: written in the URL-safe alphabet, read in either.

use super::cursor::Cursor;
use super::error::{ParseError, ParseErrorKind};

const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Which base64 alphabet to write.
#[derive(Clone, Copy)]
pub(crate) enum Alphabet {
    /// RFC 4648 §5 (`-`, `_`): what OData specifies for JSON and URL literals.
    UrlSafe,
    /// RFC 4648 §4 (`+`, `/`).
    Standard,
}

/// Appends the padded base64 text of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], alphabet: Alphabet, out: &mut String) {
    let table = match alphabet {
        Alphabet::UrlSafe => URL_SAFE,
        Alphabet::Standard => STANDARD,
    };
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(table[((n >> (18 - 6 * i)) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

fn sextet(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    }))
}

/// Decodes base64 in either alphabet, padding optional.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, ParseError> {
    let c = Cursor::new("Edm.Binary", text);
    let bytes = text.as_bytes();
    let data_len = bytes.len() - bytes.iter().rev().take_while(|&&b| b == b'=').count();
    let padding = bytes.len() - data_len;
    if padding > 2 || (padding > 0 && !bytes.len().is_multiple_of(4)) {
        return Err(c.error_at(
            data_len,
            ParseErrorKind::Syntax {
                expected: "padding that completes a group of four characters",
            },
        ));
    }
    if data_len % 4 == 1 {
        return Err(c.error_at(
            data_len,
            ParseErrorKind::Syntax {
                expected: "a length that is not 1 more than a multiple of 4",
            },
        ));
    }
    let mut out = Vec::with_capacity(data_len * 3 / 4);
    for (group_index, group) in bytes[..data_len].chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &b) in group.iter().enumerate() {
            let v = sextet(b).ok_or_else(|| {
                c.error_at(
                    group_index * 4 + i,
                    ParseErrorKind::Syntax {
                        expected: "a base64 character",
                    },
                )
            })?;
            n |= v << (18 - 6 * i);
        }
        let produced = group.len() - 1; // 4 chars -> 3 bytes, 3 -> 2, 2 -> 1
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // Bits below the last whole byte must be zero in canonical base64.
        let unused_mask = match produced {
            1 => 0xffff,
            2 => 0xff,
            _ => 0,
        };
        if n & unused_mask != 0 {
            return Err(c.error_at(
                group_index * 4 + group.len() - 1,
                ParseErrorKind::Syntax {
                    expected: "a final character whose unused bits are zero",
                },
            ));
        }
        out.extend_from_slice(&decoded[..produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8], alphabet: Alphabet) -> String {
        let mut s = String::new();
        encode_into(bytes, alphabet, &mut s);
        s
    }

    #[test]
    fn encodes_rfc4648_test_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes(), Alphabet::UrlSafe), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode(coded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
    }

    #[test]
    fn url_safe_and_standard_alphabets_differ_only_in_two_characters() {
        let bytes = [0xfb, 0xff, 0xbf];
        assert_eq!(encode(&bytes, Alphabet::UrlSafe), "-_-_");
        assert_eq!(encode(&bytes, Alphabet::Standard), "+/+/");
        assert_eq!(decode("-_-_").unwrap(), bytes);
        assert_eq!(decode("+/+/").unwrap(), bytes);
    }

    #[test]
    fn rejects_malformed_base64() {
        assert_eq!(decode("Zg=").unwrap_err().position, 2);
        assert_eq!(decode("Z").unwrap_err().position, 1);
        assert_eq!(decode("Zm9v!A==").unwrap_err().position, 4);
        assert_eq!(decode("Zh==").unwrap_err().position, 1);
        assert!(decode("Zg===").is_err());
    }
}
