//! X.509 certificates for `uploadCertificate` and `uploadPkcs12`: what the service reads out
//! of one to make a key — the RSA public key (`n`, `e`), the validity period (`nbf`,
//! `exp`), the certificate itself (`x5c`) and its SHA-1 thumbprint (`x5t`).

use sha1::{Digest, Sha1};
use x509_parser::pem::parse_x509_pem;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::b64;

/// The parts of a certificate that become a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateKey {
    /// The modulus, base64url.
    pub n: String,
    /// The public exponent, base64url.
    pub e: String,
    pub nbf: i64,
    pub exp: i64,
    /// The DER encoding, standard base64: the single `x5c` entry.
    pub x5c: String,
    /// The base64url SHA-1 thumbprint of the DER encoding.
    pub x5t: String,
}

/// Why a certificate was refused; the text is the user-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("is not base64, PEM or a DER certificate")]
    Encoding,
    #[error("is not a valid X.509 certificate: {0}")]
    Parse(String),
    #[error("holds a certificate whose public key is not RSA; only RSA certificates can be used")]
    NotRsa,
}

/// Reads the `key` property of `uploadCertificate`: base64 of the DER certificate as the
/// docs describe, and also base64 of PEM text or the PEM text itself.
pub fn from_upload(text: &str) -> Result<CertificateKey, CertificateError> {
    let trimmed = text.trim();
    let bytes = if trimmed.starts_with("-----BEGIN") {
        trimmed.as_bytes().to_vec()
    } else {
        b64::decode_upload(trimmed).ok_or(CertificateError::Encoding)?
    };
    if bytes.starts_with(b"-----BEGIN") {
        let (_, pem) = parse_x509_pem(&bytes).map_err(|_| CertificateError::Encoding)?;
        from_der(&pem.contents)
    } else {
        from_der(&bytes)
    }
}

/// Reads a DER-encoded certificate.
pub fn from_der(der: &[u8]) -> Result<CertificateKey, CertificateError> {
    let (rest, certificate) =
        X509Certificate::from_der(der).map_err(|e| CertificateError::Parse(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CertificateError::Parse(format!("{} bytes after the certificate", rest.len())));
    }
    let PublicKey::RSA(rsa) =
        certificate.public_key().parsed().map_err(|e| CertificateError::Parse(e.to_string()))?
    else {
        return Err(CertificateError::NotRsa);
    };
    let validity = certificate.validity();
    Ok(CertificateKey {
        n: b64::url(strip_leading_zeros(rsa.modulus)),
        e: b64::url(strip_leading_zeros(rsa.exponent)),
        nbf: validity.not_before.timestamp(),
        exp: validity.not_after.timestamp(),
        x5c: b64::standard(der),
        x5t: b64::url(Sha1::digest(der).as_slice()),
    })
}

/// DER integers carry a leading zero byte when the top bit is set; JWK members do not.
fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_go() {
        assert_eq!(strip_leading_zeros(&[0, 0x80, 1]), [0x80, 1]);
        assert_eq!(strip_leading_zeros(&[1, 0, 1]), [1, 0, 1]);
        assert_eq!(strip_leading_zeros(&[0]), [0]);
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert_eq!(from_upload("***"), Err(CertificateError::Encoding));
        assert!(matches!(from_upload("aGVsbG8="), Err(CertificateError::Parse(_))));
        assert!(matches!(
            from_upload("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"),
            Err(CertificateError::Parse(_))
        ));
    }
}
