//! The advisory bundle: what the page downloads once and the CLI reads with `--bundle`.
//!
//! Layout (format version 3; see `docs/bundle-format.md`):
//!
//! ```text
//!   0..4    "TRSB"
//!   4..8    u32 LE format version
//!   8..16   u64 LE length of the main part
//!  16..48   SHA-256 of the main part
//!  48..56   u64 LE length of the details part
//!  56..88   SHA-256 of the details part
//!  88..152  ed25519 signature of bytes 0..88, or 64 zero bytes when unsigned
//! 152..     main part = zlib(bincode(Main)), then details part = zlib(bincode(Details))
//! ```
//!
//! The signature covers the header, and the header carries both parts' hashes, so one
//! signature check plus the hash checks cover every byte. The reader checks magic, version,
//! lengths, hashes and signature before it decodes anything, decodes with a size limit, then
//! bounds-checks the database; a damaged or hostile bundle is rejected whole, never half-used.
//! The details part (long advisory texts) is only decoded on demand.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::db::{AdvisoryDb, Compiled};

pub const MAGIC: &[u8; 4] = b"TRSB";
pub const FORMAT_VERSION: u32 = 3;
pub const HEADER_LEN: usize = 152;
const SIGNED_LEN: usize = 88;
/// The public key of the bundle-signing key this build trusts: `keys/bundle.pub`, or the key
/// given at build time in the environment variable `TARSIER_BUNDLE_PUBKEY` (64 hex digits).
pub const BUILT_IN_KEY: &str = match option_env!("TARSIER_BUNDLE_PUBKEY") {
    Some(k) => k,
    None => include_str!("../../../keys/bundle.pub"),
};

/// The keys this build trusts ([`BUILT_IN_KEY`]); empty only if that key is malformed, in
/// which case every signed bundle is refused.
pub fn built_in_keys() -> Vec<[u8; 32]> {
    parse_key(BUILT_IN_KEY).into_iter().collect()
}

/// Largest decompressed part accepted.
pub const MAX_PART: u64 = 1 << 30;

/// Facts about a bundle, shown on the page and in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format_version: u32,
    /// When the bundle was built (RFC 3339), as given to the builder.
    pub built: String,
    /// Records per ecosystem (the base name: `Debian`, `PyPI`, ...).
    pub counts: BTreeMap<String, u64>,
    /// Where the records came from, with their snapshot dates when known.
    pub sources: Vec<Source>,
    /// Records in the bundle.
    pub records: u64,
    /// Withdrawn records left out.
    pub withdrawn: u64,
    /// The CISA KEV catalog the bundle carries entries of, when it was built with one.
    #[serde(default)]
    pub kev: Option<KevInfo>,
    /// The EPSS scores the bundle carries, when it was built with them.
    #[serde(default)]
    pub epss: Option<EpssInfo>,
    /// Hex SHA-256 of the main part: the bundle's identity (share links name it).
    #[serde(default)]
    pub digest: String,
    /// `signed` (by a trusted key) or `unsigned`; set by the reader.
    #[serde(default)]
    pub signature: String,
}

/// Which KEV catalog a bundle carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevInfo {
    /// `catalogVersion`, e.g. `2025.08.25`.
    pub catalog_version: String,
    /// `dateReleased` (RFC 3339).
    pub released: String,
    /// Entries in the catalog, and those kept (CVEs of this bundle's records).
    pub catalog_entries: u64,
    pub entries: u64,
}

/// Which EPSS scores a bundle carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpssInfo {
    /// FIRST's model version, when the file said.
    pub model_version: Option<String>,
    /// The scores' date (FIRST's `score_date`, or as given to the builder).
    pub score_date: Option<String>,
    /// Rows in the file, and scores kept (CVEs of this bundle's records).
    pub rows: u64,
    pub scores: u64,
}

/// What a bundle is built from besides its records.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub kev: Option<KevInfo>,
    pub epss: Option<EpssInfo>,
}

/// One input of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// What was read: a folder, a zip, a feed (`alpine-secdb v3.11/main`).
    pub name: String,
    /// The snapshot date of the data, when the builder was told or could tell.
    pub snapshot: Option<String>,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Main {
    header: Header,
    db: AdvisoryDb,
}

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("this is not a tarsier advisory bundle (bad magic bytes)")]
    NotABundle,
    #[error("bundle format {0} is not supported (this build reads format {FORMAT_VERSION}); rebuild the bundle with this version of tarsier")]
    Version(u32),
    #[error("the bundle is damaged: {0}")]
    Damaged(String),
    #[error("the bundle is not signed, and this build only accepts signed bundles; sign it with `tarsier bundle sign`")]
    Unsigned,
    #[error("the bundle's signature does not verify with any key this build trusts; it was altered or signed with another key")]
    BadSignature,
    #[error("cannot write the bundle: {0}")]
    Write(String),
}

