//! PHP: packages Composer installed, from `vendor/composer/installed.json` (Composer 1: an
//! array; Composer 2: `{"packages": [...]}`). Versions are kept as written (`v5.4.0` or `5.4.0`).
//! Ignores: `composer.lock` (declared). Reference: getcomposer.org/doc/07-runtime.md.

use serde_json::Value;

use super::{package, parse_json, plausible};
use crate::extract::{ExtractInput, Extracted, Extractor};

const MAX_INSTALLED: u64 = 64 << 20;

pub struct ComposerInstalled;

impl Extractor for ComposerInstalled {
    fn name(&self) -> &'static str {
        "php/composer"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_INSTALLED && path.ends_with("vendor/composer/installed.json")
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let mut out = Extracted::default();
        let v = match parse_json(input) {
            Ok(v) => v,
            Err(w) => {
                out.warnings.push(w);
                return out;
            }
        };
        let list = v
            .get("packages")
            .unwrap_or(&v)
            .as_array()
            .cloned()
            .unwrap_or_default();
        for p in list {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let version = p.get("version").and_then(Value::as_str).unwrap_or("");
            if plausible(name) && plausible(version) {
                let mut pkg = package("Packagist", name, version, self.name());
                pkg.license = p
                    .get("license")
                    .and_then(Value::as_array)
                    .and_then(|l| l.first())
                    .and_then(Value::as_str)
                    .map(str::to_string);
                out.packages.push(pkg);
            }
        }
        out
    }
}
