#!/bin/sh
# tshark_test.sh - conformance: the mapping library's ISUP and Q.931 octets decoded by an independent
# decoder (tshark).  Each SIP vector goes through `gwmap sip2tdm`; mkframes wraps the raw parameter
# contents in an MTP2/ISUP IAM or a LAPD/Q.931 SETUP; text2pcap and tshark decode them, and the decoded
# fields are compared with values written here from the standards (RFC 4458, Q.763 3.45, Q.931 4.5,
# MAPPING.md), never with our own decoder.
#
# Run by `make check` (top_srcdir, top_builddir, TSHARK, TEXT2PCAP in the environment) or by hand
# from the source tree.  Exit: 0 all passed, 1 a check failed, 77 tshark missing (skip), 99 hard error.

top_srcdir=${top_srcdir:-$(cd "${0%/*}/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
TSHARK=${TSHARK:-$(command -v tshark)}
TEXT2PCAP=${TEXT2PCAP:-$(command -v text2pcap)}
GWMAP=$top_builddir/mapping/gwmap
MKFRAMES=$top_builddir/tests/conformance/mkframes

if [ -z "$TSHARK" ] || [ -z "$TEXT2PCAP" ] || [ ! -x "$TSHARK" ] || [ ! -x "$TEXT2PCAP" ]; then
	echo "SKIP: tshark not installed (tshark='$TSHARK' text2pcap='$TEXT2PCAP'):" \
		"the wire bytes were NOT checked by an independent decoder (apt-get install tshark)"
	exit 77
fi
for prog in "$GWMAP" "$MKFRAMES"; do
	if [ ! -x "$prog" ]; then
		echo "ERROR: $prog not built (make mapping/gwmap tests/conformance/mkframes)"
		exit 99
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tshark_test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
# no personal preferences, no name resolution, bounded time
WIRESHARK_CONFIG_DIR=$tmp/wireshark
export WIRESHARK_CONFIG_DIR
mkdir "$WIRESHARK_CONFIG_DIR"
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 120"
REGEX='^(?<dir>[<>])\s(?<time>\d+:\d\d:\d\d.\d+)\s(?<data>[0-9a-fA-F]+)$'

n=0
passed=0
failed=0

pass() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

fail() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

# ---- the vectors: name|Request-URI|extra header ----
VECTORS='rfc4458|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486|
c404|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=404|
c486|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486|
c408|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=408|
c302|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=302|
c487|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=487|
c480|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=480|
c503|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=503|
privacy|sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486|Privacy: header;id
sens|sip:+15555551002@example.com;user=phone|Ms-Sensitivity: private-no-diversion
skippin|sip:+15555552000@example.com;user=phone|Ms-Exchange-Command: skip-pin
plain|sip:+15555552000@example.com;user=phone|'

# a complete INVITE (RFC 3261 8.1.1) toward the UM or the TDM side
sip_invite() {
	cat <<EOF
INVITE $1 SIP/2.0
Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK74bf9
Max-Forwards: 70
From: <sip:+15555550100@example.com;user=phone>;tag=9fxced76sl
To: <sip:+15555552000@example.com;user=phone>
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 INVITE
Contact: <sip:+15555550100@192.0.2.10;transport=tcp>
${2:+$2
}Content-Length: 0

EOF
}

# sip2tdm (from a trusted peer, so skip-pin and P-Asserted-Identity are kept) + mkframes for one
# vector and protocol; appends the frame, records its number
build_frame() {
	name=$1 proto=$2 ruri=$3 hdr=$4
	sip_invite "$ruri" "$hdr" >"$tmp/$name.sip"
	"$GWMAP" sip2tdm --proto "$proto" --trusted "$tmp/$name.sip" >"$tmp/$name.$proto.kv" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name: gwmap sip2tdm --proto $proto: exit $rc: $(head -c 300 "$tmp/err")"
		return
	fi
	case $proto in
	qsig | etsi) frame_kind=q931 ;;	# a SETUP with the Facility IE
	*) frame_kind=$proto ;;
	esac
	if ! "$MKFRAMES" "--$frame_kind" <"$tmp/$name.$proto.kv" >"$tmp/frame" 2>"$tmp/err"; then
		fail "$name: mkframes --$proto: $(head -c 300 "$tmp/err")"
		return
	fi
	cat "$tmp/frame" >>"$tmp/$proto.txt"
	eval "count_$proto=\$((count_$proto + 1))"
	eval "frame_${proto}_$name=\$count_$proto"
}

