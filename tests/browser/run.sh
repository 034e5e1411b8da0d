#!/usr/bin/env bash
# Browser tests of `scaffold serve` in a real headless Chromium.
#
# Installs what is missing (Debian's chromium with apt-get, playwright-core and axe-core
# with npm into this directory, from the npm cache when it has them), builds scaffold
# unless SCAFFOLD_BIN names a binary, runs the tests and prints `N passed, N failed` last.
# Screenshots go to tests/browser/artifacts/ (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

fail_setup() {
  echo "browser tests: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser tests: installing Debian's chromium" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; } \
    || fail_setup "cannot install chromium (apt-get install chromium)"
fi

# Node 20 works; a newer Node first on PATH is used when there is one.
command -v node >/dev/null 2>&1 || fail_setup "node is not installed"
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && npm install --no-package-lock --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null) \
    || fail_setup "npm install in tests/browser failed"
fi

if [ -z "${SCAFFOLD_BIN:-}" ]; then
  (cd "$root" && cargo build --quiet) || fail_setup "cargo build failed"
  export SCAFFOLD_BIN="$root/target/debug/scaffold"
fi

export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
cd "$here"
exec node serve.test.mjs
