#!/bin/bash
# gwd_sipp_test.sh - sipp (Debian's sip-tester, UDP and TCP) around gwd: sipp places the RFC 4458 call,
# gwd carries it across ISUP (UDP) or EuroISDN (TCP) and back out, and a sipp UAS checks the target
# and cause of the INVITE it receives (tests/gw/sipp/*.xml); a call without a route fails with 404; a
# ringing call cancelled by sipp ends with 487; a call put on hold and resumed with re-INVITEs gets the
# mirrored direction (recvonly, then sendrecv).  Raw requests: a body that is not SDP gets 415, an
# Accept without SDP 406, a Request-URI the mapping refuses 400 with a Warning saying why.
set -u
BASE=${BASE:-$((12000 + ($$ % 200) * 20))}
. "$(dirname "$0")/gwdlib.sh"

SIPP=$(command -v sipp || true)
[ -n "$SIPP" ] || { echo "SKIP: sipp not installed (Debian package sip-tester)"; trap - EXIT; exit 77; }
SC=$top_srcdir/tests/gw/sipp
GW=$BASE UASU=$((BASE + 10)) UAST=$((BASE + 11)) RING=$((BASE + 12)) UAC=$((BASE + 13)) OKUM=$((BASE + 14))

{
	printf '[gw]\ntimers = short\nno-answer = 10\n\n[sip]\nudp = 127.0.0.1:%s\ntcp = 127.0.0.1:%s\n\n' $GW $GW
	printf '[peer uas-udp]\nhost = 127.0.0.1\nport = %s\ntransport = udp\num = yes\n\n' $UASU
	printf '[peer uas-tcp]\nhost = 127.0.0.1\nport = %s\ntransport = tcp\num = yes\n\n' $UAST
	printf '[peer ring]\nhost = 127.0.0.1\nport = %s\ntransport = udp\num = yes\n\n' $RING
	printf '[peer okum]\nhost = 127.0.0.1\nport = %s\ntransport = udp\num = yes\n\n' $OKUM
	span_pair isup-a isup-b isup
	span_pair euro-n euro-c euroisdn
	printf '[route s-isup]\nfrom = sip\nprefix = 1555301\nto = isup-a\n\n'
	printf '[route s-euro]\nfrom = sip\nprefix = 1555302\nto = euro-n\n\n'
	printf '[route s-ring]\nfrom = sip\nprefix = 1555303\nto = isup-a\n\n'
	printf '[route t-udp]\nfrom = tdm\nprefix = 1555301\nto = uas-udp\n\n'
	printf '[route t-tcp]\nfrom = tdm\nprefix = 1555302\nto = uas-tcp\n\n'
	printf '[route t-ring]\nfrom = tdm\nprefix = 1555303\nto = ring\n\n'
	printf '[route s-ok]\nfrom = sip\nprefix = 1555304\nto = isup-a\n\n'
	printf '[route t-ok]\nfrom = tdm\nprefix = 1555304\nto = okum\n'
} > "$WORK/sipp.conf"
start_gwd p "$WORK/sipp.conf" || exit 1

# csv NUMBER TARGET CAUSE EXPECT: one sipp injection line (fields of tests/gw/sipp/uac-rfc4458.xml)
csv() {
	printf 'SEQUENTIAL\n+%s;%s;%s;;%s;+15555551000\n' "$1" "$2" "$3" "$4" > "$WORK/calls.csv"
}

# sipp_uas NAME TRANSPORT PORT TARGET CAUSE: the checking UAS in the background
sipp_uas() {
	(cd "$WORK" && "$SIPP" -sf "$SC/uas-check.xml" -t "$2" -i 127.0.0.1 -p "$3" -m 1 -timeout 20 -timeout_error \
		-set target "$4" -set cause "$5" -trace_logs -log_file "$WORK/$1.uaslog" < /dev/null \
		> "$WORK/$1.uas" 2>&1)
}

