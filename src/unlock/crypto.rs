//! The client's details at rest: AES-256-GCM with `LEAD_SECRET_KEY`, a random 96-bit nonce per
//! lead, and the lead id as associated data (a sealed blob copied to another lead does not open).
//! Stored as `v1:` and base64 of nonce ‖ ciphertext.

use super::{LeadDetails, LeadId};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;

/// The 32-byte key, from 64 hex characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct LeadKey([u8; 32]);

impl std::fmt::Debug for LeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LeadKey(***)")
    }
}

impl LeadKey {
    pub fn from_hex(s: &str) -> Result<LeadKey, String> {
        let s = s.trim();
        if s.len() != 64 {
            return Err(format!("must be 32 bytes written as 64 hex characters (got {} characters); generate one with `openssl rand -hex 32`", s.len()));
        }
        let bytes = hex::decode(s).map_err(|_| "must be 64 hex characters (0-9, a-f); generate one with `openssl rand -hex 32`".to_string())?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(LeadKey(key))
    }

    /// A separate key for another purpose (the payment simulator's webhook secret), so the
    /// lead key itself never leaves this module.
    pub fn derive(&self, purpose: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

const VERSION: &str = "v1:";

/// Why the details could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the lead's details are not in a known format")]
    Format,
    #[error("the lead's details do not open with this LEAD_SECRET_KEY (was the key changed?)")]
    Key,
}

pub fn seal(key: &LeadKey, lead: &LeadId, details: &LeadDetails) -> String {
    let cipher = Aes256Gcm::new_from_slice(&key.0).expect("32-byte key");
    let nonce_bytes: [u8; 12] = rand::random();
    let plain = serde_json::to_vec(details).expect("details serialize");
    let ct = cipher.encrypt(Nonce::from_slice(&nonce_bytes), Payload { msg: &plain, aad: lead.as_str().as_bytes() }).expect("encryption cannot fail");
    let mut blob = nonce_bytes.to_vec();
    blob.extend_from_slice(&ct);
    format!("{VERSION}{}", base64::engine::general_purpose::STANDARD.encode(blob))
}

pub fn open(key: &LeadKey, lead: &LeadId, sealed: &str) -> Result<LeadDetails, SealError> {
    let b64 = sealed.strip_prefix(VERSION).ok_or(SealError::Format)?;
    let blob = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| SealError::Format)?;
    if blob.len() < 12 + 16 {
        return Err(SealError::Format);
    }
    let (nonce, ct) = blob.split_at(12);
    let cipher = Aes256Gcm::new_from_slice(&key.0).expect("32-byte key");
    let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: lead.as_str().as_bytes() }).map_err(|_| SealError::Key)?;
    serde_json::from_slice(&plain).map_err(|_| SealError::Format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> LeadKey {
        LeadKey::from_hex(&c.to_string().repeat(64)).unwrap()
    }

    #[test]
    fn seals_and_opens_only_with_the_key_and_lead() {
        let details = LeadDetails { client_name: "Ann Client".into(), client_phone: "+14155550111".into(), client_email: "ann@example.com".into(), exact_address: "1 Main St".into(), notes: String::new() };
        let lead = LeadId::parse("lead_abc23456").unwrap();
        let sealed = seal(&key('a'), &lead, &details);
        assert!(!sealed.contains("Ann") && !sealed.contains("4155550111"), "nothing readable at rest");
        assert_eq!(open(&key('a'), &lead, &sealed).unwrap(), details);
        assert!(matches!(open(&key('b'), &lead, &sealed), Err(SealError::Key)));
        let other = LeadId::parse("lead_zzz23456").unwrap();
        assert!(matches!(open(&key('a'), &other, &sealed), Err(SealError::Key)), "bound to its lead");
        assert_ne!(seal(&key('a'), &lead, &details), sealed, "a fresh nonce each time");
    }

    #[test]
    fn keys_must_be_64_hex_characters() {
        assert!(LeadKey::from_hex("abc").is_err());
        assert!(LeadKey::from_hex(&"g".repeat(64)).is_err());
        assert!(format!("{:?}", key('a')).contains("***"));
    }
}
