#!/bin/bash
# gwmap_test.sh - gwmap end to end: the RFC 4458 example both ways for every protocol, exit codes
# and error lines for bad input, check-tables, raw keys winning, and the man page naming every key.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
GWMAP="$top_builddir/mapping/gwmap"
V="$top_srcdir/tests/gwmap/vectors"
MAN="$top_srcdir/man/gwmap.1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
# expect_line FILE LINE DESC: FILE has exactly that line
expect_line() { if grep -qxF -- "$2" "$1"; then ok; else nok "$3: no line '$2' in: $(tr '\n' ' ' < "$1")"; fi; }
# run_bad DESC PATTERN CMD...: exit 2, one line on stderr matching PATTERN, nothing on stdout
run_bad() {
	local desc=$1 pat=$2 rc
	shift 2
	timeout 10 "$@" > "$tmp/out" 2> "$tmp/err" < "${STDIN:-/dev/null}"
	rc=$?
	if [ $rc -ne 2 ]; then nok "$desc: exit $rc, want 2"; return; fi
	if [ "$(wc -l < "$tmp/err")" -ne 1 ]; then nok "$desc: stderr has $(wc -l < "$tmp/err") lines"; return; fi
	if ! grep -qE -- "$pat" "$tmp/err"; then nok "$desc: stderr '$(cat "$tmp/err")' lacks /$pat/"; return; fi
	if [ -s "$tmp/out" ]; then nok "$desc: printed on stdout"; return; fi
	ok
}

# --- the RFC 4458 gateway example to ISUP (the issue's acceptance figures) ---
"$GWMAP" sip2tdm --proto isup "$V/rfc4458.sip" > "$tmp/isup" 2> "$tmp/err" || nok "sip2tdm isup failed: $(cat "$tmp/err")"
for l in called=15555552000 called.nai=4 redirecting=15555551002 redirecting.nai=4 original_called=15555551002 \
	original_called.nai=4 redirection.indicator=3 redirection.reason=1 redirection.original_reason=1 \
	redirection.counter=1 diversion_treatment=0 um.skip_pin=0 um.sensitivity=none uui=UM/1\;cause=486 \
	isup.redirection_information=1311 isup.redirecting_number=8410515555150002 \
	isup.original_called_number=8410515555150002 isup.called_party_number=8410515555250000; do
	expect_line "$tmp/isup" "$l" "RFC 4458 example to ISUP"
done
[ -s "$tmp/err" ] && nok "RFC 4458 example: unexpected stderr: $(cat "$tmp/err")" || ok

# --- and back, for every protocol ---
want='INVITE sip:+15555552000@example.com;user=phone;target=tel:+15555551002;cause=486 SIP/2.0'
for p in isup q931 qsig etsi; do
	"$GWMAP" sip2tdm --proto $p "$V/rfc4458.sip" | "$GWMAP" tdm2sip --proto $p --um sip:example.com > "$tmp/sip.$p" 2>&1
	expect_line "$tmp/sip.$p" "$want" "round trip over $p"
	expect_line "$tmp/sip.$p" "Diversion: <tel:+15555551002>;reason=user-busy;counter=1;privacy=off" "Diversion over $p"
done
"$GWMAP" sip2tdm --proto q931 "$V/rfc4458.sip" > "$tmp/q931"
expect_line "$tmp/q931" "q931.reason=1" "Q.931 reason busy"
expect_line "$tmp/q931" "q931.redirecting_number=1100813135353535353531303032" "Q.931 Redirecting number IE"
"$GWMAP" sip2tdm --proto qsig "$V/rfc4458.sip" > "$tmp/qsig"
expect_line "$tmp/qsig" "qsig.reason=2" "QSIG cfb"
expect_line "$tmp/qsig" "qsig.counter=1" "QSIG counter"
"$GWMAP" sip2tdm --proto etsi "$V/rfc4458.sip" > "$tmp/etsi"
expect_line "$tmp/etsi" "etsi.reason=2" "ETSI cfb"
# the raw Facility alone carries the diversion back (the decoded keys removed)
for p in qsig etsi; do
	grep -vE "^($p\.(counter|reason)|uui|$p\.original_reason|q931\.user_user)=" "$tmp/$p" |
		"$GWMAP" tdm2sip --proto $p --um sip:example.com > "$tmp/fac.$p" 2>&1
	expect_line "$tmp/fac.$p" "$want" "the $p Facility alone carries reason and target"
