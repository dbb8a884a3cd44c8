#!/usr/bin/env bash
# Installs what tarsier's build and tests need, skipping whatever is already present, so a second
# run is fast. Pinned versions make a fresh machine get the same tools.
#   scripts/setup.sh            everything (build + browser tests)
#   scripts/setup.sh --build    only what building the site needs (used by scripts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
MODE=${1:-all}
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "[setup] need root to run: $*" >&2; return 1; fi
}

apt_install() {
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
  }
}

# Rust: the wasm32 target and the lint tools.
if ! command -v cargo >/dev/null; then
  echo "[setup] cargo is missing: install Rust with rustup first (https://rustup.rs)" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# Trunk, pinned (0.22 needs a newer rustc than this machine has).
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk@$TRUNK_VERSION (about 10-20 minutes, once)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate version in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WBG_VERSION" ]; then
  echo "[setup] could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]; then
  say "cargo install wasm-bindgen-cli@$WBG_VERSION"
  # Not --locked: the registry mirror lacks one of its locked dependencies.
  cargo install --force "wasm-bindgen-cli@$WBG_VERSION"
fi

# npm tools: binaryen (wasm-opt for release builds) and playwright-core, pinned in package-lock.json.
npm_ok() {
  [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/playwright-core/package.json ] &&
    [ -f node_modules/@microsoft/sarif-multitool-linux/package.json ] &&
    node -e '
      const lock = require("./package-lock.json").packages;
      for (const name of ["binaryen", "playwright-core", "@microsoft/sarif-multitool-linux"]) {
        const want = lock["node_modules/" + name].version;
        const have = require("./node_modules/" + name + "/package.json").version;
        if (want !== have) process.exit(1);
      }' 2>/dev/null
}
if ! npm_ok; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

[ "$MODE" = "--build" ] && exit 0

# Export validators (the export tests): cyclonedx-python-lib and spdx-tools in a venv, pinned.
# The SARIF schema and Microsoft's SARIF Multitool come with the npm package above.
VALIDATORS=${TARSIER_VALIDATORS:-$HOME/.cache/tarsier/validators}
VALIDATOR_PINS=("cyclonedx-python-lib[json-validation]==11.12.0" "spdx-tools==0.8.5")
if ! "$VALIDATORS/bin/python" -c 'import cyclonedx.validation.json, spdx_tools.spdx.validation' 2>/dev/null; then
  say "python venv with ${VALIDATOR_PINS[*]}"
  python3 -m venv "$VALIDATORS"
  "$VALIDATORS/bin/pip" install -q "${VALIDATOR_PINS[@]}"
fi

# Browser tests: Debian's Chromium, driven by playwright-core (no browser download works here).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# A CJK font, so the 简体中文 screenshots show characters rather than empty boxes.
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  apt_install fonts-wqy-microhei
fi
say "tools ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | cut -d' ' -f1-3), chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