ISUP_FIELDS='frame.number isup.message_type isup.parameter_type isup.called isup.calling isup.redirecting
isup.original_called_number isup.called_party_nature_of_address_indicator
isup.calling_party_nature_of_address_indicator isup.numbering_plan_indicator
isup.address_presentation_restricted_indicator isup.redirecting_ind isup.original_redirection_reason
isup.redirection_counter isup.redirection_reason isup.call_to_be_diverted_ind
q931.user.protocol_discriminator q931.user.string _ws.malformed _ws.expert.severity _ws.expert.message'
Q931_FIELDS='frame.number lapd.sapi q931.disc q931.message_type q931.called_party_number.digits
q931.calling_party_number.digits q931.redirecting_number.digits q931.number_type q931.numbering_plan
q931.presentation_ind q931.extension.reason q931.user.protocol_discriminator q931.user.string
_ws.malformed _ws.expert.severity _ws.expert.message'

QSIG_FIELDS='frame.number q931.message_type qsig.cf.diversionCounter qsig.cf.diversionReason
qsig.cf.originalDiversionReason qsig.publicTypeOfNumber qsig.publicNumberDigits
_ws.malformed _ws.expert.severity _ws.expert.message'
ETSI_FIELDS='frame.number q931.message_type isdn-sup.diversionCounter isdn-sup.diversionReason
isdn-sup.publicTypeOfNumber isdn-sup.publicNumberDigits _ws.malformed _ws.expert.severity _ws.expert.message'

# text2pcap + tshark -T fields: one line per frame, fields separated by '|'
# (a 4th argument is passed to tshark: the ETSI facility preference)
decode() {
	proto=$1 linktype=$2 fields=$3 pref=${4:-}
	: >"$tmp/$proto.fields"
	[ -s "$tmp/$proto.txt" ] || return 0
	if ! $TIMEOUT "$TEXT2PCAP" -q -t '%H:%M:%S.%f' -r "$REGEX" -l "$linktype" "$tmp/$proto.txt" \
		"$tmp/$proto.pcapng" 2>"$tmp/err"; then
		fail "$proto: text2pcap: $(head -c 300 "$tmp/err")"
		return 1
	fi
	args=
	for f in $fields; do
		args="$args -e $f"
	done
	# shellcheck disable=SC2086
	if ! $TIMEOUT "$TSHARK" -n ${pref:+-o "$pref"} -r "$tmp/$proto.pcapng" -T fields -E separator='|' $args \
		>"$tmp/$proto.fields" 2>"$tmp/err"; then
		fail "$proto: tshark: $(grep -v 'Running as user' "$tmp/err" | head -c 300)"
		return 1
	fi
}

# the value of a field in a frame; tshark prints BASE_HEX fields as 0x..: made decimal here
field() {
	proto=$1 frame=$2 name=$3
	case $proto in
	isup) fields=$ISUP_FIELDS ;;
	qsig) fields=$QSIG_FIELDS ;;
	etsi) fields=$ETSI_FIELDS ;;
	*) fields=$Q931_FIELDS ;;
	esac
	# shellcheck disable=SC2086 # one field name per line
	col=$(printf '%s\n' $fields | grep -Fxn "$name" | cut -d: -f1)
	if [ -z "$col" ]; then
		echo "BUG: field $name not requested" >&2
		exit 99
	fi
	awk -F'|' -v f="$frame" -v c="$col" '$1 == f { print $c }' "$tmp/$proto.fields" |
		tr ',' '\n' | while read -r v; do
			case $v in
			0x[0-9a-fA-F]*) printf '%d\n' "$v" ;;
			*) printf '%s\n' "$v" ;;
			esac
		done | paste -sd, -
}