done
sed 's/^qsig.facility=9f/qsig.facility=91/' "$tmp/qsig" > "$tmp/badfac"
run_bad "ETSI facility given as QSIG" "badfac:[0-9]+: not a DivertingLegInformation2 Facility" \
	"$GWMAP" tdm2sip --proto qsig "$tmp/badfac"

# --- UM extensions, privacy; lossy reported; the convention restores the exact cause ---
"$GWMAP" sip2tdm --proto isup --trusted "$V/um-private.sip" > "$tmp/um" 2>&1
expect_line "$tmp/um" "diversion_treatment=2" "private-no-diversion -> CDTI"
expect_line "$tmp/um" "isup.call_diversion_treatment=82" "CDTI octet"
expect_line "$tmp/um" "redirection.indicator=4" "Privacy: header -> indicator 4"
expect_line "$tmp/um" "redirecting.pres=1" "Privacy: header -> redirecting restricted"
expect_line "$tmp/um" "calling.pres=1" "Privacy: id -> calling restricted"
expect_line "$tmp/um" "calling.screen=3" "P-Asserted-Identity from a trusted peer: network provided"
"$GWMAP" sip2tdm --proto isup "$V/um-private.sip" > "$tmp/um-untrusted" 2>&1
expect_line "$tmp/um-untrusted" "um.skip_pin=0" "skip-pin from an untrusted peer dropped"
expect_line "$tmp/um-untrusted" "calling.screen=1" "P-Asserted-Identity from an untrusted peer ignored"
expect_line "$tmp/um" "um.skip_pin=1" "skip-pin"
expect_line "$tmp/um" "uui=UM/1;cause=480;skip-pin;sens=private-no-diversion" "user-to-user payload"
"$GWMAP" sip2tdm --proto q931 --trusted "$V/um-private.sip" > "$tmp/q" 2> "$tmp/lossy"
grep -q '^gwmap: lossy: Q.931 has no code for reason deflection-immediate' "$tmp/lossy" && ok || nok "lossy not reported: $(cat "$tmp/lossy")"
"$GWMAP" tdm2sip --proto q931 --um sip:um.example.com:5061 --trusted < "$tmp/q" > "$tmp/back" 2>&1
expect_line "$tmp/back" "INVITE sip:+15555552000@um.example.com:5061;user=phone;target=tel:+15555551002;cause=480 SIP/2.0" \
	"exact cause 480 across Q.931 via user-to-user"
expect_line "$tmp/back" "Ms-Exchange-Command: skip-pin" "skip-pin from a trusted trunk"
expect_line "$tmp/back" "Ms-Sensitivity: private-no-diversion" "sensitivity across Q.931"
expect_line "$tmp/back" 'From: "Anonymous" <sip:anonymous@anonymous.invalid>' "restricted caller: From anonymous"
expect_line "$tmp/back" "P-Asserted-Identity: <sip:+15555551002@um.example.com:5061;user=phone>" "asserted toward a trusted UM"
sed -e 's/^calling.screen=3$/calling.screen=0/' -e '/^q931.calling_party_number=/d' "$tmp/q" | "$GWMAP" tdm2sip --proto q931 --um sip:um.example.com --trusted > "$tmp/back" 2>&1
grep -q 'Ms-Exchange-Command' "$tmp/back" && nok "skip-pin passed with a user-provided calling number" || ok
"$GWMAP" tdm2sip --proto q931 --um sip:um.example.com:5061 < "$tmp/q" > "$tmp/back" 2>&1
grep -q 'Ms-Exchange-Command' "$tmp/back" && nok "skip-pin passed from an untrusted trunk" || ok
"$GWMAP" tdm2sip --proto q931 --um sip:um.example.com --untrusted-peer < "$tmp/q" > "$tmp/back" 2>&1
grep -q 'target=' "$tmp/back" && nok "target sent to an untrusted peer under privacy" || ok

# --- tdm2sip: raw hex keys win over decoded keys ---
printf 'called=15555552000\ncalled.nai=4\nredirecting=15555551002\nredirecting.nai=4\nredirection.indicator=3\nredirection.reason=1\nisup.redirection_information=1351\n' |
	"$GWMAP" tdm2sip --proto isup --um sip:example.com > "$tmp/raw" 2>&1
grep -q 'cause=480 SIP/2.0' "$tmp/raw" && ok || nok "raw redirection information did not win: $(cat "$tmp/raw")"
printf 'called=5555552000\ncalled.nai=3\nisup.call_diversion_treatment=82\n' |
	"$GWMAP" tdm2sip --proto isup --um sip:example.com > "$tmp/cdti" 2>&1
