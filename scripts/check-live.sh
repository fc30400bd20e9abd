#!/usr/bin/env bash
# Live capture vs. reading the capture: do `smbscope -i lo` and `smbscope -r`
# write the same logs for the same SMB traffic?
#
# Usage (as root, Debian 12, after `npx tsc -p .`):  sudo scripts/check-live.sh [--keep]
#
# Starts the private smbd of scripts/fixtures/lib-smbd.sh on 127.0.0.1:445,
# then at the same time
#   A: node bin/smbscope.js -i lo -C --logdir A -f 'tcp port 445' --log-cmds --hash md5 --seed 1
#   tcpdump -i lo -w X.pcap 'tcp port 445'
# runs one smbclient session (mkdir, put a text file and a 100,000-byte file,
# get both, rename, delete, rmdir), stops tcpdump (SIGINT) and smbscope
# (SIGINT: it must close its logs and exit 0), then
#   B: node bin/smbscope.js -C -r X.pcap --logdir B -f 'tcp port 445' --log-cmds --hash md5 --seed 1
# and compares the logs of A and B with the #open/#close lines left out and
# the connection and file uids renamed C#1, C#2, ... / F#1, ... in order of
# first appearance (as the conformance harness does).
#
# Two captures of the same traffic are not byte-identical: each capture
# socket stamps a packet with its own clock reading, so times differ by a
# few microseconds between A and B.  When A and B differ, the script also
# says whether they agree once time and interval values may differ by up to
# 100 us.  A third run isolates smbscope itself:
#   C: node bin/smbscope.js -C -r Y.pcap ...  where Y.pcap is the very pcap
#      stream smbscope's capture tool produced during A (a tcpdump wrapper
#      first on A's PATH runs the real tcpdump with smbscope's arguments and
#      tees its output to Y.pcap)
# A and C must be identical.  For diagnosis, CHECK_LIVE_TCPDUMP_ARGS in the
# environment adds arguments to the tcpdump that smbscope -i runs (e.g.
# CHECK_LIVE_TCPDUMP_ARGS='-B 65536' for a 64 MiB kernel buffer).
#
# Exit status: 0 when A equals C, A equals B (up to the time jitter) and
# smbscope -i reports no packets dropped; 1 otherwise (the differences are
# printed) or when a step fails; 77 skipped (not root, or smbd/smbclient/
# tcpdump missing; the reason is printed).  It stops the smbd, tcpdump and
# smbscope it started (by PID) and removes its temp dir (--keep keeps it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$ROOT/bin/smbscope.js
NODE=${NODE:-$(command -v node)}

skip() { echo "check-live: skipped: $*" >&2; exit 77; }
[[ $EUID -eq 0 ]] || skip "needs root (smbd on port 445, capturing on lo)"
for t in smbd smbclient tcpdump smbpasswd; do
  command -v "$t" >/dev/null || skip "$t is not installed (Debian: apt install samba smbclient tcpdump)"
done
[[ -f $ROOT/dist/src/cli/main.js ]] || { echo "check-live: build first (npx tsc -p .)" >&2; exit 1; }
if ss -ltn | grep -qE ':(445|139) '; then skip "something already listens on port 445 or 139"; fi
[[ ${1:-} == --keep ]] && export KEEP_W=1

# shellcheck source=fixtures/lib-smbd.sh
. "$HERE/fixtures/lib-smbd.sh"
LIVE_PID=
stop_live() {   # stops smbscope -i (by PID) if it still runs
  if [[ -n $LIVE_PID ]]; then kill -TERM "$LIVE_PID" 2>/dev/null || true; wait "$LIVE_PID" 2>/dev/null || true; LIVE_PID=; fi
}
on_exit() {     # smbscope -i first, then lib-smbd.sh's cleanup (tcpdump, smbd, $W), keeping our exit status
  local rc=$?
  set +e
  stop_live
  (exit "$rc")
  cleanup
}
smbd_setup live
trap on_exit EXIT
trap 'exit 1' INT TERM
L=$W/local
mkdir -p "$L" "$W/dl" "$W/A" "$W/B" "$W/C" "$W/wrap"
$PY - "$L" <<'PY'
import os, random, sys
r = random.Random(4242)
d = sys.argv[1]
with open(os.path.join(d, 'notes.txt'), 'w') as f:
    for i in range(80):
        f.write('%03d live capture check line, %s\n' % (i, ' '.join(r.choice('smb tree file read write lo'.split()) for _ in range(8))))
with open(os.path.join(d, 'blob.bin'), 'wb') as f:
    f.write(r.randbytes(100000))
PY
smbd_start

FILTER='tcp port 445'
OPTS=(--log-cmds --hash md5 --seed 1)

