#!/bin/bash
# gwd_media_bench.sh - figures, never asserted (make bench): BENCH_CALLS (default 20) concurrent calls,
# each carrying a tone both ways, SIP/RTP -> gwd -> ISUP B-channels (loopback) -> gwd -> SIP/RTP, for
# BENCH_SECONDS (default 10); tests/gw/media_peer.py prints packets lost, jitter at the far ends and
# gwd's CPU per call.
set -u
BASE=${BASE:-$((2000 + ($$ % 80) * 40))}
. "$(dirname "$0")/gwdlib.sh"

GW=$BASE CALLER=$((BASE + 1)) UM=$((BASE + 2)) RTP_GW=$((BASE + 100)) RTP_PEER=$((BASE + 400))
{
	printf '[gw]\nlog-level = warn\n\n'
	printf '[sip]\nudp = 127.0.0.1:%s\nrtp-port = %s\nrtp-port-max = %s\n\n' $GW $RTP_GW $((RTP_GW + 299))
	printf '[peer um]\nhost = 127.0.0.1\nport = %s\num = yes\n\n' $UM
	span_pair isup-a isup-b isup
	route via-isup sip 1555001 isup-a
	route to-um tdm 1555 um
} > "$WORK/bench.conf"
GWD_LEVEL=warn start_gwd bench "$WORK/bench.conf" || exit 1
GWD_PID=$GWD_PID_bench timeout 300 python3 "$top_srcdir/tests/gw/media_peer.py" $GW $CALLER $UM $RTP_PEER bench |
	grep '^#'
