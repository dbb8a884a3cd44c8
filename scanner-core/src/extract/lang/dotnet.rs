//! .NET: NuGet packages an application was built with, from its `*.deps.json` (`libraries`
//! entries of type `package`, keyed `Name/Version`). Ignores: `project` entries (the
//! application's own assemblies) and runtime packs.

use serde_json::Value;

use super::{file_name, package, parse_json, plausible};
use crate::extract::{ExtractInput, Extracted, Extractor};

const MAX_DEPS: u64 = 64 << 20;

pub struct DepsJson;

impl Extractor for DepsJson {
    fn name(&self) -> &'static str {
        "dotnet/deps.json"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_DEPS && file_name(path).ends_with(".deps.json")
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
        let Some(libraries) = v.get("libraries").and_then(Value::as_object) else {
            return out;
        };
        for (key, lib) in libraries {
            if lib.get("type").and_then(Value::as_str) != Some("package") {
                continue;
            }
            if let Some((name, version)) = key.split_once('/') {
                if plausible(name) && plausible(version) {
                    out.packages
                        .push(package("NuGet", name, version, self.name()));
                }
            }
        }
        out
    }
}
