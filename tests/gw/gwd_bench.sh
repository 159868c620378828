#!/bin/bash
# gwd_bench.sh - figures, never asserted (make bench): sipp places N RFC 4458 calls at a given rate into
# gwd, which carries each across an ISUP loopback pair (line-rate 2 Mbit/s, so that the signalling
# channel is not the limit) and out to a sipp UAS; prints the calls completed, failed, the wall time,
# calls/s, gwd's CPU time per call and its peak resident memory.
#   BENCH_CALLS (default 2000), BENCH_RATE calls/s (default 100), BENCH_HOLD ms (default 100); the E1
#   has 30 circuits: rate x (hold + set-up) must stay below that, or calls fail with 503 (congestion)
set -u
BASE=${BASE:-$((10000 + ($$ % 100) * 20))}
. "$(dirname "$0")/gwdlib.sh"

SIPP=$(command -v sipp || true)
[ -n "$SIPP" ] || { echo "gwd_bench: sipp not installed (Debian package sip-tester): skipped"; trap - EXIT; exit 0; }
N=${BENCH_CALLS:-2000} RATE=${BENCH_RATE:-100} HOLD=${BENCH_HOLD:-100}
GW=$BASE UAS=$((BASE + 10)) UAC=$((BASE + 11))
{
	printf '[gw]\nlog-level = warn\nmax-calls = 4096\n\n[sip]\nudp = 127.0.0.1:%s\n\n' $GW
	printf '[peer uas]\nhost = 127.0.0.1\nport = %s\ntransport = udp\num = yes\n\n' $UAS
	span_pair a b isup 'line-rate = 2048000'
	printf '[route in]\nfrom = sip\nto = a\n\n[route out]\nfrom = tdm\nto = uas\n'
} > "$WORK/bench.conf"
GWD_LEVEL=warn start_gwd bench "$WORK/bench.conf" || exit 1
printf 'SEQUENTIAL\n+15555552000;tel:+15555551002;486;;200;+15555551000\n' > "$WORK/calls.csv"
(cd "$WORK" && "$SIPP" -sn uas -i 127.0.0.1 -p $UAS -timeout 300 < /dev/null > "$WORK/uas.out" 2>&1) &
PIDS="$PIDS $!"
sleep 0.5
cpu0=$(awk '{print $14 + $15}' "/proc/$GWD_PID_bench/stat")
t0=$(date +%s%N)
(cd "$WORK" && "$SIPP" 127.0.0.1:$GW -sf "$top_srcdir/tests/gw/sipp/uac-rfc4458.xml" -inf "$WORK/calls.csv" \
	-t u1 -i 127.0.0.1 -p $UAC -m "$N" -r "$RATE" -l 1000 -d "$HOLD" -timeout 300 -trace_stat -stf "$WORK/stat.csv" \
	< /dev/null > "$WORK/uac.out" 2>&1)
t1=$(date +%s%N)
cpu1=$(awk '{print $14 + $15}' "/proc/$GWD_PID_bench/stat")
ok_calls=$(grep -E '^ *Successful call' "$WORK/uac.out" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ')
failed=$(grep -E '^ *Failed call' "$WORK/uac.out" | tail -1 | awk -F'|' '{print $3}' | tr -d ' ')
ms=$(((t1 - t0) / 1000000))
tick=$(getconf CLK_TCK)
rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$GWD_PID_bench/status")
echo "gwd bench: $N calls offered at $RATE/s, each held ${HOLD} ms: SIP/UDP -> gwd -> ISUP (2 Mbit/s) -> gwd -> SIP"
echo "  completed ${ok_calls:-?}, failed ${failed:-?}, wall time $ms ms, $(awk -v n="${ok_calls:-0}" -v ms=$ms \
	'BEGIN { printf "%.1f", ms ? n * 1000 / ms : 0 }') calls/s"
echo "  gwd CPU $(awk -v c=$((cpu1 - cpu0)) -v t="$tick" -v n="${ok_calls:-1}" \
	'BEGIN { printf "%.2f ms per call (two SIP legs, two ISUP legs, the mapping both ways)", n ? c * 1000 / t / n : 0 }')"
echo "  gwd peak RSS $rss"
PASS=1 # figures only: finish() reports and cleans up
