//! Ruby: installed gems, from `specifications/*.gemspec` (what `gem install` and Bundler write:
//! `s.name = "rake".freeze`, `s.version = "13.0.6"`). Ignores: `Gemfile.lock` (declared, not
//! installed). The gemspec is Ruby code; it is read, never run.

use super::{package, plausible};
use crate::extract::{ExtractInput, Extracted, Extractor};

const MAX_GEMSPEC: u64 = 1 << 20;

/// The string literal assigned by `.FIELD = "value"` (or `Gem::Version.new("value")`).
fn assigned(text: &str, field: &str) -> Option<String> {
    for line in text.lines() {
        let t = line.trim();
        let Some(rest) = t.split_once(&format!(".{field} = ")).map(|(_, r)| r) else {
            continue;
        };
        let rest = rest.trim_start_matches("Gem::Version.new(");
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?;
        return Some(value.to_string());
    }
    None
}

pub struct Gemspec;

impl Extractor for Gemspec {
    fn name(&self) -> &'static str {
        "ruby/gemspec"
    }
    fn file_required(&self, path: &str, size: u64) -> bool {
        size <= MAX_GEMSPEC && path.ends_with(".gemspec") && path.contains("/specifications/")
    }
    fn extract(&self, input: &ExtractInput<'_>) -> Extracted {
        let text = String::from_utf8_lossy(input.data);
        let mut out = Extracted::default();
        match (assigned(&text, "name"), assigned(&text, "version")) {
            (Some(n), Some(v)) if plausible(&n) && plausible(&v) => {
                let mut p = package("RubyGems", &n, &v, self.name());
                p.license = assigned(&text, "licenses").or_else(|| {
                    // s.licenses = ["MIT".freeze]
                    text.lines()
                        .find(|l| l.contains(".licenses = ["))
                        .and_then(|l| l.split('"').nth(1).map(str::to_string))
                });
                out.packages.push(p);
            }
            _ => out.warnings.push(format!(
                "/{}: a gemspec without a name and version",
                input.path
            )),
        }
        out
    }
}
