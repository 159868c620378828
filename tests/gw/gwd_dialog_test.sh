#!/bin/bash
# gwd_dialog_test.sh - the SIP dialog corner cases of tests/gw/dialog_peer.py against one gwd (UDP): BYE in
# an early dialog, BYE before the ACK, a UM that only sent 100, a burst of provisionals before a final, To
# tags outside dialogs, an ACK that gets no response, the o= line of a re-INVITE answer.
set -u
BASE=${BASE:-$((6000 + ($$ % 100) * 20))}
. "$(dirname "$0")/gwdlib.sh"

command -v python3 > /dev/null || { echo "SKIP: python3 not installed"; trap - EXIT; exit 77; }
GW=$BASE CALLER=$((BASE + 1)) UM=$((BASE + 10))
{
	printf '[gw]\ntimers = short\nno-answer = 8\n\n[sip]\nudp = 127.0.0.1:%s\n\n' $GW
	printf '[peer um]\nhost = 127.0.0.1\nport = %s\ntransport = udp\num = yes\n\n' $UM
	span_pair isup-a isup-b isup
	printf '[route in]\nfrom = sip\nprefix = 1555101\nto = isup-a\n\n[route out]\nfrom = tdm\nto = um\n'
} > "$WORK/dialog.conf"
start_gwd d "$WORK/dialog.conf" || exit 1

timeout 120 python3 "$top_srcdir/tests/gw/dialog_peer.py" $GW $CALLER $UM "$GWD_PID_d" "$GWCTL" "$WORK/d.ctl" \
	> "$WORK/peer.log" 2>&1
rc=$?
grep -E '^(ok|FAIL):' "$WORK/peer.log"
# the peer's own checks count here
PASS=$((PASS + $(grep -c '^ok:' "$WORK/peer.log")))
FAIL=$((FAIL + $(grep -c '^FAIL:' "$WORK/peer.log")))
grep -q '^dialog_peer: [0-9]* passed, 0 failed' "$WORK/peer.log" && [ $rc -eq 0 ] ||
	bad "dialog_peer.py ended badly (status $rc): $(grep -E 'Traceback|Error' "$WORK/peer.log" | head -3 | tr '\n' ' ')"
check "no call left, every circuit idle" idle d
legs_gone() {
	local i

	for i in $(seq 1 50); do
		gwctl d show stats | grep -qE '^sip-legs +0$' && return 0
		sleep 0.1
	done
	gwctl d show stats | grep sip-legs
	return 1
}
check "no SIP leg left" legs_gone