# frame PROTO VECTOR DESCRIPTION: sets $frame, or fails the check when the vector has no frame
frame_of() {
	eval "frame=\${frame_$1_$2:-}"
	[ -n "$frame" ] && return 0
	fail "$2 $1: $3: no frame (see the failure above)"
	return 1
}

# check PROTO VECTOR FIELD EXPECTED DESCRIPTION
check() {
	frame_of "$1" "$2" "$5" || return
	got=$(field "$1" "$frame" "$3")
	if [ "$got" = "$4" ]; then
		pass "$2 $1: $5 ($3 = $4)"
	else
		fail "$2 $1: $5: $3: expected '$4' got '$got'"
	fi
}

# the gateway's user-to-user convention: discriminator 4 (IA5), "UM/1" then items in any order
check_uui() {
	proto=$1 vec=$2 want=$3
	check "$proto" "$vec" q931.user.protocol_discriminator 4 "user-to-user: IA5 protocol discriminator"
	frame_of "$proto" "$vec" "user-to-user items" || return
	s=$(field "$proto" "$frame" q931.user.string)
	items=$(echo "${s#UM/1;}" | tr ';' '\n' | sort | paste -sd';' -)
	want_sorted=$(echo "$want" | tr ';' '\n' | sort | paste -sd';' -)
	case $s in
	"UM/1;"*)
		if [ "$items" = "$want_sorted" ]; then
			pass "$vec $proto: user-to-user '$s'"
		else
			fail "$vec $proto: user-to-user items: expected '$want_sorted' got '$items' (in '$s')"
		fi
		;;
	*) fail "$vec $proto: user-to-user: expected 'UM/1;$want' got '$s'" ;;
	esac
}

# tshark must not call any frame malformed, nor report warnings or errors (PI_WARN 0x600000 and up)
check_clean() {
	proto=$1 vec=$2
	frame_of "$proto" "$vec" "decoded cleanly" || return
	mal=$(field "$proto" "$frame" _ws.malformed)
	bad=$(field "$proto" "$frame" _ws.expert.severity | tr ',' '\n' | awk '$1 >= 6291456' | head -1)
	if [ -z "$mal" ] && [ -z "$bad" ]; then
		pass "$vec $proto: decoded without malformed/warning/error expert info"
	else
		fail "$vec $proto: tshark: malformed '$mal' severity '$bad': $(field "$proto" "$frame" _ws.expert.message)"
	fi
}

# ---- build and decode ----
# shellcheck disable=SC2034 # read by eval in build_frame
count_isup=0 count_q931=0 count_qsig=0 count_etsi=0
echo "$VECTORS" >"$tmp/vectors"
while IFS='|' read -r name ruri hdr; do
	build_frame "$name" isup "$ruri" "$hdr"
	build_frame "$name" q931 "$ruri" "$hdr"
	case $name in c*) build_frame "$name" qsig "$ruri" "$hdr"; build_frame "$name" etsi "$ruri" "$hdr" ;; esac
done <"$tmp/vectors"
decode isup 140 "$ISUP_FIELDS"
decode q931 203 "$Q931_FIELDS"
decode qsig 203 "$QSIG_FIELDS"
decode etsi 203 "$ETSI_FIELDS" 'q932.facility_encoding:Dissect facility as ETSI'
for proto in isup q931 qsig etsi; do
	eval "want=\$count_$proto"
	got=$(wc -l <"$tmp/$proto.fields" | tr -d ' ')
	if [ "$got" = "$want" ]; then
		pass "$proto: tshark decoded $want frames"
	else
		fail "$proto: tshark decoded frames: expected $want got $got"
	fi
done

for vec in $(cut -d'|' -f1 "$tmp/vectors"); do
	check isup "$vec" isup.message_type 1 "IAM"
	check_clean isup "$vec"
	check q931 "$vec" q931.message_type 5 "SETUP"
	check_clean q931 "$vec"
done

