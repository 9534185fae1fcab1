//! Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`
//! over `"{t}.{raw body}"` with the endpoint's signing secret. Any `v1` may match (Stripe sends
//! several while a secret is being rolled); other schemes (`v0`) are ignored; the timestamp must
//! be within the tolerance; the comparison is constant-time.

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

/// Stripe's default tolerance: five minutes.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp")]
    NoTimestamp,
    #[error("the Stripe-Signature header has no v1 signature")]
    NoV1,
    #[error("the signature's timestamp is outside the {TOLERANCE_SECS}-second tolerance")]
    TooOld,
    #[error("no v1 signature matches")]
    Mismatch,
}

fn mac(secret: &str, t: i64, payload: &[u8]) -> Hmac<sha2::Sha256> {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// Checks `header` against the raw `payload`.
pub fn verify(payload: &[u8], header: Option<&str>, secret: &str, now_secs: i64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.trim().parse::<i64>().ok(),
            Some(("v1", v)) => {
                if let Ok(sig) = hex::decode(v.trim()) {
                    v1.push(sig);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::NoTimestamp)?;
    if v1.is_empty() {
        return Err(SignatureError::NoV1);
    }
    if (now_secs - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::TooOld);
    }
    let expected = mac(secret, t, payload).finalize().into_bytes();
    // Every candidate is compared in full (no early exit on the first match).
    let matched = v1.iter().fold(0u8, |acc, sig| acc | expected.as_slice().ct_eq(sig).unwrap_u8());
    if matched == 1 {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A `Stripe-Signature` header for `payload` (the payment simulator signs its events this way).
pub fn sign(payload: &[u8], secret: &str, t: i64) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, payload).finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let h = sign(b"{}", "whsec_x", 1000);
        assert_eq!(verify(b"{}", Some(&h), "whsec_x", 1100), Ok(()));
        assert_eq!(verify(b"{ }", Some(&h), "whsec_x", 1100), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"{}", Some(&h), "whsec_y", 1100), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"{}", Some(&h), "whsec_x", 1000 + 301), Err(SignatureError::TooOld));
        assert_eq!(verify(b"{}", None, "whsec_x", 1000), Err(SignatureError::Missing));
        assert_eq!(verify(b"{}", Some("t=1000,v0=abcd"), "whsec_x", 1000), Err(SignatureError::NoV1));
    }
}