# the tcpdump wrapper for run A: same arguments, output teed to Y.pcap when writing a capture
REAL_TCPDUMP=$(command -v tcpdump)
cat >"$W/wrap/tcpdump" <<SH
#!/usr/bin/env bash
for a in "\$@"; do
  if [[ \$a == -w ]]; then
    trap 'kill -TERM "\$pid" 2>/dev/null' TERM INT
    "$REAL_TCPDUMP" ${CHECK_LIVE_TCPDUMP_ARGS:-} "\$@" > >(tee "$W/Y.pcap") &
    pid=\$!
    wait "\$pid"; wait "\$pid"
    exit \$?
  fi
done
exec "$REAL_TCPDUMP" "\$@"
SH
chmod 755 "$W/wrap/tcpdump"

# A: smbscope on the live interface (it runs its own tcpdump, unfiltered, and applies -f itself)
PATH="$W/wrap:$PATH" "$NODE" "$BIN" -i lo -C --logdir "$W/A" -f "$FILTER" "${OPTS[@]}" \
  >"$W/log/live.out" 2>"$W/log/live.err" &
LIVE_PID=$!
# its capture tool runs as a child; give it a moment to start listening
for _ in $(seq 100); do pgrep -P "$LIVE_PID" >/dev/null && break; sleep 0.05; done
pgrep -P "$LIVE_PID" >/dev/null ||
  { cat "$W/log/live.err" >&2; echo "check-live: smbscope -i did not start its capture tool" >&2; exit 1; }

# the separate reference capture
tcpdump -i lo -s 0 -U --immediate-mode -B 65536 -w "$W/X.pcap" "$FILTER" 2>"$W/log/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$W/log/tcpdump.err" && break; sleep 0.05; done
sleep 0.7

smbc -m SMB3_11 "//$SMBD_ADDR/$SHARE" -c "mkdir livedir; cd livedir; lcd $L; put notes.txt; put blob.bin; ls;
  lcd $W/dl; get notes.txt; get blob.bin; rename notes.txt notes-renamed.txt; del notes-renamed.txt;
  del blob.bin; cd ..; rmdir livedir" >"$W/log/client.out" 2>&1 ||
  { cat "$W/log/client.out" >&2; echo "check-live: smbclient failed" >&2; exit 1; }
if ! cmp -s "$L/notes.txt" "$W/dl/notes.txt" || ! cmp -s "$L/blob.bin" "$W/dl/blob.bin"; then
  echo "check-live: downloads differ from the uploads" >&2; exit 1
fi

sleep 0.5
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" || true; TCPDUMP_PID=
grep -q '^0 packets dropped by kernel' "$W/log/tcpdump.err" ||
  { cat "$W/log/tcpdump.err" >&2; echo "check-live: the reference tcpdump dropped packets" >&2; exit 1; }
kill -INT "$LIVE_PID"
live_rc=0; wait "$LIVE_PID" || live_rc=$?; LIVE_PID=
if [[ $live_rc -ne 0 ]]; then
  cat "$W/log/live.err" >&2; echo "check-live: smbscope -i exited $live_rc after SIGINT (expected 0)" >&2; exit 1
