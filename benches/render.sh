#!/usr/bin/env bash
# Benchmark: rendering a starter as a whole process, paired against `cp -r` of the same
# rendered tree (the floor: what copying the files costs), on tmpfs and on the working disk.
#
# Fixtures: the built-in FastAPI pack (the starter), and two synthetic directory packs of
# 1,000 and 10,000 files (nine in ten verbatim 1,200-byte files, one in ten a small template
# with a conditional, ten directories). Each run of scaffold is paired with a run of `cp -r`
# of the tree scaffold rendered, in alternating order; the output is removed before every
# run of either. Reported: the median of scaffold's times, of cp's, and the median of the
# per-pair ratios; then the peak RSS of one scaffold run (GNU time, `%M`) and the time of a
# `--dry-run`. Each time is given as wall time and as CPU time (user + system, from the
# kernel's account of that one process, `wait4`): on a shared, loaded machine the CPU
# ratio is the steadier figure. Builds scaffold in release mode first.
#
#   bash benches/render.sh                 # tmpfs (/dev/shm) and the disk under target/
#   PAIRS=21 bash benches/render.sh        # more pairs per workload on tmpfs (default 11)
#   DISK_PAIRS=11 bash benches/render.sh   # on the disk (default 5: a 10,000-file run there
#                                          # takes seconds to tens of seconds)
#   WHERE=shm bash benches/render.sh       # tmpfs only (WHERE=disk: disk only)
#   BIN=path/to/scaffold bash benches/render.sh   # another build (no cargo build)
#   BASE=path/to/old/scaffold bash benches/render.sh
#                                          # a second build in the same rotation (each
#                                          # round runs scaffold, BASE and cp -r, in turn
#                                          # first): the two builds compared under the same
#                                          # machine conditions, as BASE / scaffold ratios
#   STATIC=1 bash benches/render.sh        # the static build (glibc linked in; Linux with
#                                          # glibc only), built for the host target
#   STATIC=1 BASE=target/release/scaffold bash benches/render.sh
#                                          # the static build against the default one
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
if [ -z "${BIN:-}" ] && [ -n "${STATIC:-}" ]; then
  host=$(rustc -vV | sed -n 's/^host: //p')
  case $host in
    *-linux-gnu) ;;
    *) echo "STATIC=1 needs a Linux host with glibc, not $host" >&2; exit 2 ;;
  esac
  # With --target the flag reaches scaffold and its libraries, not the proc-macros (which
  # cannot be linked statically); the default build in target/release is left as it is.
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" cargo build --release --quiet --target "$host"
  BIN="$PWD/target/$host/release/scaffold"
