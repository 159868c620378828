#!/bin/bash
# gwd_hostile_test.sh - hostile SIP against one gwd: CANCEL and BYE for nothing, ACK storms, stray responses,
# INVITE and CANCEL retransmissions (before and after the 2xx), callers that vanish (UDP, TCP close, half a
# message), 300 TCP connections at once, oversized headers and bodies, 100 m= lines, NUL bytes, TLS clients
# that handshake and send garbage or stop after the ClientHello.  After each group gwd must still answer
# OPTIONS; at the end no call, no circuit and no SIP leg may be left (SIGTERM drains at once).
set -u
BASE=${BASE:-$((8000 + ($$ % 100) * 20))}
. "$(dirname "$0")/gwdlib.sh"

GW=$BASE TLS=$((BASE + 1)) UMOK=$((BASE + 10)) UMRING=$((BASE + 13)) DEAD=$((BASE + 19))
RING=15551014000 ANS=15551011000

certs
CONF=$WORK/hostile.conf
{
	cat << EOF
[gw]
timers = short
no-answer = 3

[sip]
udp = 127.0.0.1:$GW
tcp = 127.0.0.1:$GW
tls = 127.0.0.1:$TLS
tls-cert = $CERTS/gw.pem
tls-key = $CERTS/gw.key
tls-ca = $CERTS/ca.pem

EOF
	span_pair isup-a isup-b isup
	um_peer um-ok $UMOK
	um_peer um-ring $UMRING
	route in sip 1555101 isup-a
	route t-ok tdm $ANS um-ok
	route t-ring tdm $RING um-ring
} > "$CONF"

start_gwd h "$CONF" || exit 1
serve ok tcp $UMOK
serve ring tcp $UMRING --answer-after 60000
sleep 0.3

SDP='v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n'

# sipmsg FILE METHOD NUMBER CALLID BRANCH TOTAG CSEQ BODY [extra header lines...]: a request as it goes on the
# wire (Via with rport: the answers go back to the sending socket); BODY is printf text, Content-Length its size
sipmsg() {
	local file=$1 method=$2 num=$3 cid=$4 branch=$5 totag=$6 cseq=$7 body=$8 h

	shift 8
	printf "$body" > "$file.body"
	{
		printf '%s sip:+%s@127.0.0.1:%s;user=phone SIP/2.0\r\n' "$method" "$num" "$GW"
		printf 'Via: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bK%s;rport\r\n' "$DEAD" "$branch"
		printf 'From: <sip:+15555551000@example.com>;tag=h%s\r\n' "$cid"
		printf 'To: <sip:+%s@example.com>%s\r\n' "$num" "${totag:+;tag=$totag}"
		printf 'Call-ID: %s\r\nCSeq: %s\r\nMax-Forwards: 70\r\n' "$cid" "$cseq"
		printf 'Contact: <sip:h@127.0.0.1:%s>\r\n' "$DEAD"
		for h in "$@"; do
			printf '%s\r\n' "$h"
		done
		[ -s "$file.body" ] && printf 'Content-Type: application/sdp\r\n'
		printf 'Content-Length: %s\r\n\r\n' "$(wc -c < "$file.body")"
		cat "$file.body"
	} > "$file"
}

# udp FILE: FILE in one datagram from a fresh socket (the answers are not read)
udp() { { cat "$1" >&7; } 7> "/dev/udp/127.0.0.1/$GW"; }

raw() { "$SIPUA" raw --proto "$1" --to "127.0.0.1:$GW" --file "$2" --timeout 2000 2>&1; }

# alive WHAT: OPTIONS answered over UDP and TCP
alive() {
	if "$SIPUA" options --proto udp --to "127.0.0.1:$GW" --timeout 3000 > /dev/null 2>&1 &&
		"$SIPUA" options --proto tcp --to "127.0.0.1:$GW" --timeout 3000 > /dev/null 2>&1; then
		ok "OPTIONS answered after $1"
	else
		bad "OPTIONS not answered after $1"
	fi
}