fi
echo "check-live: RESULT sigint-exit 0"
for f in "$W"/A/*.log; do
  [[ $(tail -n 1 "$f") == \#close* ]] || { echo "check-live: $(basename "$f") of the live run has no #close line" >&2; exit 1; }
done
echo "check-live: RESULT logs-closed $(ls "$W"/A/*.log | wc -l)"
# smbscope -i's own capture tool must not have lost packets (the logs are compared anyway, to show the cost)
live_drops=0
if ! grep -q 'dropped by the kernel' "$W/log/live.err" || grep -qE ', [1-9][0-9]* dropped by the kernel' "$W/log/live.err"; then
  live_drops=1
fi

# B: the separate capture; C: the packets smbscope -i read
"$NODE" "$BIN" -C -r "$W/X.pcap" --logdir "$W/B" -f "$FILTER" "${OPTS[@]}" >"$W/log/file.out" 2>"$W/log/file.err" ||
  { cat "$W/log/file.err" >&2; echo "check-live: smbscope -r X.pcap failed" >&2; exit 1; }
"$NODE" "$BIN" -C -r "$W/Y.pcap" --logdir "$W/C" -f "$FILTER" "${OPTS[@]}" >"$W/log/tee.out" 2>"$W/log/tee.err" ||
  { cat "$W/log/tee.err" >&2; echo "check-live: smbscope -r Y.pcap failed" >&2; exit 1; }

echo "check-live: reference tcpdump: $(grep -E 'captured|dropped' "$W/log/tcpdump.err" | tr '\n' ' ')"
echo "check-live: A (live):     $(grep -E '^smbscope: ' "$W/log/live.err" | tr '\n' ' ')"
echo "check-live: B (X.pcap):   $(grep -E '^smbscope: [0-9]+ packets,' "$W/log/file.err" | head -1)"
echo "check-live: C (Y.pcap):   $(grep -E '^smbscope: [0-9]+ packets,' "$W/log/tee.err" | head -1)"

# the comparison: #open/#close left out, uids renamed in order of first appearance across the
# logs; with a 5th argument US, time and interval values may differ by up to US microseconds
cat >"$W/compare.cjs" <<'JS'
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const [a, b, nameA, nameB, tolArg] = process.argv.slice(2);
const tol = tolArg ? Number(tolArg) * 1e-6 : 0;
const ORDER = ['conn.log', 'ntlm.log', 'smb_mapping.log', 'smb_files.log', 'files.log', 'smb_cmd.log', 'weird.log'];
const UID = /(^|\.)(uid|fuid|parent_fuid|conn_uids|fuids|uids)$/;
function canon(dir) {
  const names = new Map();
  const n = { C: 0, F: 0, X: 0 };
  const ren = (u) => {
    if (!names.has(u)) {
      const p = u[0] === 'C' || u[0] === 'F' ? u[0] : 'X';
      names.set(u, `${p}#${++n[p]}`);
    }
    return names.get(u);
  };
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  files.sort((x, y) => (ORDER.indexOf(x) + 1 || 99) - (ORDER.indexOf(y) + 1 || 99) || x.localeCompare(y));
  const out = new Map();
  for (const f of files) {
    let cols = [];
    let types = [];
    const lines = [];
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#open\t') || line.startsWith('#close\t')) continue;
      if (line.startsWith('#fields\t')) {
        cols = line.split('\t').slice(1).map((x, i) => (UID.test(x) ? i : -1)).filter((i) => i >= 0);
      }
      if (line.startsWith('#types\t')) types = line.split('\t').slice(1);
      if (line.startsWith('#')) { lines.push({ text: line }); continue; }
      const v = line.split('\t');
      for (const i of cols) if (v[i] && v[i] !== '-' && v[i] !== '(empty)') v[i] = v[i].split(',').map(ren).join(',');
      lines.push({ text: v.join('\t'), v, types });
    }
    out.set(f, lines);
  }
  return out;
}
function same(x, y) {
  if (x.text === y.text) return true;
  if (!tol || !x.v || !y.v || x.v.length !== y.v.length) return false;
  return x.v.every((s, i) => {
    if (s === y.v[i]) return true;
    const t = x.types[i];
    return (t === 'time' || t === 'interval') && Math.abs(Number(s) - Number(y.v[i])) <= tol + 1e-9;
  });
}
const A = canon(a);
const B = canon(b);
let bad = 0;
const all = [...new Set([...A.keys(), ...B.keys()])].sort();
const label = `${nameA} vs ${nameB}${tol ? ` (times within ${tolArg} us)` : ''}`;
for (const f of all) {
  const x = A.get(f);
  const y = B.get(f);
  if (!x || !y) { console.log(`  ${f}: only in ${x ? nameA : nameB}`); bad++; continue; }
  const rows = (l) => l.filter((s) => s.v).length;
  if (x.length === y.length && x.every((s, i) => same(s, y[i]))) { console.log(`  ${f}: same (${rows(x)} records)`); continue; }
  bad++;
  console.log(`  ${f}: differs (${nameA} ${rows(x)} records, ${nameB} ${rows(y)} records)`);
  let shown = 0;
  for (let i = 0; i < Math.max(x.length, y.length) && shown < 4; i++) {
    if (x[i] && y[i] && same(x[i], y[i])) continue;
    console.log(`    line ${i + 1}\n      ${nameA}: ${x[i]?.text ?? '(none)'}\n      ${nameB}: ${y[i]?.text ?? '(none)'}`);
    shown++;
  }
}
console.log(bad ? `check-live: ${label}: ${bad} of ${all.length} logs differ` : `check-live: ${label}: all ${all.length} logs match`);
process.exit(bad ? 1 : 0);
JS

# one RESULT line per check (read by test/captures/live-vs-file.test.ts)
status=0
echo "check-live: A vs C (smbscope -r on the packets smbscope -i read; must be identical):"
if "$NODE" "$W/compare.cjs" "$W/A" "$W/C" live Y.pcap; then r=match; else r=differ; status=1; fi
echo "check-live: RESULT own-packets $r"
echo "check-live: A vs B (smbscope -r on the separate tcpdump's capture), exactly:"
if "$NODE" "$W/compare.cjs" "$W/A" "$W/B" live X.pcap; then r=match; else r=differ; fi
echo "check-live: RESULT tcpdump-exact $r"
if [[ $r == differ ]]; then
  echo "check-live: A vs B with time/interval values allowed to differ by 100 us (each capture socket stamps packets itself):"
  if "$NODE" "$W/compare.cjs" "$W/A" "$W/B" live X.pcap 100; then r=match; else r=differ; status=1; fi
fi
echo "check-live: RESULT tcpdump-jitter $r"
echo "check-live: RESULT live-drops $(grep -oE ', [0-9]+ dropped by the kernel' "$W/log/live.err" | grep -oE '[0-9]+' || echo unknown)"
if [[ $live_drops -ne 0 ]]; then
  echo "check-live: FAIL: smbscope -i lost packets: $(grep -E 'captured on' "$W/log/live.err")"
  status=1
fi
if [[ $status -eq 0 ]]; then echo "check-live: PASS"; else echo "check-live: FAIL"; fi
exit $status
