#!/bin/bash
# Compares two builds of smbscope on one capture, runs alternating so that both see the same load:
#   bench/ab.sh BASE_DIR EXP_DIR CAPTURE [RUNS] [-- extra smbscope args]
# BASE_DIR and EXP_DIR are checkouts with dist/ built, e.g. `git worktree add /tmp/base HEAD~3`,
# `ln -s "$PWD/node_modules" /tmp/base/`, `(cd /tmp/base && npx tsc -p tsconfig.json)`.
# Prints, per build, the elapsed and user+system seconds of every run, sorted.
set -euo pipefail
base=$1 exp=$2 capture=$3 runs=${4:-5}
shift $(( $# >= 4 ? 4 : 3 ))
[ "${1:-}" = "--" ] && shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$runs"); do
  for d in base exp; do
    dir=$base; [ $d = exp ] && dir=$exp
    t=$( { /usr/bin/time -f '%e %U %S' node "$dir/bin/smbscope.js" -C -r "$capture" --logdir "$out/logs" -q "$@" >/dev/null; } 2>&1 | tail -1)
    echo "$d $t"
  done
done | awk '{print $1, $2, $3 + $4}' | sort -k1,1 -k2n |
  awk '{e[$1] = e[$1] " " $2; c[$1] = c[$1] " " $3} END {for (k in e) print k, "elapsed:" e[k], "  cpu:" c[k]}'
