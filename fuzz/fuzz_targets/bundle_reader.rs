//! Any bytes as an advisory bundle: rejected with a message or read whole, never a panic. Bytes
//! that pass the SHA-256 check are rare, so the body decoder is also fed the bytes directly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scanner_core::advisory::bundle;

fuzz_target!(|data: &[u8]| {
    let _ = bundle::read(data);
    // Wrap the input as a well-formed container so mutations reach the decompressor and decoder.
    let mut framed = Vec::with_capacity(data.len() + 48);
    framed.extend_from_slice(bundle::MAGIC);
    framed.extend_from_slice(&bundle::FORMAT_VERSION.to_le_bytes());
    framed.extend_from_slice(&(data.len() as u64).to_le_bytes());
    {
        use sha2::Digest;
        framed.extend_from_slice(&sha2::Sha256::digest(data));
    }
    framed.extend_from_slice(data);
    let _ = bundle::read(&framed);
});