# ---- RFC 4458 section 6.3: voicemail on TDM behind a gateway ----
v=rfc4458
check isup "$v" isup.called 15555552000 "called party number = the voicemail system (user part)"
check isup "$v" isup.called_party_nature_of_address_indicator 4 "called NAI international"
check isup "$v" isup.calling 15555550100 "calling party number from From"
check isup "$v" isup.redirecting 15555551002 "redirecting number = target"
check isup "$v" isup.original_called_number 15555551002 "original called number = target"
# NAI of calling, redirecting, original called (in that order in the IAM)
check isup "$v" isup.calling_party_nature_of_address_indicator 4,4,4 \
	"calling/redirecting/original called NAI international"
check isup "$v" isup.numbering_plan_indicator 1,1,1,1 \
	"numbering plan E.164 (called, calling, redirecting, original called)"
check isup "$v" isup.address_presentation_restricted_indicator 0,0,0 "presentation allowed (no Privacy)"
check isup "$v" isup.redirecting_ind 3 "redirecting indicator: call diverted"
check isup "$v" isup.redirection_reason 1 "redirecting reason: user busy (cause=486)"
check isup "$v" isup.original_redirection_reason 1 "original redirection reason: user busy (counter 1)"
check isup "$v" isup.redirection_counter 1 "redirection counter 1 (RFC 4458: SHOULD be one)"
check isup "$v" isup.call_to_be_diverted_ind "" "no call diversion treatment indicators without Ms-Sensitivity"
check_uui isup "$v" "cause=486"
check q931 "$v" lapd.sapi 0 "LAPD SAPI 0 (call control)"
check q931 "$v" q931.disc 8 "protocol discriminator Q.931"
check q931 "$v" q931.called_party_number.digits 15555552000 "called party number"
check q931 "$v" q931.calling_party_number.digits 15555550100 "calling party number"
check q931 "$v" q931.redirecting_number.digits 15555551002 "redirecting number = target"
# type of number of calling, called, redirecting (IE order 0x6C, 0x70, 0x74)
check q931 "$v" q931.number_type 1,1,1 "type of number international"
check q931 "$v" q931.numbering_plan 1,1,1 "numbering plan E.164"
check q931 "$v" q931.presentation_ind 0,0 "presentation allowed (calling, redirecting)"
check q931 "$v" q931.extension.reason 1 "reason for redirection: call forwarding busy"
check_uui q931 "$v" "cause=486"

# ---- every cause of RFC 4458: cause, ISUP reason, ISUP original reason, Q.931 reason ----
for row in 404:0:0:0 486:1:1:1 408:2:2:2 302:3:3:15 487:4:0:4 480:5:0:4 503:6:0:15; do
	IFS=: read -r cause reason orig q931 <<EOF
$row
EOF
	v=c$cause
	check isup "$v" isup.redirecting 15555551002 "cause=$cause: redirecting number"
	check isup "$v" isup.original_called_number 15555551002 "cause=$cause: original called number"
	check isup "$v" isup.redirecting_ind 3 "cause=$cause: redirecting indicator call diverted"
	check isup "$v" isup.redirection_reason "$reason" "cause=$cause: redirecting reason (Q.763 3.45)"
	check isup "$v" isup.original_redirection_reason "$orig" "cause=$cause: original reason (0-3 only, else unknown)"
	check isup "$v" isup.redirection_counter 1 "cause=$cause: redirection counter"
	check_uui isup "$v" "cause=$cause"
	check q931 "$v" q931.redirecting_number.digits 15555551002 "cause=$cause: redirecting number"
	check q931 "$v" q931.extension.reason "$q931" "cause=$cause: reason for redirection (Q.931 4.5.21)"
	check_uui q931 "$v" "cause=$cause"
done

# ---- QSIG and ETSI DivertingLegInformation2 in the Facility IE (gwmap's reference encoding) ----
for row in 404:0:0 486:2:2 408:3:3 302:1:1 487:1:4 480:1:5 503:1:1; do
	IFS=: read -r cause qsig etsi <<EOF
