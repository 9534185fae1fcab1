//! How server functions send their results: JSON, as with `server_fn::codec::Json`, but read in
//! the browser from a `&str` (`serde_json::from_str`) instead of from bytes.
//!
//! Resources carry the server-rendered data into hydration as JSON strings and decode them with
//! `from_str`; server_fn's own `Json` decodes a response with `from_slice`. Each is a separate
//! copy of every result type's decoder in the WASM (serde_json's reader is a type parameter),
//! so a page's types were decoded by two copies of the same code. With one reader they share
//! one copy (docs/benchmarks.md, "Browser bundle").

use bytes::Bytes;
use serde::{de::DeserializeOwned, Serialize};
use server_fn::codec::Post;
use server_fn::{ContentType, Decodes, Encodes, Format, FormatType};

/// The encoding behind [`JsonText`].
pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// Every server function's output (`#[server(output = JsonText)]`).
pub type JsonText = Post<JsonTextEncoding>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_encodes_and_refuses_bad_utf8() {
        let bytes = <JsonTextEncoding as Encodes<Vec<(String, i64)>>>::encode(&vec![("a".into(), 1)]).unwrap();
        let back: Vec<(String, i64)> = <JsonTextEncoding as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, vec![("a".to_string(), 1)]);
        assert!(<JsonTextEncoding as Decodes<String>>::decode(Bytes::from_static(b"\"\xff\"")).is_err());
    }
}