expect_line "$tmp/cdti" "Ms-Sensitivity: private-no-diversion" "CDTI from TDM -> Ms-Sensitivity"
expect_line "$tmp/cdti" "INVITE sip:+15555552000@example.com;user=phone SIP/2.0" "national called number -> E.164"

# --- bad input: exit 2, one line naming what and where ---
run_bad "bad cause" "bad-cause.sip: cause '48': not a SIP status code" "$GWMAP" sip2tdm --proto isup "$V/bad-cause.sip"
printf 'garbage\n' > "$tmp/garbage.sip"
run_bad "malformed SIP" "garbage.sip: SIP message: not a well-formed SIP request" "$GWMAP" sip2tdm --proto isup "$tmp/garbage.sip"
run_bad "empty standard input" "stdin: SIP message: empty" "$GWMAP" sip2tdm --proto isup
: > "$tmp/empty.sip"
run_bad "empty file" "empty.sip: SIP message: empty" "$GWMAP" sip2tdm --proto isup "$tmp/empty.sip"
sed 's/^Content-Length: 0/Ms-Sensitivity: top-secret\nContent-Length: 0/' "$V/rfc4458.sip" > "$tmp/sens.sip"
run_bad "unknown Ms-Sensitivity" "Ms-Sensitivity: unknown value 'top-secret'" "$GWMAP" sip2tdm --proto isup "$tmp/sens.sip"
"$GWMAP" sip2tdm --proto isup --lenient "$tmp/sens.sip" > /dev/null 2>&1 && ok || nok "--lenient refused unknown sensitivity"
run_bad "no --proto" "sip2tdm: --proto is required" "$GWMAP" sip2tdm "$V/rfc4458.sip"
run_bad "bad --proto" "unknown protocol 'mtp'" "$GWMAP" sip2tdm --proto mtp "$V/rfc4458.sip"
run_bad "no command" "no command" "$GWMAP"
run_bad "unknown command" "unknown command 'map'" "$GWMAP" map --proto isup
run_bad "missing file" "no-such.sip: No such file" "$GWMAP" sip2tdm --proto isup "$tmp/no-such.sip"
run_bad "unknown trunk" "--trunk 'mars'" "$GWMAP" sip2tdm --proto isup --trunk mars "$V/rfc4458.sip"
run_bad "bad --um" "--um" "$GWMAP" tdm2sip --proto isup --um 'sip:' "$V/rfc4458.sip"
printf 'called=15555552000\ncolour=blue\n' > "$tmp/kv"
run_bad "unknown key" "kv:2: unknown key .* 'colour'" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=15555552000\ncalled=15555552001\n' > "$tmp/kv"
run_bad "duplicate key" "kv:2: duplicate key 'called'" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=15555552000\nredirection.reason=99\n' > "$tmp/kv"
run_bad "out of range" "kv:2: value '99' out of range 0-15" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=15555552000\nisup.redirection_information=1g\n' > "$tmp/kv"
run_bad "bad hex" "kv:2: .*isup.redirection_information" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called.nai=4\n' > "$tmp/kv"
run_bad "no called number" "no called number" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=12ab\ncalled.nai=4\n' > "$tmp/kv"
run_bad "bad digits" "kv:1: not address signals .* 'called'" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
head -c 70000 /dev/zero | tr '\0' 'a' > "$tmp/big.sip"
run_bad "input over 64 KiB" "larger than 64 KiB" "$GWMAP" sip2tdm --proto isup "$tmp/big.sip"

