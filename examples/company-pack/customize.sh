#!/usr/bin/env bash
# Make a company-flavoured FastAPI pack from the built-in one: export it, rename it, add the
# company's variables and files, lint it, and render a service from it.
#
#   bash examples/company-pack/customize.sh [PACK-DIR] [OUTPUT-DIR]
#   SCAFFOLD=target/release/scaffold bash examples/company-pack/customize.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scaffold=${SCAFFOLD:-scaffold}
pack=${1:-$(mktemp -d)/acme-fastapi}
out=${2:-$(mktemp -d)}

"$scaffold" pack export fastapi "$pack"

# Rename it: a user pack must not share a built-in pack's name.
sed -i '0,/^name = "fastapi"/s//name = "acme-fastapi"/' "$pack/pack.toml"
sed -i '0,/^description = .*/s//description = "ACME FastAPI service: the built-in starter plus CODEOWNERS and a runbook"/' "$pack/pack.toml"
# The company's own questions, and the files that use them.
cat "$here/variables.toml" >> "$pack/pack.toml"
cp -R "$here/overlay/." "$pack/"

"$scaffold" pack lint --strict "$pack"
"$scaffold" new "Payments API" --pack "$pack" --set owning_team=acme/payments --set tier=1 \
  --yes --no-git --output "$out"
echo "pack: $pack"
echo "project: $out/payments-api"
