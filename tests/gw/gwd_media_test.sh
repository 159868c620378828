#!/bin/bash
# gwd_media_test.sh - media through gwd and the loopback hairpin: tests/gw/media_peer.py plays the caller
# and the UM (UDP) and sends, receives and measures the RTP itself; gwd carries it across the B-channels
# of an A-law ISUP pair and a u-law NI2 pair.  Tones (both laws x both codecs, frequency and level),
# speech-like audio without gaps or false digits, RFC 4733 <-> in-band DTMF both ways, early media, hold
# and resume, the media timeout (cause 41); SRTP with SDES keys on TLS legs (media_peer.py srtp, its own
# RFC 3711 in tests/gw/srtp.py, checked first against the RFC's test vectors) and no keys over UDP/TCP.
set -u
BASE=${BASE:-$((2000 + ($$ % 80) * 40))}
. "$(dirname "$0")/gwdlib.sh"

GW=$BASE CALLER=$((BASE + 1)) UM=$((BASE + 2)) RTP_GW=$((BASE + 100)) RTP_PEER=$((BASE + 400))
GWTLS=$((BASE + 4)) UMREQ=$((BASE + 5)) UMOPT=$((BASE + 6))
certs
{
	printf '[gw]\ntimers = short\nno-answer = 20\n\n'
	printf '[sip]\nudp = 127.0.0.1:%s\nrtp-port = %s\nrtp-port-max = %s\nmedia-timeout = 2\n' $GW $RTP_GW \
		$((RTP_GW + 199))
	printf 'tcp = 127.0.0.1:%s\ntls = 127.0.0.1:%s\ntls-cert = %s\ntls-key = %s\ntls-ca = %s\n' $GW $GWTLS \
		"$CERTS/gw.pem" "$CERTS/gw.key" "$CERTS/ca.pem"
	printf 'tls-verify-client = optional\n\n'
	# the TLS caller (known by its certificate), a TLS UM that requires SRTP and one that takes it if offered
	printf '[peer pbx]\nhost = 127.0.0.1\ntransport = tls\ntls-name = pbx.test\n\n'
	printf '[peer um-srtp]\nhost = 127.0.0.1\nport = %s\ntransport = tls\ntls-name = um.test\num = yes\n' $UMREQ
	printf 'srtp = required\n\n'
	printf '[peer um-be]\nhost = 127.0.0.1\nport = %s\ntransport = tls\ntls-name = um.test\num = yes\n' $UMOPT
	printf 'srtp = optional\n\n'
	printf '[peer caller]\nhost = 127.0.0.1\nport = %s\n\n' $CALLER
	printf '[peer um]\nhost = 127.0.0.1\nport = %s\num = yes\n\n' $UM
	printf '[peer um-inband]\nhost = 127.0.0.1\nport = %s\num = yes\ndtmf = inband\n\n' $UM
	span_pair isup-a isup-b isup
	span_pair ni2-n ni2-c ni2
	route via-isup sip 1555001 isup-a
	route via-ni2 sip 1555003 ni2-n
	route via-isup-inband sip 1555001900 isup-a
	route to-um-inband tdm 1555001900 um-inband
	route to-um-srtp tdm 1555001800 um-srtp
	route to-um-be tdm 1555001700 um-be
	route to-um tdm '' um
} > "$WORK/media.conf"
# the route writer leaves prefix = "" for the catch-all: drop that line
sed -i '/^prefix = $/d' "$WORK/media.conf"
start_gwd m "$WORK/media.conf" || exit 1
gwctl m show spans | grep -E '^(isup-a|ni2-n) ' > "$WORK/spans.txt"

timeout 150 python3 "$top_srcdir/tests/gw/media_peer.py" $GW $CALLER $UM $RTP_PEER ${MEDIA_CASES:-} \
	> "$WORK/peer.log" 2>&1
rc=$?
cat "$WORK/peer.log"
grep -q '^media_peer: [0-9]* passed, 0 failed' "$WORK/peer.log" && [ $rc -eq 0 ] ||
	bad "media_peer.py ended badly (status $rc): $(grep -E 'Traceback|Error' "$WORK/peer.log" | head -3 | tr '\n' ' ')"
