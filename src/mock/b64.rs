//! The base64 forms the API mixes: JWK members are base64url without padding (RFC 7515),
//! `x5c` entries are standard base64 with padding (RFC 7517), and uploaded certificates
//! and PKCS#12 files arrive as standard base64 that may be wrapped over several lines.
//! Decoding is lenient about padding; encoding always uses the canonical form.

use base64::Engine;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE_NO_PAD, URL_SAFE_PAD_INDIFFERENT,
};

/// Encodes a JWK member (base64url, no padding).
pub fn url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Encodes an `x5c` entry (standard base64, padded).
pub fn standard(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes a JWK member, with or without padding.
pub fn decode_url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_PAD_INDIFFERENT.decode(text).ok()
}

/// Decodes an uploaded file: standard or URL-safe alphabet, padding optional, line breaks
/// and other ASCII white space ignored.
pub fn decode_upload(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD_PAD_INDIFFERENT
        .decode(&compact)
        .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(&compact))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_tolerate_line_breaks_and_either_alphabet() {
        assert_eq!(decode_upload("aGVs\nbG8=\r\n").unwrap(), b"hello");
        assert_eq!(decode_upload("-_8").unwrap(), [0xfb, 0xff]);
        assert!(decode_upload("not base64!").is_none());
    }

    #[test]
    fn jwk_members_are_unpadded_base64url() {
        assert_eq!(url(&[0xfb, 0xff]), "-_8");
        assert_eq!(standard(&[0xfb, 0xff]), "+/8=");
        assert_eq!(decode_url("AQAB").unwrap(), [1, 0, 1]);
        assert_eq!(decode_url("AQ==").unwrap(), [1]);
    }
}
