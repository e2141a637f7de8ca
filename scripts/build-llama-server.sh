#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the source node-llama-cpp ships (a git bundle), offline, into a cache outside
# the repository keyed by the bundle's commit. Prints the binary's path. Reuses a finished build when present.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=node_modules/node-llama-cpp/llama/gitRelease.bundle
[ -f "$bundle" ] || { echo "build-llama-server: $bundle is missing; run npm ci first" >&2; exit 1; }
commit=$(git bundle list-heads "$bundle" | awk 'NR==1{print $1}')
cache=${SHAKEDOWN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shakedown}/llama-server/$commit
binary=$cache/bin/llama-server
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/shakedown-llama-build-XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet "$bundle" "$work/src" >&2
git -C "$work/src" checkout --quiet "$commit" >&2
jobs=${LLAMA_BUILD_JOBS:-$(nproc)}
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$work/build" --target llama-server -j "$jobs" >&2
mkdir -p "$cache/bin.partial"
cp "$work/build/bin/llama-server" "$cache/bin.partial/"
rm -rf "$cache/bin"; mv "$cache/bin.partial" "$cache/bin"
echo "$binary"