run_bad "unknown option" "bad option or missing argument '--bogus'" "$GWMAP" --bogus
run_bad "option without its argument" "bad option or missing argument '-p'" "$GWMAP" tdm2sip -p
printf 'called=15555552000\ncalled.nai=4\n' > "$tmp/kv"
run_bad "--um tel:" "--um 'tel:\+1555'" "$GWMAP" tdm2sip --proto isup --um tel:+1555 "$tmp/kv"
run_bad "--um with a blank" "--um 'sip:um example.com'" "$GWMAP" tdm2sip --proto isup --um 'sip:um example.com' "$tmp/kv"
run_bad "--um sips:" "--um 'sips:um.example.com'" "$GWMAP" tdm2sip --proto isup --um sips:um.example.com "$tmp/kv"
printf 'called=5552000\nredirecting=5551002\nq931.reason=4\n' > "$tmp/kv"
run_bad "a Q.931 key on QSIG" "kv:3: unknown key .*'q931.reason'" "$GWMAP" tdm2sip --proto qsig "$tmp/kv"
printf 'called=5552000\nredirecting=5551002\netsi.reason=2\netsi.counter=9\n' > "$tmp/kv"
run_bad "ETSI counter 9" "kv:4: value '9' out of range 1-5" "$GWMAP" tdm2sip --proto etsi "$tmp/kv"
printf 'called=5552000\nredirecting=5551002\nqsig.reason=4\n' > "$tmp/kv"
run_bad "QSIG reason 4" "kv:3: value '4' out of range 0-3" "$GWMAP" tdm2sip --proto qsig "$tmp/kv"
printf 'called=5552000\ncalled.nai=0\n' > "$tmp/kv"
run_bad "ISUP NAI 0" "kv:2: value '0' out of range 1-127" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=1234567890123456\ncalled.nai=4\n' > "$tmp/kv"
run_bad "16-digit international number" "longer than the 15 digits of E.164" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'called=15555552000\ncalled.nai=4\nuui=%0128d\n' 0 > "$tmp/kv"
run_bad "user-to-user over 128 octets" "kv:3: payload too long" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
printf 'isup.called_party_number=8410515555250000\nisup.redirecting_number=041051f50501\n' > "$tmp/kv"
run_bad "filler nibble in a raw number" "kv:2: malformed ISUP number" "$GWMAP" tdm2sip --proto isup "$tmp/kv"
# P-Asserted-Identity only for a screened caller from a trusted trunk; To falls back to the mailbox
printf 'called=15555552000\ncalled.nai=4\ncalling=15555551000\ncalling.nai=4\ncalling.screen=0\n' > "$tmp/kv"
"$GWMAP" tdm2sip --proto q931 --trusted "$tmp/kv" > "$tmp/pai" 2>&1
grep -q '^P-Asserted-Identity' "$tmp/pai" && nok "unscreened caller asserted" || ok
sed -i 's/calling.screen=0/calling.screen=3/' "$tmp/kv"
"$GWMAP" tdm2sip --proto q931 --trusted "$tmp/kv" > "$tmp/pai" 2>&1
expect_line "$tmp/pai" "P-Asserted-Identity: <sip:+15555551000@localhost;user=phone>" "network-provided caller asserted"
"$GWMAP" tdm2sip --proto q931 "$tmp/kv" > "$tmp/pai" 2>&1
grep -q '^P-Asserted-Identity' "$tmp/pai" && nok "caller asserted from an untrusted trunk" || ok
printf 'q931.called_party_number=913135353535353532303030\nq931.redirecting_number=1100813135353535353531303032\n' |
	"$GWMAP" tdm2sip --proto q931 > "$tmp/to" 2>&1
expect_line "$tmp/to" "To: <sip:+15555551002@localhost;user=phone>" "To: the redirecting number on PRI"
# the release cause tables
"$GWMAP" cause q850 17 > "$tmp/c" && expect_line "$tmp/c" "sip=486" "Q.850 17 -> 486"
"$GWMAP" cause sip 486 "Q.850;cause=21" > "$tmp/c" && expect_line "$tmp/c" "q850=21" "Reason header wins"
"$GWMAP" cause sip 603 > "$tmp/c" && expect_line "$tmp/c" "q850=21" "603 -> 21"
run_bad "cause of a 200" "SIP status '200' is not a failure" "$GWMAP" cause sip 200

