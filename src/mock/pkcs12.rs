//! PKCS#12 (PFX) files for `uploadPkcs12`: opened with the caller's password, they yield an
//! RSA private key and the certificate that belongs to it.
//!
//! Both the PBES2/AES files OpenSSL 3 and current Windows write and the legacy
//! 3DES/RC2 files older tools write are read, by the pure-Rust `p12-keystore` crate.

use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as P12Error;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;

use super::certificate::{self, CertificateKey};
use super::key::PrivateParts;
use super::{b64, keygen};

/// What an opened file yields: the certificate's public parts and the private key.
#[derive(Debug)]
pub struct Pkcs12Key {
    pub certificate: CertificateKey,
    pub private: PrivateParts,
}

/// Why a PKCS#12 upload was refused; the text is the user-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pkcs12Error {
    #[error("property 'key' is not base64")]
    Encoding,
    #[error("the password does not open this PKCS#12 file")]
    WrongPassword,
    #[error("property 'key' is not a readable PKCS#12 file (or the password is wrong): {0}")]
    Malformed(String),
    #[error("the PKCS#12 file holds no RSA private key")]
    NoRsaKey,
    #[error("the PKCS#12 file holds no certificate for its RSA private key")]
    NoCertificate,
    #[error("the PKCS#12 file's certificate {0}")]
    Certificate(#[from] certificate::CertificateError),
}

/// Opens the base64 `key` property of `uploadPkcs12` with `password`.
pub fn open(key: &str, password: &str) -> Result<Pkcs12Key, Pkcs12Error> {
    let bytes = b64::decode_upload(key).ok_or(Pkcs12Error::Encoding)?;
    let archive = Pkcs12Archive::from_pkcs12(&bytes, password).map_err(|error| match error {
        P12Error::MacError(_) => Pkcs12Error::WrongPassword,
        other => Pkcs12Error::Malformed(other.to_string()),
    })?;
    let private_keys: Vec<RsaPrivateKey> = archive
        .keys
        .iter()
        .filter_map(|bag| RsaPrivateKey::from_pkcs8_der(bag.key.as_der()).ok())
        .collect();
    if private_keys.is_empty() {
        return Err(Pkcs12Error::NoRsaKey);
    }
    // Pair key and certificate by their public key rather than by the optional local key
    // id attribute, which not every tool writes.
    for bag in &archive.certs {
        let Ok(certificate) = certificate::from_der(bag.cert.as_der()) else { continue };
        for private_key in &private_keys {
            let members = keygen::rsa_members(private_key);
            if members.n == certificate.n && members.e == certificate.e {
                return Ok(Pkcs12Key { certificate, private: members.private });
            }
        }
    }
    // Report a certificate problem (say, an EC certificate) when there is exactly one.
    if let [only] = archive.certs.as_slice() {
        certificate::from_der(only.cert.as_der())?;
    }
    Err(Pkcs12Error::NoCertificate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert_eq!(open("***", "x").unwrap_err(), Pkcs12Error::Encoding);
        assert!(matches!(open("aGVsbG8=", "x").unwrap_err(), Pkcs12Error::Malformed(_)));
        assert!(matches!(open("", "x").unwrap_err(), Pkcs12Error::Malformed(_)));
    }
}
