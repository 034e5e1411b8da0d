#!/usr/bin/env bash
# Benchmark: rendering a starter as a whole process, against `cp -r` of the same rendered
# tree (the floor: what copying the files costs). Two workloads: the built-in FastAPI pack,
# and a synthetic 1,000-file pack (900 verbatim files, 100 templates, 10 directories).
# Prints hyperfine's tables and the peak memory of one run. Needs hyperfine
# (`apt-get install hyperfine`); builds scaffold in release mode first.
#
#   bash benches/render.sh            # all workloads
#   RUNS=50 bash benches/render.sh    # more runs per command
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 2; }
cargo build --release --quiet
bin="$PWD/target/release/scaffold"
runs=${RUNS:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The synthetic pack.
synth="$work/synth-pack"
mkdir -p "$synth"
cat > "$synth/pack.toml" <<'TOML'
[pack]
name = "synth"
version = "1.0.0"
description = "1,000 files for benchmarking"

[[variables]]
name = "flavour"
type = "choice"
choices = ["plain", "fancy"]
default = "plain"
TOML
for d in $(seq 0 9); do
  mkdir -p "$synth/dir$d"
  for f in $(seq 0 89); do
    head -c 1200 /dev/zero | tr '\0' 'x' > "$synth/dir$d/file$f.txt"
  done
  for f in $(seq 0 9); do
    printf '# {{ project_name }} (%s)\nflavour = "{{ flavour }}"\n{%% if flavour == "fancy" %%}fancy{%% endif %%}\n' "$d-$f" > "$synth/dir$d/tpl$f.py.tera"
  done
done

bench() {
  local label=$1; shift
  local ref="$work/ref-$label"
  "$bin" new bench-app "$@" --yes --no-git -o "$ref" >/dev/null 2>&1
  local files; files=$(find "$ref/bench-app" -type f | wc -l)
  echo
  echo "## $label: $files files, $(du -sk "$ref/bench-app" | cut -f1) KiB"
  hyperfine --warmup 3 --runs "$runs" -N \
    --prepare "rm -rf $work/out" \
    -n "scaffold new ($label)" "$bin new bench-app $* --yes --no-git -o $work/out" \
    -n "cp -r ($label)" "cp -r $ref $work/out"
  rm -rf "$work/out"
  /usr/bin/time -f "peak memory of one scaffold run ($label): %M KiB" \
    "$bin" new bench-app "$@" --yes --no-git -o "$work/out" 2>&1 >/dev/null | tail -n 1
  rm -rf "$work/out"
}

bench fastapi --stack fastapi
bench synthetic-1000 --pack "$synth"
