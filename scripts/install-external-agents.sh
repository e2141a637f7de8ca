#!/usr/bin/env bash
# Installs the external coding agents shakedown's tests run (pinned versions) into
# ~/.cache/shakedown/agents/<name>@<version>, outside the repository: they are large and every worktree would carry
# them. An installation is reused when its marker file is present. Tests find them there (see
# test-support/external-agent-installs.ts); the run sandbox exposes them read-only.
# Versions: keep in step with EXTERNAL_AGENT_VERSIONS in src/external/agent-installs.ts and the README table.
set -euo pipefail

root="${SHAKEDOWN_AGENTS_DIR:-${HOME}/.cache/shakedown/agents}"
mkdir -p "$root"

install_agent() {
  local name="$1" package="$2" version="$3"
  local prefix="$root/$name@$version"
  if [[ -f "$prefix/.installed" ]]; then
    echo "external agent $name@$version: already installed in $prefix"
    return
  fi
  echo "external agent $name@$version: installing $package@$version into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "$package@$version"
  # Qwen Code ships its ripgrep without the execute bit and sets it on first use, which a read-only mount forbids.
  find "$prefix/node_modules" -path '*/vendor/ripgrep/*' -name rg -type f -exec chmod +x {} + 2>/dev/null || true
  touch "$prefix/.installed"
}

install_agent qwen-code @qwen-code/qwen-code 0.24.4
install_agent opencode opencode-ai 1.18.33
install_agent codex @openai/codex 0.171.0