# --- check-tables ---
"$GWMAP" check-tables "$top_srcdir/conf/tables" > "$tmp/ct" 2>&1 && ok || nok "shipped tables invalid: $(cat "$tmp/ct")"
cp -r "$top_srcdir/conf/tables" "$tmp/tables"
sed -i 's/^both    user-busy               1$/both    user-busy               17/' "$tmp/tables/isup-reasons.tbl"
run_bad "check-tables out of range" "tables/isup-reasons.tbl:[0-9]+: code 17 out of range 0-15" "$GWMAP" check-tables "$tmp/tables"
cp "$top_srcdir/conf/tables/isup-reasons.tbl" "$tmp/tables/"
sed -i '/^both    not-reachable           503$/d' "$tmp/tables/causes.tbl"
run_bad "check-tables gap" "causes.tbl:[0-9]+: gap: reason 'not-reachable' has no encode row" "$GWMAP" check-tables "$tmp/tables"
run_bad "sip2tdm with bad tables" "causes.tbl:[0-9]+: gap" "$GWMAP" sip2tdm --proto isup --tables "$tmp/tables" "$V/rfc4458.sip"
cp "$top_srcdir/conf/tables/causes.tbl" "$tmp/tables/"
printf 'both unknown 0\n' > "$tmp/tables/q931-reason.tbl"
run_bad "check-tables unknown file" "q931-reason.tbl: unknown table file" "$GWMAP" check-tables "$tmp/tables"
rm "$tmp/tables/q931-reason.tbl"
cp "$tmp/tables/q931-reasons.tbl" "$tmp/tables/q931-reasons-lucent5e-custom-eastA.tbl"
run_bad "switch table name too long" "q931-reasons-lucent5e-custom-eastA.tbl: file name longer" "$GWMAP" check-tables "$tmp/tables"
rm "$tmp/tables/q931-reasons-lucent5e-custom-eastA.tbl"
cp "$tmp/tables/numbering.tbl" "$tmp/numbering.keep"
printf 'fr 1234 0 00 9 15 national -\n' >> "$tmp/tables/numbering.tbl"
run_bad "4-digit country code" "numbering.tbl:[0-9]+: country code '1234' longer than" "$GWMAP" check-tables "$tmp/tables"
cp "$tmp/numbering.keep" "$tmp/tables/numbering.tbl"
printf 'fr 33 0 0 9 15 national -\n' >> "$tmp/tables/numbering.tbl"
run_bad "same prefixes" "numbering.tbl:[0-9]+: national and international prefix are the same" "$GWMAP" check-tables "$tmp/tables"
cp "$tmp/numbering.keep" "$tmp/tables/numbering.tbl"
printf 'fr 33 0 00 9 15 national -.-\n' >> "$tmp/tables/numbering.tbl"
run_bad "bad local context" "numbering.tbl:[0-9]+: local-context '-.-' is not a domain" "$GWMAP" check-tables "$tmp/tables"
cp "$tmp/numbering.keep" "$tmp/tables/numbering.tbl"
printf 'fr 33 0 00 9 15 national dp1.example.fr\n' >> "$tmp/tables/numbering.tbl"
printf 'called=123\ncalled.nai=2\n' | "$GWMAP" tdm2sip --proto isup --tables "$tmp/tables" --trunk fr > "$tmp/ctx" 2>&1
expect_line "$tmp/ctx" "INVITE sip:123;phone-context=dp1.example.fr@localhost;user=phone SIP/2.0" "local context from numbering.tbl"
cp "$tmp/numbering.keep" "$tmp/tables/numbering.tbl"
# an operator's change takes effect: 503 as "called DTE out of order" toward Q.931
sed -i 's/^encode  not-reachable           15$/encode  not-reachable           9/; /^decode  not-reachable           9$/d; s/^both    not-reachable/both    not-reachable/' "$tmp/tables/q931-reasons.tbl"
sed -i 's/^encode  not-reachable           9$/both    not-reachable           9/' "$tmp/tables/q931-reasons.tbl"
sed 's/cause=486/cause=503/' "$V/rfc4458.sip" > "$tmp/503.sip"
"$GWMAP" sip2tdm --proto q931 --tables "$tmp/tables" "$tmp/503.sip" > "$tmp/503" 2>&1
expect_line "$tmp/503" "q931.reason=9" "configured 503 -> Q.931 1001"
"$GWMAP" sip2tdm --proto q931 "$tmp/503.sip" > "$tmp/503" 2>&1
expect_line "$tmp/503" "q931.reason=15" "default 503 -> Q.931 unconditional"

# --- documentation: --help and the man page name every option and key ---
"$GWMAP" --help > "$tmp/help" && ok || nok "--help failed"
for o in --proto --tables --trunk --switch --um --trusted --untrusted-peer --lenient --verbose; do
	grep -q -- "$o" "$tmp/help" && ok || nok "--help lacks $o"
	grep -q -- "${o//-/\\\\-}" "$MAN" && ok || nok "man page lacks $o"
done
cat "$tmp/isup" "$tmp/q931" "$tmp/qsig" "$tmp/etsi" "$tmp/um" | cut -d= -f1 | sort -u > "$tmp/keys"
while read -r k; do
	case $k in
	called* | calling* | redirecting* | original_called*)
		# number keys are documented once as <name>.<suffix> with the list of names
		n=${k%%.*} sfx=${k#"$n"}
		grep -qE "^\.BR? $n( |,|$)" "$MAN" && ok || nok "man page lacks number $n"
		[ -z "$sfx" ] || { grep -qF ".IB name $sfx" "$MAN" && ok || nok "man page lacks key $k"; } ;;
	*) grep -qE "^\.B $k\$" "$MAN" && ok || nok "man page lacks key $k" ;;
	esac
done < "$tmp/keys"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