$row
EOF
	v=c$cause
	check_clean qsig "$v"
	check qsig "$v" qsig.cf.diversionCounter 1 "cause=$cause: diversionCounter"
	check qsig "$v" qsig.cf.diversionReason "$qsig" "cause=$cause: QSIG diversionReason (ECMA-174, no deflection)"
	check qsig "$v" qsig.cf.originalDiversionReason "" "cause=$cause: no originalDiversionReason after one diversion"
	check qsig "$v" qsig.publicNumberDigits 15555551002 "cause=$cause: divertingNr"
	check qsig "$v" qsig.publicTypeOfNumber 1 "cause=$cause: divertingNr international"
	check_clean etsi "$v"
	check etsi "$v" isdn-sup.diversionCounter 1 "cause=$cause: diversionCounter"
	check etsi "$v" isdn-sup.diversionReason "$etsi" "cause=$cause: ETSI diversionReason (EN 300 207-1)"
	check etsi "$v" isdn-sup.publicNumberDigits 15555551002 "cause=$cause: divertingNr"
done

# ---- Privacy: header;id: numbers kept (the voicemail needs the mailbox), marked restricted ----
v=privacy
check isup "$v" isup.redirecting 15555551002 "Privacy header;id: redirecting number kept"
check isup "$v" isup.original_called_number 15555551002 "Privacy header;id: original called number kept"
check isup "$v" isup.redirecting_ind 4 "Privacy header;id: call diverted, all redirection information restricted"
check isup "$v" isup.address_presentation_restricted_indicator 1,1,1 \
	"Privacy header;id: APRI restricted (calling, redirecting, original called)"
check isup "$v" isup.redirection_reason 1 "Privacy header;id: redirecting reason still user busy"
check q931 "$v" q931.redirecting_number.digits 15555551002 "Privacy header;id: redirecting number kept"
check q931 "$v" q931.presentation_ind 1,1 "Privacy header;id: presentation restricted (calling, redirecting)"
check q931 "$v" q931.extension.reason 1 "Privacy header;id: reason call forwarding busy"

# ---- [MS-OCEXUM] Ms-Sensitivity: private-no-diversion -> Call diversion treatment indicators 0x82 ----
v=sens
check isup "$v" isup.call_to_be_diverted_ind 2 "Ms-Sensitivity private-no-diversion: call to be diverted indicator"
if frame_of isup "$v" "call diversion not allowed as text"; then
	$TIMEOUT "$TSHARK" -n -r "$tmp/isup.pcapng" -V -Y "frame.number == $frame" >"$tmp/sens.txt" 2>/dev/null
	line=$(grep -F 'Call to be diverted indicator:' "$tmp/sens.txt" | sed 's/^ *//')
	case $line in
	*": call diversion not allowed (2)")
		pass "$v isup: tshark prints '$line'" ;;
	*) fail "$v isup: expected 'Call to be diverted indicator: call diversion not allowed (2)' got '$line'" ;;
	esac
fi
check isup "$v" isup.called 15555551002 "Play-On-Phone: called party number"
check isup "$v" isup.redirecting_ind "" "Play-On-Phone: no redirection information"
check_uui isup "$v" "sens=private-no-diversion"
check q931 "$v" q931.called_party_number.digits 15555551002 "Play-On-Phone: called party number"
check q931 "$v" q931.redirecting_number.digits "" "Play-On-Phone: no redirecting number"
check_uui q931 "$v" "sens=private-no-diversion"

# ---- Ms-Exchange-Command: skip-pin travels in user-to-user only ----
v=skippin
check isup "$v" isup.redirecting "" "subscriber access: no redirecting number"
check_uui isup "$v" "skip-pin"
check_uui q931 "$v" "skip-pin"

# ---- no redirection at all: nothing but the numbers ----
v=plain
check isup "$v" isup.parameter_type 6,7,9,2,4,10,0 "no redirection: only called and calling party number"
check q931 "$v" q931.redirecting_number.digits "" "no redirection: no redirecting number"
check q931 "$v" q931.user.string "" "no redirection: no user-user"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
exit 0
