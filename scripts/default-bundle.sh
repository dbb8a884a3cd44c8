#!/usr/bin/env bash
# Builds the site's default advisory bundle into target/site/advisories.trsb, signed with the
# development key keys/bundle-dev.key (see keys/README.md); Trunk copies it into dist/. Runs as
# Trunk's pre_build hook, so `trunk build` (and with it the run and test commands) always has it.
#
# Input: $TARSIER_ADVISORIES, else ../shared/advisories when present (works offline), else OSV's
# per-ecosystem exports, the CISA KEV catalog and FIRST's EPSS scores downloaded once into
# target/osv with `tarsier bundle fetch` (ecosystems: $TARSIER_ECOSYSTEMS, default below). The
# KEV catalog and EPSS file among the input are found by the builder. Rebuilt only when its
# input or the CLI changed.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/site/advisories.trsb
SRC=${TARSIER_ADVISORIES:-../shared/advisories}
ECOSYSTEMS=${TARSIER_ECOSYSTEMS:-Debian,Ubuntu,Alpine,AlmaLinux,Rocky Linux,PyPI,npm,Go,crates.io,Maven,RubyGems,Packagist,NuGet}
mkdir -p target/site
cargo build -q -p tarsier-cli --locked
BIN=target/debug/tarsier
if [ ! -d "$SRC" ]; then
  SRC=target/osv
  if [ ! -d "$SRC" ]; then
    echo "[bundle] ../shared/advisories is missing: downloading OSV exports into $SRC" >&2
    "$BIN" bundle fetch --ecosystems "$ECOSYSTEMS" --out "$SRC.part" >&2
    mv "$SRC.part" "$SRC"
  fi
fi
MANIFEST=target/site/advisories.json
if [ -s "$OUT" ] && [ -s "$MANIFEST" ] && [ -z "$(find "$SRC" "$BIN" keys -newer "$OUT" -print -quit)" ]; then
  exit 0
fi
EXTRA=()
# The EPSS copy in ../shared/advisories has no score-date line of its own; its snapshot date is
# in ../shared/advisories/README.md. FIRST's own daily files carry their date.
EPSS_DATE=${TARSIER_EPSS_DATE:-}
if [ -z "$EPSS_DATE" ] && [ "$SRC" = ../shared/advisories ]; then EPSS_DATE=2026-08-16; fi
[ -n "$EPSS_DATE" ] && EXTRA+=(--epss-date "$EPSS_DATE")
echo "[bundle] building $OUT from $SRC" >&2
"$BIN" bundle build --osv "$SRC" --out "$OUT.tmp" --sign keys/bundle-dev.key "${EXTRA[@]}" >&2
mv "$OUT.tmp" "$OUT"
# The small manifest the page checks for a newer bundle before downloading one.
"$BIN" bundle manifest "$OUT" --out "$MANIFEST"
