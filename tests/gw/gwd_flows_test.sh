#!/bin/bash
# gwd_flows_test.sh - the mission's flows through one gwd, end to end over real sockets and loopback spans:
#   1/5  every RFC 4458 cause, SIP (TLS) -> gwd -> ISUP / EuroISDN / NI2 / QSIG -> loopback -> gwd -> SIP
#        (TLS) toward a UM server: the target and cause that come out, exact where the user-to-user
#        convention carries them, the documented lossy result where it is off (uui = no)
#   3    UM headers: kept over TLS (skip-pin only from and to a trusted TLS peer), Ms-Sensitivity only over
#        TCP, both dropped on UDP legs and from untrusted callers
#   2    Diversion instead of target/cause; privacy toward an untrusted UM
# Ends with gwctl: no call left, every circuit idle.
set -u
BASE=${BASE:-$((20000 + ($$ % 200) * 20))}
. "$(dirname "$0")/gwdlib.sh"

GW=$BASE           # gwd: UDP and TCP
GWTLS=$((BASE + 1)) # gwd: TLS
UMTLS=$((BASE + 10))
UMTCP=$((BASE + 11))
UMUDP=$((BASE + 12))

certs
CONF=$WORK/flows.conf
{
	cat << EOF
[gw]
timers = short
no-answer = 8

[sip]
udp = 127.0.0.1:$GW
tcp = 127.0.0.1:$GW
tls = 127.0.0.1:$GWTLS
tls-cert = $CERTS/gw.pem
tls-key = $CERTS/gw.key
tls-ca = $CERTS/ca.pem
tls-verify-client = optional

[peer pbx]
host = 127.0.0.1
transport = tls
tls-name = pbx.test
trusted = yes

[peer um-tls]
host = 127.0.0.1
port = $UMTLS
transport = tls
tls-name = um.test
trusted = yes
um = yes

[peer um-tcp]
host = 127.0.0.1
port = $UMTCP
transport = tcp
um = yes

[peer um-udp]
host = 127.0.0.1
port = $UMUDP
transport = udp
um = yes

EOF
	span_pair isup-a isup-b isup 'trusted = yes'
	span_pair euro-n euro-c euroisdn
	span_pair ni2-n ni2-c ni2
	span_pair qsig-n qsig-c qsig
	span_pair ni2x-n ni2x-c ni2 'uui = no'
	span_pair qsigx-n qsigx-c qsig 'uui = no'
	span_pair eurox-n eurox-c euroisdn 'uui = no'
	route s-isup sip 1555001 isup-a
	route s-euro sip 1555002 euro-n
	route s-ni2 sip 1555003 ni2-n
	route s-qsig sip 1555004 qsig-n
	route s-ni2x sip 1555005 ni2x-n
	route s-qsigx sip 1555006 qsigx-n
	route s-eurox sip 1555007 eurox-n
	route t-tls tdm 1555001100 um-tls
	route t-tcp tdm 1555001200 um-tcp
	route t-udp tdm 1555001300 um-udp
	route t-pri tdm 155500 um-tls
} > "$CONF"

check "gwd -t accepts the test config" "$GWD" -t -c "$CONF"
start_gwd a "$CONF" || exit 1
serve umtls tls $UMTLS --require-client-cert
serve umtcp tcp $UMTCP
serve umudp udp $UMUDP
sleep 0.3

# ---- flow 1 and 5: every RFC 4458 cause through every protocol and back ----
# expected cause at the UM for each cause sent, per number range (MAPPING.md's lossy cells without the
# user-to-user convention; with it the exact cause, except ETSI deflection-immediate that libpri cannot
# send: it goes as cdAlerting and the disagreeing exact cause is not restored)
declare -A WANT
for c in 302 486 408 480 487 503 404; do
	WANT[1555001100,$c]=$c WANT[1555002100,$c]=$c WANT[1555003100,$c]=$c WANT[1555004100,$c]=$c
	WANT[1555005100,$c]=$c WANT[1555006100,$c]=$c WANT[1555007100,$c]=$c
done
WANT[1555005100,480]=487 WANT[1555005100,503]=302       # NI2 without UUI
WANT[1555006100,480]=302 WANT[1555006100,487]=302 WANT[1555006100,503]=302 # QSIG without UUI
WANT[1555007100,480]=487 WANT[1555007100,503]=302       # EuroISDN without UUI (libpri: cdImmediate -> cdAlerting)
for num in 1555001100 1555002100 1555003100 1555004100 1555005100 1555006100 1555007100; do
	for c in 302 486 408 480 487 503 404; do
		invite "$WORK/inv.sip" "+$num" "tel:+15555551002" "$c"
		before=$(invites umtls)
		call tls $GWTLS "$WORK/inv.sip" --expect 200 > "$WORK/call.log" 2>&1 ||
			{ bad "$num cause $c: call failed: $(tail -1 "$WORK/call.log")"; continue; }
		ruri=$(last_ruri umtls)
		if [ "$(invites umtls)" -gt "$before" ] &&
			echo "$ruri" | grep -q "^INVITE sip:+$num@.*;target=tel:+15555551002;cause=${WANT[$num,$c]}[; ]"; then
			ok "$num: cause $c -> cause ${WANT[$num,$c]}"
		else
			bad "$num: cause $c: want cause ${WANT[$num,$c]}, UM got: $ruri"
		fi
	done
