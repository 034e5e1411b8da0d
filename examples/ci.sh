#!/usr/bin/env bash
# Scripted use of scaffold, the way a CI job or a platform bootstrap script runs it: render
# from an answers file without prompts, read the JSON report, then run the generated
# project's own checks through its Makefile (`make install lint test`).
#
#   bash examples/ci.sh [ANSWERS-FILE] [OUTPUT-DIR]
#   SCAFFOLD=target/release/scaffold SKIP_CHECKS=1 bash examples/ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scaffold=${SCAFFOLD:-scaffold}
answers=${1:-examples/answers/django-admin.toml}
out=${2:-$(mktemp -d)}

# --yes: never prompt; --json: one JSON document on stdout; a missing answer is exit 2.
report=$("$scaffold" new service --answers "$answers" --yes --no-git --json --output "$out")
path=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["path"])' <<<"$report")
files=$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)["files"]))' <<<"$report")
echo "rendered $files files into $path"

if [ "${SKIP_CHECKS:-0}" = 1 ]; then
  exit 0
fi
make -C "$path" install lint test
