//! Key material the mock makes itself: RSA key pairs for `generateKey`, random secrets,
//! and key ids. Everything comes from the operating system's random source.

use std::time::{SystemTime, UNIX_EPOCH};

use rsa::RsaPrivateKey;
use rsa::rand_core::{OsRng, RngCore};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use sha2::{Digest, Sha256};

use super::b64;
use super::key::PrivateParts;

/// The RSA modulus size `generateKey` produces, as B2C does.
pub const RSA_BITS: usize = 2048;

/// The length of a generated symmetric secret: 256 bits, enough for HS256.
const SECRET_BYTES: usize = 32;

/// The public and private JWK members of an RSA key.
#[derive(Debug)]
pub struct RsaMembers {
    pub n: String,
    pub e: String,
    pub private: PrivateParts,
}

/// Generates a fresh RSA key pair. Slow (tens to hundreds of milliseconds in a release
/// build), so callers run it off the async threads.
pub fn rsa_key() -> Result<RsaMembers, rsa::Error> {
    RsaPrivateKey::new(&mut OsRng, RSA_BITS).map(|key| rsa_members(&key))
}

/// The JWK members of an existing RSA private key.
pub fn rsa_members(key: &RsaPrivateKey) -> RsaMembers {
    let encode = |n: &rsa::BigUint| b64::url(&n.to_bytes_be());
    let mut private = vec![("d", encode(key.d()))];
    if let [p, q] = key.primes() {
        private.push(("p", encode(p)));
        private.push(("q", encode(q)));
    }
    if let Some(dp) = key.dp() {
        private.push(("dp", encode(dp)));
    }
    if let Some(dq) = key.dq() {
        private.push(("dq", encode(dq)));
    }
    if let Some(qi) = key.crt_coefficient() {
        private.push(("qi", encode(&qi)));
    }
    RsaMembers { n: encode(key.n()), e: encode(key.e()), private: PrivateParts::new(private) }
}

/// A fresh random symmetric secret, base64url-encoded as a JWK `k`.
pub fn secret() -> String {
    b64::url(&random_bytes::<SECRET_BYTES>())
}

/// A fresh random key id: 256 random bits, base64url-encoded, the same length as a
/// thumbprint.
pub fn random_kid() -> String {
    b64::url(&random_bytes::<32>())
}

/// The RFC 7638 thumbprint of an RSA public key, used as its `kid`: the SHA-256 of the
/// members `e`, `kty`, `n` in that order, without white space.
pub fn thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    b64::url(Sha256::digest(canonical.as_bytes()).as_slice())
}

/// Seconds since the Unix epoch, as a JWT NumericDate.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // The worked example of RFC 7638, section 3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn generated_rsa_keys_are_2048_bits_and_complete() {
        let key = rsa_key().unwrap();
        assert_eq!(b64::decode_url(&key.n).unwrap().len(), RSA_BITS / 8);
        assert_eq!(key.e, "AQAB");
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.private.has(member), "{member}");
        }
    }

    #[test]
    fn secrets_and_kids_are_random() {
        assert_ne!(secret(), secret());
        assert_eq!(b64::decode_url(&secret()).unwrap().len(), SECRET_BYTES);
        assert_eq!(random_kid().len(), 43);
    }
}