/// How the reader treats signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust<'a> {
    /// A signed bundle must verify with one of these keys; an unsigned one is accepted.
    SignatureOptional(&'a [[u8; 32]]),
    /// The bundle must be signed by one of these keys.
    SignatureRequired(&'a [[u8; 32]]),
}

fn zlib(bytes: &[u8]) -> Result<Vec<u8>, BundleError> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes)
        .map_err(|e| BundleError::Write(e.to_string()))?;
    z.finish().map_err(|e| BundleError::Write(e.to_string()))
}

fn unzlib(bytes: &[u8], what: &str) -> Result<Vec<u8>, BundleError> {
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(MAX_PART + 1)
        .read_to_end(&mut raw)
        .map_err(|e| BundleError::Damaged(format!("cannot decompress its {what}: {e}")))?;
    if raw.len() as u64 > MAX_PART {
        return Err(BundleError::Damaged(format!(
            "its {what} decompresses to more than 1 GiB"
        )));
    }
    Ok(raw)
}

/// The bincode settings of both parts, for writing and reading.
fn codec() -> impl bincode::Options {
    use bincode::Options;
    bincode::options().with_fixint_encoding()
}

fn decode<T: serde::de::DeserializeOwned>(raw: &[u8], what: &str) -> Result<T, BundleError> {
    use bincode::Options;
    codec()
        .reject_trailing_bytes()
        .with_limit(MAX_PART)
        .deserialize(raw)
        .map_err(|e| BundleError::Damaged(format!("cannot decode its {what}: {e}")))
}

