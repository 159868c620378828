#!/bin/bash
# gwd_two_test.sh - two gwd processes joined by an ISUP loopback span over a Unix socket, so that nothing
# can pass in memory: SIP (TLS) -> gwd x -> IAM on the wire -> gwd y -> SIP (TLS) toward the UM.
#   - target, cause, Ms-Sensitivity and skip-pin arrive at the UM (the UM headers crossed TDM in the
#     user-to-user convention, ISUP parameter 0x20), as the IAM in the trace shows to tshark
#   - flow 4, subscriber access: a screened caller on a trusted trunk dialling the pilot without
#     redirection reaches the UM with skip-pin and target = the caller
set -u
BASE=${BASE:-$((28000 + ($$ % 200) * 20))}
. "$(dirname "$0")/gwdlib.sh"

GWX=$BASE GWXTLS=$((BASE + 1)) GWY=$((BASE + 2)) UMTLS=$((BASE + 10))
certs

common_sip() { # port tlsport
	printf '[sip]\nudp = 127.0.0.1:%s\ntcp = 127.0.0.1:%s\ntls = 127.0.0.1:%s\n' "$1" "$1" "$2"
	printf 'tls-cert = %s\ntls-key = %s\ntls-ca = %s\ntls-verify-client = optional\n\n' \
		"$CERTS/gw.pem" "$CERTS/gw.key" "$CERTS/ca.pem"
}

{
	printf '[gw]\ntimers = short\n\n'
	common_sip $GWX $GWXTLS
	printf '[peer pbx]\nhost = 127.0.0.1\ntransport = tls\ntls-name = pbx.test\ntrusted = yes\n\n'
	printf '[span wire-x]\nbackend = loopback\nsignalling = isup\nsocket = %s\nlisten = yes\n' "$WORK/isup.sock"
	printf 'opc = 1\ndpc = 2\ntimers = short\ntrace = %s\n\n' "$WORK/wire-x.pcap"
	printf '[route out]\nfrom = sip\nto = wire-x\n'
} > "$WORK/x.conf"
{
	printf '[gw]\ntimers = short\n\n'
	common_sip $GWY $((GWY + 1))
	printf '[peer um]\nhost = 127.0.0.1\nport = %s\ntransport = tls\ntls-name = um.test\ntrusted = yes\num = yes\n\n' \
		$UMTLS
	printf '[span wire-y]\nbackend = loopback\nsignalling = isup\nsocket = %s\nlisten = no\n' "$WORK/isup.sock"
	printf 'opc = 2\ndpc = 1\ntrusted = yes\ntimers = short\n\n'
	printf '[route in]\nfrom = tdm\nto = um\n'
} > "$WORK/y.conf"

# x listens on the span socket, y connects: start x without waiting for its link
"$GWD" -f -c "$WORK/x.conf" -s "$WORK/x.ctl" -l info > "$WORK/x.log" 2>&1 &
PIDS="$PIDS $!"
sleep 0.3
start_gwd y "$WORK/y.conf" || exit 1
wait_links x || exit 1
serve um tls $UMTLS --require-client-cert
sleep 0.3

invite "$WORK/inv.sip" "+15555552000" "tel:+15555551002" 408 'Ms-Sensitivity: private-no-diversion' \
	'Ms-Exchange-Command: skip-pin' 'P-Asserted-Identity: <tel:+15555551000>'
check "RFC 4458 call across two gwd processes -> 200" call tls $GWXTLS "$WORK/inv.sip" --expect 200
f=$(last_invite um)
expect_in "$f" '^INVITE sip:\+15555552000@127.0.0.1:[0-9]+;user=phone;target=tel:\+15555551002;cause=408' \
	"the UM got target and cause from the far gwd"
expect_in "$f" '^Ms-Sensitivity: private-no-diversion' "Ms-Sensitivity crossed TDM"
expect_in "$f" '^Ms-Exchange-Command: skip-pin' "skip-pin crossed TDM (trusted TLS at both ends, trusted trunk)"

# flow 4: subscriber access
invite "$WORK/sub.sip" "+15555552000" "" "" 'P-Asserted-Identity: <tel:+15555551000>'
check "subscriber access call -> 200" call tls $GWXTLS "$WORK/sub.sip" --expect 200
f=$(last_invite um)
expect_in "$f" '^INVITE sip:\+15555552000@[^ ]*;target=tel:\+15555551000[ ;]' "subscriber access: target = the caller"
expect_not_in <(head -1 "$f") 'cause=' "subscriber access: no cause"
expect_in "$f" '^Ms-Exchange-Command: skip-pin' "subscriber access: skip-pin toward the trusted TLS UM"

sleep 0.5
if [ -n "${TSHARK:-}" ] && [ -x "${TSHARK:-}" ]; then
	"$TSHARK" -r "$WORK/wire-x.pcap" -Y 'isup.message_type == 1' -T fields -e isup.redirecting \
		-e isup.redirection_reason -e isup.redirection_counter > "$WORK/iam.txt" 2> "$WORK/tshark.err"
	expect_in "$WORK/iam.txt" '15555551002.*2.*1' "tshark: IAM redirecting 15555551002, reason no reply (2), counter 1"
	"$TSHARK" -r "$WORK/wire-x.pcap" -Y 'isup.message_type == 1' -V 2> /dev/null | grep -i 'user.to.user' \
		> "$WORK/uui.txt"
	expect_in "$WORK/uui.txt" '.' "tshark: the IAM carries user-to-user information"
else
	echo "tshark not found: wire decode skipped"
fi

check "gwd y: no call left, every circuit idle" idle y
check "gwd x: no call left, every circuit idle" idle x
