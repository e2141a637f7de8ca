#!/usr/bin/env bash
# Installs the JavaScript test runners the mining tests run on real histories (pinned versions) into
# ~/.cache/shakedown/runners/<name>@<version>, outside the repository: a mined project's test command (`npx mocha`,
# `npx jest`) finds them through PATH, as it would find the project's own node_modules/.bin. An installation is
# reused when its marker file is present. Tests find them there (see test-support/pinned-test-runners.ts).
# Versions: keep in step with PINNED_TEST_RUNNERS in test-support/pinned-test-runners.ts.
set -euo pipefail

root="${SHAKEDOWN_RUNNERS_DIR:-${HOME}/.cache/shakedown/runners}"
mkdir -p "$root"

install_runner() {
  local name="$1" version="$2"
  local prefix="$root/$name@$version"
  if [[ -f "$prefix/.installed" ]]; then
    echo "test runner $name@$version: already installed in $prefix"
    return
  fi
  echo "test runner $name@$version: installing into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "$name@$version"
  touch "$prefix/.installed"
}

install_runner mocha 10.8.2
install_runner jest 29.7.0
