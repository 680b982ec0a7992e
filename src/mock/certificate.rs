//! X.509 certificates for `uploadCertificate` and `uploadPkcs12`: what the service reads out
//! of one to make a key — the RSA public key (`n`, `e`), the validity period (`nbf`,
//! `exp`), the certificate itself (`x5c`) and its SHA-1 thumbprint (`x5t`).

use rsa::pkcs1::RsaPublicKey;
use sha1::{Digest, Sha1};
use x509_cert::Certificate;
use x509_cert::der::{Decode, Reader, SliceReader, pem};
use x509_cert::spki::ObjectIdentifier;

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

/// `rsaEncryption` (RFC 8017), the algorithm of an RSA certificate's public key.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

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
        let (_label, der) =
            pem::decode_vec(first_pem_block(&bytes)).map_err(|_| CertificateError::Encoding)?;
        from_der(&der)
    } else {
        from_der(&bytes)
    }
}

/// The text up to the end of the first PEM block: of a chain, the first certificate is read.
fn first_pem_block(pem: &[u8]) -> &[u8] {
    const END: &[u8] = b"-----END CERTIFICATE-----";
    match pem.windows(END.len()).position(|w| w == END) {
        Some(at) => &pem[..at + END.len()],
        None => pem,
    }
}

/// Reads a DER-encoded certificate.
pub fn from_der(der: &[u8]) -> Result<CertificateKey, CertificateError> {
    let parse = |e: x509_cert::der::Error| CertificateError::Parse(e.to_string());
    let mut reader = SliceReader::new(der).map_err(parse)?;
    let certificate = Certificate::decode(&mut reader).map_err(parse)?;
    let rest = u32::from(reader.remaining_len());
    if rest > 0 {
        return Err(CertificateError::Parse(format!("{rest} bytes after the certificate")));
    }
    key_of(&certificate, der)
}

/// The key a certificate makes, `der` being its encoding.
fn key_of(certificate: &Certificate, der: &[u8]) -> Result<CertificateKey, CertificateError> {
    let tbs = certificate.tbs_certificate();
    let spki = tbs.subject_public_key_info();
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return Err(CertificateError::NotRsa);
    }
    let bits = spki.subject_public_key.as_bytes().ok_or_else(|| {
        CertificateError::Parse("the public key is not a whole number of bytes".into())
    })?;
    let rsa = RsaPublicKey::try_from(bits).map_err(|e| CertificateError::Parse(e.to_string()))?;
    let validity = tbs.validity();
    let seconds = |t: x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
    };
    Ok(CertificateKey {
        n: b64::url(strip_leading_zeros(rsa.modulus.as_bytes())),
        e: b64::url(strip_leading_zeros(rsa.public_exponent.as_bytes())),
        nbf: seconds(validity.not_before),
        exp: seconds(validity.not_after),
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
