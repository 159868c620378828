#!/bin/bash
# gwd_suites_test.sh - the external robustness suites against gwd (../shared/suites): the 49 RFC 4475
# torture messages and the 4,527 PROTOS c07-sip cases over UDP.  gwd must not crash or hang and must
# answer OPTIONS after every PROTOS group; the counts of responses are printed.  The specific answers
# RFC 4475 asks for (505 badvers, 416 unkscm, 420 bext01, 415 invut, 406 sdp01) are checked.
set -u
BASE=${BASE:-$((16000 + ($$ % 200) * 20))}
. "$(dirname "$0")/gwdlib.sh"

SUITES=$top_srcdir/../shared/suites
[ -d "$SUITES/rfc4475" ] || { echo "SKIP: $SUITES not found"; trap - EXIT; exit 77; }
GW=$BASE
{
	printf '[gw]\ntimers = short\n\n[sip]\nudp = 127.0.0.1:%s\ntcp = 127.0.0.1:%s\n\n' $GW $GW
	span_pair a b isup
	printf '[route in]\nfrom = sip\nto = a\n'
} > "$WORK/s.conf"
GWD_LEVEL=notice start_gwd s "$WORK/s.conf" || exit 1

"$SIPUA" torture --to 127.0.0.1:$GW --proto udp --dir "$SUITES/rfc4475" > "$WORK/torture.txt" 2>&1
expect_in "$WORK/torture.txt" 'badvers\.dat.* 505' "RFC 4475 badvers.dat -> 505"
expect_in "$WORK/torture.txt" 'unkscm\.dat.* 416' "RFC 4475 unkscm.dat -> 416"
expect_in "$WORK/torture.txt" 'bext01\.dat.* 420' "RFC 4475 bext01.dat (unknown extension required) -> 420"
expect_in "$WORK/torture.txt" 'invut\.dat.* 415' "RFC 4475 invut.dat (unknown Content-Type) -> 415"
expect_in "$WORK/torture.txt" 'sdp01\.dat.* 406' "RFC 4475 sdp01.dat (Accept without SDP) -> 406"
check "alive after RFC 4475 (UDP)" "$SIPUA" options --proto udp --to 127.0.0.1:$GW --timeout 3000
check "alive after RFC 4475 (TCP)" "$SIPUA" options --proto tcp --to 127.0.0.1:$GW --timeout 3000
echo "RFC 4475: $(grep -c '\.dat' "$WORK/torture.txt") messages sent"

t0=$(date +%s)
if "$SIPUA" protos --to 127.0.0.1:$GW --proto udp --dir "$SUITES/protos-c07-sip/cases" --alive-every 100 \
	> "$WORK/protos.txt" 2>&1; then
	ok "PROTOS c07-sip: gwd answered OPTIONS after every group ($(($(date +%s) - t0)) s)"
else
	bad "PROTOS c07-sip: $(tail -3 "$WORK/protos.txt")"
fi
tail -5 "$WORK/protos.txt"
kill -0 "$GWD_PID_s" 2> /dev/null && ok "gwd still running" || bad "gwd died"
check "alive after PROTOS (OPTIONS over TCP)" "$SIPUA" options --proto tcp --to 127.0.0.1:$GW --timeout 3000
check "no call left, every circuit idle" idle s