count() { ls "$WORK/$1"/*-"$2".sip 2> /dev/null | wc -l; }
sip_tx() { gwctl h show stats | awk '$1 == "sip-tx" { print $2 }'; }

# wait_count UM METHOD N: the UM got N METHOD requests (at most 5 s)
wait_count() {
	local i

	for i in $(seq 1 50); do
		[ "$(count "$1" "$2")" -ge "$3" ] && break
		sleep 0.1
	done
	[ "$(count "$1" "$2")" -eq "$3" ]
}

# ---- requests for nothing ----
sipmsg "$WORK/cancel0.sip" CANCEL $RING c0$$ c0 "" "1 CANCEL" ""
expect_in <(raw udp "$WORK/cancel0.sip") '481' "CANCEL without an INVITE -> 481"
sipmsg "$WORK/bye0.sip" BYE $ANS b0$$ b0 nosuch "2 BYE" ""
expect_in <(raw udp "$WORK/bye0.sip") '481' "BYE for an unknown dialog (UDP) -> 481"
sed '2s/UDP/TCP/; 2s/branch=z9hG4bKb0/branch=z9hG4bKb0t/' "$WORK/bye0.sip" > "$WORK/bye0t.sip"
expect_in <(raw tcp "$WORK/bye0t.sip") '481' "BYE for an unknown dialog (TCP) -> 481"

tx0=$(sip_tx)
for i in $(seq 1 200); do
	printf 'ACK sip:+%s@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bKa%s\r\nFrom: <sip:a@x>;tag=a\r\nTo: <sip:b@x>;tag=%s\r\nCall-ID: ack%s-%s\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
		$ANS "$GW" "$DEAD" "$i" "$i" "$$" "$i"
done > "$WORK/acks.txt"
split -l 8 -d -a 3 "$WORK/acks.txt" "$WORK/ack."
for f in "$WORK"/ack.[0-9]*; do udp "$f"; done
for i in $(seq 1 20); do
	printf 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bKs%s\r\nFrom: <sip:a@x>;tag=s%s\r\nTo: <sip:b@x>;tag=t\r\nCall-ID: stray%s-%s\r\nCSeq: 1 INVITE\r\nContact: <sip:x@127.0.0.1:%s>\r\nContent-Length: 0\r\n\r\n' \
		"$GW" "$i" "$i" "$$" "$i" "$DEAD" > "$WORK/stray.sip"
	udp "$WORK/stray.sip"
done
sed 's/^SIP\/2.0 200 OK/SIP\/2.0 999 Odd/' "$WORK/stray.sip" > "$WORK/stray999.sip" && udp "$WORK/stray999.sip"
sleep 0.3
[ "$(sip_tx)" = "$tx0" ] && ok "200 ACKs and 21 stray responses for nothing: nothing sent back" ||
	bad "gwd answered ACKs or stray responses: sip-tx $tx0 -> $(sip_tx)"
alive "requests and responses for nothing"

# ---- retransmissions: an INVITE while the TDM call is set up, a CANCEL three times ----
n=$(count ring invite) m=$(count ring cancel)
sipmsg "$WORK/rt.sip" INVITE $RING rt$$ rt "" "1 INVITE" "$SDP"
for i in 1 2 3 4 5; do udp "$WORK/rt.sip"; sleep 0.1; done
wait_count ring invite $((n + 1)); sleep 0.5
[ "$(count ring invite)" -eq $((n + 1)) ] && ok "5 copies of an INVITE (ringing): one call" ||
	bad "5 copies of an INVITE (ringing): $(($(count ring invite) - n)) calls"
sipmsg "$WORK/rtc.sip" CANCEL $RING rt$$ rt "" "1 CANCEL" ""
for i in 1 2 3; do udp "$WORK/rtc.sip"; done
wait_count ring cancel $((m + 1)) && ok "the CANCEL, three times, cancelled the far leg once" ||
	bad "CANCEL x3: the UM got $(($(count ring cancel) - m)) CANCELs"

# ---- an INVITE retransmitted after gwd's 2xx (the caller missed it): no second call ----
n=$(count ok invite)
sipmsg "$WORK/rt2.sip" INVITE $ANS rtok$$ rtok "" "1 INVITE" "$SDP"
udp "$WORK/rt2.sip"
wait_count ok invite $((n + 1)); sleep 0.7
udp "$WORK/rt2.sip"
sleep 1
[ "$(count ok invite)" -eq $((n + 1)) ] && ok "INVITE retransmitted after the 2xx: no second call" ||
	bad "INVITE retransmitted after the 2xx: $(($(count ok invite) - n)) calls placed"
# (nobody ACKs: gwd must BYE the caller at Timer H and forget the leg although the BYE is never answered)

# ---- callers that vanish ----
m=$(count ring cancel)
sipmsg "$WORK/gone.sip" INVITE $RING gone$$ gone "" "1 INVITE" "$SDP"
udp "$WORK/gone.sip"
sipmsg "$WORK/tgone.sip" INVITE $RING tgone$$ tgone "" "1 INVITE" "$SDP"
sed -i '2s/UDP/TCP/' "$WORK/tgone.sip"
exec 8<> "/dev/tcp/127.0.0.1/$GW"
cat "$WORK/tgone.sip" >&8
sleep 0.3
exec 8>&-
sipmsg "$WORK/half.sip" INVITE $ANS half$$ half "" "1 INVITE" "$SDP"
exec 8<> "/dev/tcp/127.0.0.1/$GW"
head -c 120 "$WORK/half.sip" >&8
exec 8>&-
for i in $(seq 1 60); do [ "$(count ring cancel)" -ge $((m + 2)) ] && break; sleep 0.1; done
[ "$(count ring cancel)" -ge $((m + 2)) ] &&
	ok "vanished callers (UDP, never ACKs; TCP closed at once): both far legs cancelled" ||
	bad "vanished callers: $(($(count ring cancel) - m)) of 2 far legs cancelled"
alive "vanishing callers"

# ---- 300 TCP connections at once ----
fds=""
for i in $(seq 1 300); do
	exec {fd}<> "/dev/tcp/127.0.0.1/$GW" || break
	fds="$fds $fd"
done
[ "$(echo $fds | wc -w)" -eq 300 ] && ok "300 TCP connections accepted" || bad "only $(echo $fds | wc -w) TCP connections"
alive "300 TCP connections opened (still open)"
for fd in $fds; do exec {fd}>&-; done

# ---- sizes and bytes ----
sipmsg "$WORK/bighdr.sip" OPTIONS $ANS big$$ big "" "1 OPTIONS" "" "X-Big: $(head -c 60000 /dev/zero | tr '\0' a)"
expect_in <(raw udp "$WORK/bighdr.sip") '200' "OPTIONS with a 60 kB header in one datagram -> 200"
vias=()
for i in $(seq 1 300); do vias+=("Via: SIP/2.0/UDP 10.0.$((i / 250)).$((i % 250)):5060;branch=z9hG4bKv$i"); done
sipmsg "$WORK/vias.sip" OPTIONS $ANS via$$ via "" "1 OPTIONS" "" "${vias[@]}"
expect_in <(raw udp "$WORK/vias.sip") '200' "OPTIONS with 301 Via headers -> 200"
sipmsg "$WORK/bigtcp.sip" OPTIONS $ANS bigt$$ bigt "" "1 OPTIONS" "" "X-Big: $(head -c 200000 /dev/zero | tr '\0' a)"
sed -i '1,2s/UDP/TCP/' "$WORK/bigtcp.sip"
raw tcp "$WORK/bigtcp.sip" > "$WORK/bigtcp.out"
alive "a 200 kB header over TCP"

n=$(count ok invite)
sipmsg "$WORK/clen.sip" INVITE $ANS clen$$ clen "" "1 INVITE" "$SDP"
sed -i "s/^Content-Length: .*/Content-Length: 5000\r/" "$WORK/clen.sip"
udp "$WORK/clen.sip"
sdp100="$SDP"
for i in $(seq 1 100); do sdp100="${sdp100}m=video $((5000 + 2 * i)) RTP/AVP 31\\r\\n"; done
printf 'INVITE sip:+%s@[remote_ip]:[remote_port];user=phone SIP/2.0\r\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\r\nFrom: <sip:+15555551000@example.com>;tag=m100\r\nTo: <sip:+%s@example.com>\r\nCall-ID: [call_id]\r\nCSeq: 1 INVITE\r\nContact: <sip:c@[local_ip]:[local_port]>\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n' \
	$ANS $ANS > "$WORK/m100.sip"
printf "$sdp100" >> "$WORK/m100.sip"
check "SDP with 101 m= lines -> 488" call udp $GW "$WORK/m100.sip" --expect 488
sed '/^m=video/d' "$WORK/m100.sip" > "$WORK/huge.sip"
printf 'a=x:%s\r\n' "$(head -c 30000 /dev/zero | tr '\0' b)" >> "$WORK/huge.sip"
check "INVITE with a 30 kB SDP over TCP -> 4xx, no call" call tcp $GW "$WORK/huge.sip" --expect 488
sed '/^m=video/d; s/^s=-/s=\x00-/' "$WORK/m100.sip" > "$WORK/nulsdp.sip"
check "NUL byte in the SDP -> 488" call udp $GW "$WORK/nulsdp.sip" --expect 488
sipmsg "$WORK/nulhdr.sip" OPTIONS $ANS nul$$ nul "" "1 OPTIONS" "" $'X-Nul: a\x01b'
sed -i 's/^X-Nul: a./X-Nul: a\x00/' "$WORK/nulhdr.sip"
udp "$WORK/nulhdr.sip"
head -c 100 /dev/zero > "$WORK/zeros" && udp "$WORK/zeros"
sleep 0.3
[ "$(count ok invite)" -eq "$n" ] && ok "oversized, truncated and NUL-laden INVITEs: no call placed" ||
	bad "$(($(count ok invite) - n)) calls placed from broken INVITEs"
alive "oversized and NUL-laden messages"

# ---- TLS: garbage after the handshake, a ClientHello and then nothing ----
exec 8<> "/dev/tcp/127.0.0.1/$TLS"
printf '\x16\x03\x01\x00\x40\x01\x00\x00\x3c\x03\x03' >&8
tfds=""
for i in 1 2 3 4 5; do exec {fd}<> "/dev/tcp/127.0.0.1/$TLS" && printf 'GET / HTTP/1.0\r\n\r\n' >&$fd && tfds="$tfds $fd"; done
check "TLS OPTIONS while a ClientHello hangs half sent" "$SIPUA" options --proto tls --to "127.0.0.1:$TLS" \
	--ca "$CERTS/ca.pem" --timeout 3000
if command -v openssl > /dev/null; then
	head -c 3000 /dev/urandom | timeout 5 openssl s_client -connect "127.0.0.1:$TLS" -quiet -no_ign_eof \
		> /dev/null 2>&1
	check "TLS OPTIONS after a client sent 3 kB of garbage over TLS" "$SIPUA" options --proto tls \
		--to "127.0.0.1:$TLS" --ca "$CERTS/ca.pem" --timeout 3000
fi
exec 8>&-
for fd in $tfds; do exec {fd}>&-; done

# ---- the end: nothing left ----
sleep 4
check "no call left, every circuit idle" idle h
alive "everything"
kill -TERM "$GWD_PID_h"
for i in $(seq 1 40); do kill -0 "$GWD_PID_h" 2> /dev/null || break; sleep 0.1; done
expect_in "$WORK/h.log" 'drained: no call left, stopping' "SIGTERM: drained at once (no SIP leg or transaction left: 64*T1 = 3.2 s is long over)"
expect_not_in "$WORK/h.log" 'runtime error|AddressSanitizer' "no sanitizer report in the log"