elif [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$PWD/target/release/scaffold"
fi
pairs=${PAIRS:-11}
base_bin=${BASE:-}
if [ -n "$base_bin" ] && [ ! -x "$base_bin" ]; then echo "BASE=$base_bin is not an executable" >&2; exit 2; fi
disk_pairs=${DISK_PAIRS:-5}
where=${WHERE:-both}
fixtures=$(mktemp -d "${TMPDIR:-/tmp}/scaffold-bench-fixtures.XXXXXX")
dirs=("$fixtures")
cleanup() { rm -rf "${dirs[@]}"; }
trap cleanup EXIT

# A synthetic pack of $2 files in ten directories: one in ten a template with a conditional.
synth() {
  local pack=$1 files=$2 per_dir=$(($2 / 10))
  mkdir -p "$pack"
  cat > "$pack/pack.toml" <<TOML
[pack]
name = "synth"
version = "1.0.0"
description = "$files files for benchmarking"

[[variables]]
name = "flavour"
type = "choice"
choices = ["plain", "fancy"]
default = "plain"
TOML
  head -c 1200 /dev/zero | tr '\0' 'x' > "$fixtures/blob"
  for d in $(seq 0 9); do
    mkdir -p "$pack/dir$d"
    for f in $(seq 0 $((per_dir * 9 / 10 - 1))); do
      cp "$fixtures/blob" "$pack/dir$d/file$f.txt"
    done
    for f in $(seq 0 $((per_dir / 10 - 1))); do
      printf '# {{ project_name }} (%s)\nflavour = "{{ flavour }}"\n{%% if flavour == "fancy" %%}fancy{%% endif %%}\n' "$d-$f" > "$pack/dir$d/tpl$f.py.tera"
    done
  done
}
synth "$fixtures/synth-1000" 1000
synth "$fixtures/synth-10000" 10000

# run_pairs LABEL BASE -- scaffold arguments
run_pairs() {
  local label=$1 base=$2; shift 2
  local ref="$base/ref" out="$base/out"
  rm -rf "$ref" "$out"
  "$BIN" new bench-app "$@" --yes --no-git -o "$ref" >/dev/null 2>&1
  local n kib
  n=$(find "$ref/bench-app" -type f | wc -l)
  kib=$(du -sk "$ref/bench-app" | cut -f1)
  python3 - "$label ($n files, $kib KiB)" "$pairs" "$out" "$BIN" "$base_bin" "$ref" "$@" <<'PY'
import os, shutil, statistics, subprocess, sys, time
label, pairs, out, binary, base, ref, *args = sys.argv[1:]
pairs = int(pairs)
scaffold = [binary, "new", "bench-app", *args, "--yes", "--no-git", "-o", out]
copy = ["cp", "-r", ref, out]
dry = [binary, "new", "bench-app", *args, "--yes", "--no-git", "--dry-run", "-o", out]
older = [base, *scaffold[1:]] if base else None
def timed(cmd):
    """Wall time and CPU time (user + system, from the kernel's account of this child)."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        sys.exit(f"{cmd} exited with {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime
rotation = [("scaffold", scaffold), ("cp", copy)] + ([("base", older)] if older else [])
for _, cmd in rotation:  # warm-up
    timed(cmd)
t = {name: [] for name, _ in rotation}
d, dc = [], []
for i in range(pairs):
    k = i % len(rotation)
    for name, cmd in rotation[k:] + rotation[:k]:
        t[name].append(timed(cmd))
    shutil.rmtree(out, ignore_errors=True)
    w, cpu = timed(dry); d.append(w); dc.append(cpu)
shutil.rmtree(out, ignore_errors=True)
ms = lambda xs: f"{statistics.median(xs) * 1000:7.1f} ms"
def ratios(a, b, i):
    return [x[i] / max(y[i], 1e-6) for x, y in zip(t[a], t[b])]
for i, kind in ((0, "wall"), (1, "cpu: ")):
    r = ratios("scaffold", "cp", i)
    head = label if i == 0 else ""
    print(f"{head:36} {kind:5} scaffold {ms([x[i] for x in t['scaffold']])}  cp -r {ms([x[i] for x in t['cp']])}"
          f"  ratio {statistics.median(r):4.2f}x (min {min(r):.2f}, max {max(r):.2f})"
          f"  --dry-run {ms(d if i == 0 else dc)}", flush=True)
    if older:
        rb = ratios("base", "scaffold", i)
        print(f"{'':36} {kind:5} BASE     {ms([x[i] for x in t['base']])}  BASE / scaffold {statistics.median(rb):4.2f}x"
              f" (min {min(rb):.2f}, max {max(rb):.2f})", flush=True)
PY
  rm -rf "$out"
  /usr/bin/time -f "$label: peak RSS %M KiB" "$BIN" new bench-app "$@" --yes --no-git -o "$out" 2>&1 >/dev/null | tail -n 1
  rm -rf "$out" "$ref"
}

bench_in() {
  local base=$1 what=$2
  dirs+=("$base")
  echo "# $what: $base ($pairs pairs, medians)"
  run_pairs "fastapi starter" "$base" --stack fastapi
  run_pairs "synthetic 1,000" "$base" --pack "$fixtures/synth-1000"
  run_pairs "synthetic 10,000" "$base" --pack "$fixtures/synth-10000"
}

case $where in
  both|shm) bench_in "$(mktemp -d /dev/shm/scaffold-bench.XXXXXX)" "tmpfs" ;;
esac
case $where in
  both|disk) mkdir -p target; pairs=$disk_pairs; bench_in "$(mktemp -d "$PWD/target/scaffold-bench.XXXXXX")" "disk" ;;
esac