sipp_uac() { # scenario transport
	(cd "$WORK" && "$SIPP" 127.0.0.1:$GW -sf "$SC/$1" -inf "$WORK/calls.csv" -t "$2" -i 127.0.0.1 -p $UAC -m 1 \
		-d 300 -timeout 20 -timeout_error < /dev/null > "$WORK/uac.out" 2>&1)
}

for t in "u1 udp 1555301 $UASU isup" "t1 tcp 1555302 $UAST euroisdn"; do
	set -- $t
	sipp_uas "$2" "$1" "$4" tel:+15555551002 486 &
	UASPID=$!
	sleep 0.5
	csv "${3}1000" tel:+15555551002 486 200
	if sipp_uac uac-rfc4458.xml "$1"; then ok "sipp over $2: RFC 4458 call through $5 answered"; else
		bad "sipp over $2: the call failed ($(tail -3 "$WORK/uac.out" | tr '\n' ' '))"
	fi
	if wait $UASPID; then ok "sipp UAS over $2: target=tel:+15555551002 and cause=486 arrived"; else
		bad "sipp UAS over $2: $(tail -3 "$WORK/$2.uas" | tr '\n' ' ')"
	fi
done

csv 19990000000 tel:+15555551002 486 404
sipp_uac uac-expect-fail.xml u1 && ok "sipp: no route -> 404" || bad "sipp: no route: $(tail -3 "$WORK/uac.out")"

serve ring udp $RING --answer-after 60000
sleep 0.3
csv 15553031000 tel:+15555551002 408 487
sipp_uac uac-cancel.xml u1 && ok "sipp: CANCEL while ringing -> 487" || bad "sipp CANCEL: $(tail -3 "$WORK/uac.out")"
sleep 0.5
[ -n "$(ls "$WORK"/ring/*-cancel.sip 2> /dev/null)" ] && ok "the CANCEL crossed ISUP to the ringing UM" ||
	bad "the ringing UM got no CANCEL"

serve okum udp $OKUM
sleep 0.3
csv 15553041000 tel:+15555551002 486 200
sipp_uac uac-reinvite.xml u1 && ok "sipp: hold (recvonly) and resume (sendrecv) by re-INVITE" ||
	bad "sipp re-INVITE: $(grep -E 'Unexpected|Failed call' "$WORK/uac.out" | head -3 | tr '\n' ' ')"

# req NAME EXPECT EXTRA-HEADERS [BODY]: an INVITE of fixed form through the test UA, which answers ACK
req() {
	local body=${4:-}

	{
		printf 'INVITE sip:+15553041000@[remote_ip]:[remote_port];target=%s;cause=486 SIP/2.0\r\n' \
			"${TARGET:-tel:+15555551002}"
		printf 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\r\nMax-Forwards: 70\r\n'
		printf 'From: <sip:+15555551000@127.0.0.1>;tag=%s\r\nTo: <sip:+15553041000@127.0.0.1>\r\n' "$1"
		printf 'Call-ID: [call_id]\r\nCSeq: 1 INVITE\r\nContact: <sip:c@[local_ip]:[local_port]>\r\n%b' "$3"
		printf 'Content-Length: %d\r\n\r\n%s' ${#body} "$body"
	} > "$WORK/$1.sip"
	"$SIPUA" call --proto udp --to 127.0.0.1:$GW --file "$WORK/$1.sip" --expect "$2" --out "$WORK/$1.out" \
		--timeout 5000 > "$WORK/$1.call" 2>&1
}
check "a body that is not SDP -> 415" req ctype 415 'Content-Type: text/plain\r\n' 'hello'
expect_in "$WORK/ctype.out" '^Accept: application/sdp' "415 says what is accepted"
check "Accept without application/sdp -> 406" req accept 406 'Accept: text/html\r\n'
TARGET='tel:+1-555-not-a-number;x' check "a target the mapping refuses -> 400" req badtarget 400 ''
expect_in "$WORK/badtarget.out" '^Warning: 399 gwd ".*target' "the 400 carries a Warning saying why"

check "no call left, every circuit idle" idle p