PASS=$((PASS + $(sed -n 's/^media_peer: \([0-9]*\) passed.*/\1/p' "$WORK/peer.log" | tail -1)))
expect_in "$WORK/m.log" 'media: call [0-9]+: RTP [0-9]+ <-> 127.0.0.1:[0-9]+ PCM[AU]' "gwd logs each call's media"
expect_in "$WORK/m.log" 'DTMF 5 \([0-9]+ ms\) SIP -> TDM' "gwd logs the digits it plays on the B-channel"
expect_in "$WORK/m.log" 'no RTP for [0-9]+ ms: released \(cause 41\)' "gwd logs the media timeout"

# SRTP: the test peer's own RFC 3711 against the RFC's vectors first, then calls over TLS/TCP/UDP legs
python3 "$top_srcdir/tests/gw/srtp.py" --selftest > "$WORK/srtp-self.log" 2>&1
rc=$?
cat "$WORK/srtp-self.log"
[ $rc -eq 0 ] && ! grep -q '^FAIL' "$WORK/srtp-self.log" && PASS=$((PASS + $(grep -c '^ok: ' "$WORK/srtp-self.log"))) ||
	bad "tests/gw/srtp.py --selftest: the test peer's SRTP does not meet RFC 3711's vectors"
MEDIA_TLS=$GWTLS:$UMREQ:$UMOPT:$GW MEDIA_CERTS=$CERTS timeout 90 python3 "$top_srcdir/tests/gw/media_peer.py" \
	$GW $CALLER $UM $((RTP_PEER + 100)) srtp > "$WORK/peer-srtp.log" 2>&1
rc=$?
cat "$WORK/peer-srtp.log"
grep -q '^media_peer: [1-9][0-9]* passed, 0 failed' "$WORK/peer-srtp.log" && [ $rc -eq 0 ] ||
	bad "media_peer.py srtp ended badly (status $rc): $(grep -E 'Traceback|Error' "$WORK/peer-srtp.log" | head -3 | tr '\n' ' ')"
PASS=$((PASS + $(sed -n 's/^media_peer: \([0-9]*\) passed.*/\1/p' "$WORK/peer-srtp.log" | tail -1)))
expect_in "$WORK/m.log" 'SRTP AES_CM_128_HMAC_SHA1_32 \(RFC 3711\), SDES keys' "gwd logs each leg's SRTP suite"
expect_in "$WORK/m.log" 'RTP/SAVP with a key over|SDES keys over a leg that is not TLS\): 488' "gwd logs why it refused keys over UDP/TCP"
expect_in "$WORK/m.log" 'srtp = required toward um-srtp and the answer has no SRTP: released \(cause 88\)' \
	"gwd logs a required UM answering plain RTP"
expect_not_in "$WORK/m.log" 'inline:[A-Za-z0-9+/]{8}' "no SDES key in gwd's log"
check "gwd: no call left, every circuit idle" idle m

# a second gwd sending 30 ms packets ([sip] ptime = 30)
GW30=$((BASE + 3))
sed -e "s/^udp = 127.0.0.1:$GW\$/udp = 127.0.0.1:$GW30\nptime = 30/" -e "s/^rtp-port = $RTP_GW\$/rtp-port = $((RTP_GW + 200))/" \
	-e "s/^rtp-port-max = .*/rtp-port-max = $((RTP_GW + 299))/" "$WORK/media.conf" > "$WORK/media30.conf"
kill "$GWD_PID_m" && wait "$GWD_PID_m" 2> /dev/null
start_gwd p30 "$WORK/media30.conf" || exit 1
timeout 60 python3 "$top_srcdir/tests/gw/media_peer.py" $GW30 $CALLER $UM $((RTP_PEER + 200)) ptime30 > "$WORK/peer30.log" 2>&1
rc=$?
cat "$WORK/peer30.log"
grep -q '^media_peer: [1-9][0-9]* passed, 0 failed' "$WORK/peer30.log" && [ $rc -eq 0 ] || bad "media_peer.py ptime30 ended badly"
PASS=$((PASS + $(sed -n 's/^media_peer: \([0-9]*\) passed.*/\1/p' "$WORK/peer30.log" | tail -1)))
