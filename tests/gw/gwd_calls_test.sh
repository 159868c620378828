#!/bin/bash
# gwd_calls_test.sh - call handling through one gwd: busy, reject, no answer, CANCEL and BYE from either
# side with the right codes and Q.850 Reason headers; route advance to a voicemail pilot and its
# suppression by Ms-Sensitivity private-no-diversion; a 302 from the UM followed; all circuits busy ->
# 503 with Retry-After; TDM -> SIP advance to the next peer on busy and on the route's own no-answer
# time; gwctl during and after calls; SIGHUP with a broken table during a call; SIGTERM drains.
set -u
BASE=${BASE:-$((24000 + ($$ % 200) * 20))}
. "$(dirname "$0")/gwdlib.sh"

GW=$BASE
UMOK=$((BASE + 10)) UMBUSY=$((BASE + 11)) UMREJ=$((BASE + 12)) UMRING=$((BASE + 13))
UM302=$((BASE + 14)) UMOK2=$((BASE + 15)) UMVM=$((BASE + 16)) UMBYE=$((BASE + 17)) UMLOOP=$((BASE + 18))


certs
mkdir -p "$WORK/tables"
cp "$top_srcdir"/conf/tables/*.tbl "$WORK/tables/"
CONF=$WORK/calls.conf
{
	cat << EOF
[gw]
timers = short
no-answer = 3
retry-after = 17
tables = $WORK/tables
pidfile = $WORK/gwd.pid

[sip]
udp = 127.0.0.1:$GW
tcp = 127.0.0.1:$GW

EOF
	span_pair isup-a isup-b isup
	span_pair euro-n euro-c euroisdn
	PCA=3 PCB=4 span_pair one-a one-b isup 'dchan = 16\nbchan = 1'
	um_peer um-ok $UMOK
	um_peer um-busy $UMBUSY
	um_peer um-rej $UMREJ
	um_peer um-ring $UMRING
	um_peer um-302 $UM302
	um_peer um-ok2 $UMOK2
	um_peer um-vm $UMVM
	um_peer um-bye $UMBYE
	um_peer um-loop $UMLOOP
	route basic sip 1555101 isup-a
	route advance sip 1555102 'isup-a, euro-n' 'advance = busy\npilot = 15551029999'
	route single sip 1555103 one-a
	route adv2 sip 1555104 euro-n
	route t-adv2 tdm 1555104 'um-busy, um-ok2' 'advance = busy'
	route na sip 1555105 euro-n 'no-answer = 10'
	route t-na tdm 1555105 'um-ring, um-ok2' 'advance = no-answer\nno-answer = 1'
	route t-ok tdm 1555101100 um-ok
	route t-busy tdm 1555101200 um-busy
	route t-rej tdm 1555101300 um-rej
	route t-ring tdm 1555101400 um-ring
	route t-302 tdm 1555101500 um-302
	route t-bye tdm 1555101600 um-bye
	route t-loop tdm 1555101700 um-loop
	route t-adv tdm 1555102 um-busy
	route t-vm tdm 15551029999 um-vm
	route t-one tdm 1555103 um-ok
} > "$CONF"

start_gwd b "$CONF" || exit 1
[ "$(cat "$WORK/gwd.pid" 2> /dev/null)" = "$GWD_PID_b" ] && ok "pid file written ([gw] pidfile)" ||
	bad "pid file: '$(cat "$WORK/gwd.pid" 2> /dev/null)', gwd is $GWD_PID_b"
serve ok tcp $UMOK
serve busy tcp $UMBUSY --answer 486 --reason 'Q.850;cause=17;text="user busy"'
serve rej tcp $UMREJ --answer 403
serve ring tcp $UMRING --answer-after 60000
serve r302 tcp $UM302 --answer 302 --contact "sip:+15551015000@127.0.0.1:$UMOK2;transport=tcp"
serve ok2 tcp $UMOK2
serve vm tcp $UMVM
serve bye tcp $UMBYE --bye-after 300
serve loop tcp $UMLOOP --answer 302 --contact "sip:+15551017000@127.0.0.1:$UMLOOP;transport=tcp"
sleep 0.3

# call NAME NUMBER EXPECT [options]: from a TCP caller; the responses kept in $WORK/NAME.out
c() {
	local name=$1 num=$2 want=$3

	shift 3
	invite "$WORK/$name.sip" "+$num" "tel:+15555551002" 486
	call tcp $GW "$WORK/$name.sip" --expect "$want" --out "$WORK/$name.out" "$@" > "$WORK/$name.call" 2>&1
}

check "answered call, BYE from the caller" c basic 15551011000 200 --bye-after 300
sleep 0.3
expect_in "$(ls "$WORK"/ok/*-bye.sip 2> /dev/null | tail -1)" '^BYE ' "the caller's BYE reached the UM across ISUP"
expect_in "$(last_invite ok)" '^Ms-|^INVITE sip:\+15551011000@127.0.0.1:[0-9]+;user=phone;target=tel:\+15555551002;cause=486' \
	"the UM got the RFC 4458 Request-URI"

check "busy UM -> 486" c busy 15551012000 486
expect_in "$WORK/busy.out" '^Reason: Q\.850;cause=17' "486 carries Reason Q.850 cause 17 (RFC 3326)"

check "rejecting UM (403) -> 403" c rej 15551013000 403
expect_in "$WORK/rej.out" '^Reason: Q\.850;cause=21' "403 carries Q.850 cause 21"

t0=$(date +%s%N)
check "ringing UM, no answer -> 480" c ring 15551014000 480
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ $ms -ge 2500 ] && [ $ms -lt 8000 ]; then ok "no-answer timer fired after ${ms} ms (3 s)"; else bad "no answer took $ms ms"; fi
sleep 0.5
expect_in "$(ls "$WORK"/ring/*-cancel.sip 2> /dev/null | tail -1)" '^CANCEL ' "the UM leg was cancelled across TDM"

check "caller CANCEL while ringing -> 487" c cancel 15551014000 487 --cancel-after 500
sleep 0.5
[ "$(ls "$WORK"/ring/*-cancel.sip 2> /dev/null | wc -l)" -ge 2 ] && ok "the CANCEL crossed ISUP as REL and came out as CANCEL" ||
	bad "no second CANCEL at the ringing UM"

check "UM hangs up: BYE reaches the caller" c byeum 15551016000 200 --bye-after 5000
expect_in "$WORK/byeum.out" '^BYE ' "the caller received the UM's BYE through TDM"
expect_in "$WORK/byeum.out" '^Reason: Q\.850;cause=16' "the BYE says Q.850 cause 16"

# ---- a 302 from the UM is followed, with target and cause ----
check "302 from the UM followed -> 200" c r302 15551015000 200
expect_in <(last_ruri ok2) 'target=tel:\+15555551002;cause=486' "the redirected INVITE kept target and cause"
expect_in "$WORK/b.log" '3xx: following Contact' "log: 3xx followed"

# ---- a 302 loop is followed at most max-redirects (3) times ----
c loop 15551017000 200
grep -q '^final [3-6][0-9][0-9]' "$WORK/loop.call" && ok "302 loop: the caller gets a failure ($(grep '^final' "$WORK/loop.call"))" ||
	bad "302 loop: $(tail -1 "$WORK/loop.call")"
[ "$(invites loop)" -eq 4 ] && ok "302 loop: 1 INVITE + 3 redirects, then stop" || bad "302 loop: $(invites loop) INVITEs"
expect_in "$WORK/b.log" '3xx not followed \(max-redirects 3\)' "log: the redirect limit"

# ---- SDP: nothing acceptable -> 488 before any TDM leg is placed ----
{
	printf 'INVITE sip:+15551011000@[remote_ip]:[remote_port];user=phone SIP/2.0\r\n'
	printf 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\r\n'
	printf 'From: <sip:+15555551000@example.com>;tag=g729\r\nTo: <sip:+15551011000@example.com>\r\n'
	printf 'Call-ID: [call_id]\r\nCSeq: 1 INVITE\r\nContact: <sip:caller@[local_ip]:[local_port]>\r\n'
	printf 'Content-Type: application/sdp\r\nContent-Length: 0\r\n\r\n'
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
	printf 'm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n'
} > "$WORK/g729.sip"
n=$(invites ok)
check "G.729-only offer -> 488" call tcp $GW "$WORK/g729.sip" --expect 488
[ "$(invites ok)" -eq "$n" ] && ok "488: no call went out" || bad "488: a call went out anyway"

# ---- route advance to the voicemail pilot, and its suppression by no-diversion ----
check "busy, route advance to the pilot -> 200" c adv 15551021000 200
expect_in <(last_ruri vm) '^INVITE sip:\+15551029999@.*target=tel:\+15551021000;cause=486' \
	"voicemail reached with target = the busy number, cause 486"
expect_in "$WORK/b.log" 'busy: route advance advances to alternate 2|route advance.* alternate 2' "log: route advance"
# TDM -> SIP route advance: the first UM is busy, the second takes the call
n=$(invites ok2)
check "TDM -> SIP: busy UM, advance to the next peer -> 200" c adv2 15551041000 200
[ "$(invites ok2)" -eq $((n + 1)) ] && ok "TDM -> SIP advance: the second UM got the call" ||
	bad "TDM -> SIP advance: the second UM got $(($(invites ok2) - n)) calls"
# TDM -> SIP no-answer advance (the route's own no-answer time: 1 s)
n=$(invites ok2)
check "TDM -> SIP: ringing UM, after 1 s the next peer -> 200" c na 15551051000 200
[ "$(invites ok2)" -eq $((n + 1)) ] && ok "TDM -> SIP no-answer advance: the second UM got the call" ||
	bad "TDM -> SIP no-answer advance: the second UM got $(($(invites ok2) - n)) calls"
expect_in "$WORK/b.log" 'no answer within 1000 ms' "log: the route's no-answer time"
n=$(invites vm)
invite "$WORK/nodiv.sip" "+15551021000" "" "" 'Ms-Sensitivity: private-no-diversion'
check "no-diversion call, busy -> 486, no advance" call tcp $GW "$WORK/nodiv.sip" --expect 486
[ "$(invites vm)" -eq "$n" ] && ok "no-diversion: the voicemail got no call" || bad "no-diversion call reached the voicemail"
expect_in "$WORK/b.log" 'no route advance to .euro-n.: the call forbids diversion \(private-no-diversion\)' \
	"log: advance suppressed and why"

# ---- all circuits busy -> 503 with Retry-After; gwctl shows the live call and its redirection ----
c hold 15551031000 200 --bye-after 3000 &
HOLD=$!
sleep 1
gwctl b show calls > "$WORK/calls.txt" 2>&1
expect_in "$WORK/calls.txt" '15555551002' "gwctl show calls: the target of the live call"
expect_in "$WORK/calls.txt" 'user-busy' "gwctl show calls: its redirecting reason"
check "second call on the one-circuit group -> 503" c full 15551031000 503
expect_in "$WORK/full.out" '^Retry-After: 17' "503 carries Retry-After (retry-after = 17)"
expect_in "$WORK/full.out" '^Reason: Q\.850;cause=34' "503 carries Q.850 cause 34"
wait $HOLD && ok "the held call ended normally" || bad "the held call failed"

# ---- SIGHUP during a call: a broken table is refused with file:line, the old set stays; good tables
# are taken; the call in progress is not dropped ----
c during 15551011000 200 --bye-after 2500 &
DURING=$!
sleep 0.8
printf 'bogus row here\n' >> "$WORK/tables/causes.tbl"
kill -HUP "$GWD_PID_b"
sleep 0.4
expect_in "$WORK/b.log" 'reload: tables refused.*causes\.tbl:[0-9]+' "SIGHUP with a broken table: refused with file:line"
check "calls still work after the refused reload" c after 15551011000 200
cp "$top_srcdir/conf/tables/causes.tbl" "$WORK/tables/causes.tbl"
kill -HUP "$GWD_PID_b"
sleep 0.4
expect_in "$WORK/b.log" 'reload: mapping tables from .* in use \([1-9][0-9]* calls kept\)' \
	"SIGHUP with good tables: in use, the live call kept"
wait $DURING && ok "the call across both reloads ended normally" || bad "the call across the reloads failed"

check "no call left, every circuit idle" idle b
gwctl b show stats > "$WORK/stats.txt" 2>&1
expect_in "$WORK/stats.txt" '^route-advances +[1-9]' "stats count the route advance"

# ---- SIGTERM drains and stops ----
kill -TERM "$GWD_PID_b"
for i in $(seq 1 50); do kill -0 "$GWD_PID_b" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$GWD_PID_b" 2> /dev/null; then bad "gwd still running 5 s after SIGTERM"; else
	wait "$GWD_PID_b"
	rc=$?
	[ $rc -eq 0 ] && ok "SIGTERM: gwd stopped with status 0" || bad "SIGTERM: status $rc"
fi
expect_in "$WORK/b.log" 'drained: no call left, stopping' "log: drained"
[ ! -e "$WORK/gwd.pid" ] && ok "pid file removed at exit" || bad "pid file left behind"