done

# the IAM/SETUP carried counter 1 and the original called number: seen in gwd's log
expect_in "$WORK/a.log" 'placed on group isup-a as isup-a cic [0-9]+: called 1555001100, redirecting 15555551002, reason user-busy, counter 1' \
	"log: the ISUP leg with its redirection"

# ---- flow 2: Diversion (RFC 5806) supplies the redirection when the Request-URI has none ----
invite "$WORK/div.sip" "+15550011000" "" "" 'Diversion: <tel:+15555551003>;reason=no-answer;counter=1'
call tls $GWTLS "$WORK/div.sip" --expect 200 > "$WORK/call.log" 2>&1
expect_in <(last_ruri umtls) 'target=tel:\+15555551003;cause=408' "Diversion no-answer -> target/cause 408 at the UM"

# ---- flow 3: UM headers by transport and trust ----
UMH=('Ms-Sensitivity: private-no-diversion' 'Ms-Exchange-Command: skip-pin' 'P-Asserted-Identity: <tel:+15555551000>')
invite "$WORK/um.sip" "+15550011000" "tel:+15555551002" 486 "${UMH[@]}"
call tls $GWTLS "$WORK/um.sip" --expect 200 > "$WORK/call.log" 2>&1
f=$(last_invite umtls)
expect_in "$f" '^Ms-Sensitivity: private-no-diversion' "TLS trusted -> TLS trusted: Ms-Sensitivity kept"
expect_in "$f" '^Ms-Exchange-Command: skip-pin' "TLS trusted -> TLS trusted: skip-pin kept"
expect_in "$WORK/umtls/$(basename "${f%.sip}").meta" 'tls_client_verified 1' "the UM saw gwd's client certificate"

invite "$WORK/um2.sip" "+15550012000" "tel:+15555551002" 486 "${UMH[@]}"
call tls $GWTLS "$WORK/um2.sip" --expect 200 > "$WORK/call.log" 2>&1
f=$(last_invite umtcp)
expect_in "$f" '^Ms-Sensitivity: private-no-diversion' "-> TCP UM: Ms-Sensitivity kept"
expect_not_in "$f" '^Ms-Exchange-Command' "-> TCP UM: skip-pin not passed on (not TLS)"
expect_in "$WORK/a.log" 'skip-pin not sent to um-tcp: not a TLS leg' "log says why skip-pin was not sent"

invite "$WORK/um3.sip" "+15550013000" "tel:+15555551002" 486 "${UMH[@]}"
call tls $GWTLS "$WORK/um3.sip" --expect 200 > "$WORK/call.log" 2>&1
f=$(last_invite umudp)
expect_not_in "$f" '^Ms-' "-> UDP UM: no Ms-* header"
expect_in "$WORK/a.log" 'Ms-\* headers not sent to um-udp: UDP leg' "log says why the UDP leg has none"

# from a caller over TCP (no TLS, no trust): skip-pin dropped at the door, sensitivity kept
call tcp $GW "$WORK/um.sip" --expect 200 > "$WORK/call.log" 2>&1
f=$(last_invite umtls)
expect_in "$f" '^Ms-Sensitivity: private-no-diversion' "TCP caller -> TLS UM: Ms-Sensitivity kept"
expect_not_in "$f" '^Ms-Exchange-Command' "TCP caller -> TLS UM: skip-pin dropped"
expect_in "$WORK/a.log" 'skip-pin dropped: not received over TLS' "log: skip-pin from a TCP caller"

# from a caller over UDP: the Ms-* headers are not accepted at all
call udp $GW "$WORK/um.sip" --expect 200 > "$WORK/call.log" 2>&1
expect_not_in "$(last_invite umtls)" '^Ms-' "UDP caller -> TLS UM: no Ms-* header"
expect_in "$WORK/a.log" 'Ms-\* headers dropped: they are accepted on TCP/TLS legs only' "log: UDP caller's Ms-* headers"

# over TLS without a client certificate: not the trusted pbx, skip-pin dropped
"$SIPUA" call --proto tls --to 127.0.0.1:$GWTLS --file "$WORK/um.sip" --ca "$CERTS/ca.pem" --name gw.test \
	--timeout 15000 --expect 200 > "$WORK/call.log" 2>&1
expect_not_in "$(last_invite umtls)" '^Ms-Exchange-Command' "TLS caller without a certificate: skip-pin dropped"

# ---- privacy: a restricted redirecting party is not disclosed to an untrusted UM (RFC 4458 7) ----
invite "$WORK/priv.sip" "+15550012000" "" "" 'Diversion: <tel:+15555551004>;reason=user-busy;counter=1;privacy=full'
call tls $GWTLS "$WORK/priv.sip" --expect 200 > "$WORK/call.log" 2>&1
expect_not_in <(last_ruri umtcp) 'target=' "privacy: no target toward the untrusted TCP UM"
expect_not_in "$(last_invite umtcp)" '15555551004' "privacy: the diverting number appears nowhere"

check "no call left, every circuit idle" idle a