/// Like `decode(&unzlib(bytes))`, without holding the decompressed part in memory: the records
/// are decoded as they inflate (in the browser the loaded bundle's peak is its worker's memory
/// for good, as wasm memory never shrinks).
fn decode_zlib<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, BundleError> {
    use bincode::Options;
    let mut input = std::io::BufReader::with_capacity(
        64 << 10,
        flate2::read::ZlibDecoder::new(bytes).take(MAX_PART + 1),
    );
    let value = codec()
        .with_limit(MAX_PART)
        .deserialize_from(&mut input)
        .map_err(|e| BundleError::Damaged(format!("cannot decode its {what}: {e}")))?;
    // Nothing may follow the records, as `reject_trailing_bytes` requires of `decode`.
    let mut rest = [0u8; 1];
    match input.read(&mut rest) {
        Ok(0) => Ok(value),
        Ok(_) => Err(BundleError::Damaged(format!(
            "cannot decode its {what}: bytes follow the records"
        ))),
        Err(e) => Err(BundleError::Damaged(format!(
            "cannot decompress its {what}: {e}"
        ))),
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, BundleError> {
    use bincode::Options;
    codec()
        .serialize(value)
        .map_err(|e| BundleError::Write(e.to_string()))
}

/// Writes a bundle of compiled records; `key` signs it. (Entries left out while compiling are
/// the builder's to report: `compiled.problems`.)
pub fn write(
    compiled: &Compiled,
    built: &str,
    sources: &[Source],
    extras: &Extras,
    key: Option<&[u8; 32]>,
) -> Result<Vec<u8>, BundleError> {
    let main = Main {
        header: Header {
            format_version: FORMAT_VERSION,
            built: built.to_string(),
            counts: compiled.counts.clone(),
            sources: sources.to_vec(),
            records: compiled.db.record_count() as u64,
            withdrawn: compiled.withdrawn as u64,
            kev: extras.kev.clone(),
            epss: extras.epss.clone(),
            digest: String::new(),
            signature: String::new(),
        },
        db: compiled.db.clone(),
    };
    let main = zlib(&encode(&main)?)?;
    let details = zlib(&encode(&compiled.details)?)?;
    let mut out = Vec::with_capacity(HEADER_LEN + main.len() + details.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(main.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&main));
    out.extend_from_slice(&(details.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&details));
    out.extend_from_slice(&[0u8; 64]);
    out.extend_from_slice(&main);
    out.extend_from_slice(&details);
    if let Some(key) = key {
        sign(&mut out, key)?;
    }
    Ok(out)
}

/// Signs a bundle in place with an ed25519 secret key (32 bytes).
pub fn sign(bundle: &mut [u8], secret: &[u8; 32]) -> Result<(), BundleError> {
    parts(bundle)?;
    let key = SigningKey::from_bytes(secret);
    let signature = key.sign(&bundle[..SIGNED_LEN]);
    bundle[SIGNED_LEN..HEADER_LEN].copy_from_slice(&signature.to_bytes());
    Ok(())
}

/// The public key of a secret key.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

/// Whether the bundle carries a signature, and if so whether one of `keys` made it.
pub fn signature_status(bundle: &[u8], keys: &[[u8; 32]]) -> Result<Option<bool>, BundleError> {
    parts(bundle)?;
    Ok(checked_signature(bundle, keys))
}

/// The signature check of a bundle whose container [`parts`] has already accepted (so the
/// header is there); hashing the parts again would double the cost of loading.
fn checked_signature(bundle: &[u8], keys: &[[u8; 32]]) -> Option<bool> {
    let sig = &bundle[SIGNED_LEN..HEADER_LEN];
    if sig.iter().all(|&b| b == 0) {
        return None;
    }
    let mut s = [0u8; 64];
    s.copy_from_slice(sig);
    let signature = Signature::from_bytes(&s);
    Some(keys.iter().any(|k| {
        VerifyingKey::from_bytes(k)
            .map(|vk| vk.verify(&bundle[..SIGNED_LEN], &signature).is_ok())
            .unwrap_or(false)
    }))
}

/// Splits a bundle into (main, details) after checking magic, version, lengths and hashes.
fn parts(bytes: &[u8]) -> Result<(&[u8], &[u8]), BundleError> {
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if version != FORMAT_VERSION {
        return Err(BundleError::Version(version));
    }
    if bytes.len() < HEADER_LEN {
        return Err(BundleError::Damaged(
            "it is shorter than its header; the file is truncated".into(),
        ));
    }
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let (main_len, details_len) = (u64_at(8), u64_at(48));
    let body = (bytes.len() - HEADER_LEN) as u64;
    if main_len.checked_add(details_len) != Some(body) {
        return Err(BundleError::Damaged(format!(
            "its parts are {body} bytes but the header says {main_len} + {details_len}; the file is truncated or has extra bytes"
        )));
    }
    let main = &bytes[HEADER_LEN..HEADER_LEN + main_len as usize];
    let details = &bytes[HEADER_LEN + main_len as usize..];
    if Sha256::digest(main).as_slice() != &bytes[16..48] {
        return Err(BundleError::Damaged(
            "the SHA-256 of its records does not match; download it again".into(),
        ));
    }
    if Sha256::digest(details).as_slice() != &bytes[56..88] {
        return Err(BundleError::Damaged(
            "the SHA-256 of its details does not match; download it again".into(),
        ));
    }
    Ok((main, details))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads and verifies a bundle; returns its header and database.
pub fn read(bytes: &[u8], trust: Trust<'_>) -> Result<(Header, AdvisoryDb), BundleError> {
    let (main, _) = parts(bytes)?;
    let (keys, required) = match trust {
        Trust::SignatureOptional(k) => (k, false),
        Trust::SignatureRequired(k) => (k, true),
    };
    let signed = match checked_signature(bytes, keys) {
        None if required => return Err(BundleError::Unsigned),
        None => false,
        Some(false) => return Err(BundleError::BadSignature),
        Some(true) => true,
    };
    let main: Main = decode_zlib(main, "records")?;
    if main.header.format_version != FORMAT_VERSION {
        return Err(BundleError::Damaged(
            "its inner header disagrees with its format version".into(),
        ));
    }
    main.db.check().map_err(BundleError::Damaged)?;
    let mut header = main.header;
    header.digest = hex(&bytes[16..48]);
    header.signature = if signed { "signed" } else { "unsigned" }.into();
    Ok((header, main.db))
}

/// Sizes of a bundle's parts: (records compressed, records raw, details compressed, details
/// raw), for build reports and benchmarks.
pub fn part_sizes(bytes: &[u8]) -> Result<(u64, u64, u64, u64), BundleError> {
    let (main, details) = parts(bytes)?;
    let raw_len = |part: &[u8], what: &str| -> Result<u64, BundleError> {
        std::io::copy(
            &mut flate2::read::ZlibDecoder::new(part).take(MAX_PART + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| BundleError::Damaged(format!("cannot decompress its {what}: {e}")))
    };
    Ok((
        main.len() as u64,
        raw_len(main, "records")?,
        details.len() as u64,
        raw_len(details, "details")?,
    ))
}

/// The details text of one record, decoded from the details part on demand.
pub fn details(bytes: &[u8], id: &str) -> Result<Option<String>, BundleError> {
    let (_, details) = parts(bytes)?;
    let all: Vec<(String, String)> = decode(&unzlib(details, "details")?, "details")?;
    Ok(all.into_iter().find(|(i, _)| i == id).map(|(_, d)| d))
}

/// Parses a key file: 64 hex digits (whitespace and a trailing comment line allowed).
pub fn parse_key(text: &str) -> Option<[u8; 32]> {
    let hex: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Formats a key as 64 hex digits.
pub fn format_key(key: &[u8; 32]) -> String {
    hex(key)
}
