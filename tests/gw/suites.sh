#!/bin/sh
# suites.sh - runs the external SIP suites (RFC 4475 torture messages, PROTOS c07-sip) against a SIP server
#
# usage: suites.sh HOST PORT PROTO(udp|tcp) SIPUA_PATH [rfc4475|protos|all]
#
# The suites are data kept beside the repository: $top_srcdir/../shared/suites (top_srcdir is set by
# make check; default: this script's directory/../..), or SUITES_DIR. Knobs (environment):
#   TORTURE_WAIT  ms to wait for each RFC 4475 answer (default 1000)
#   PROTOS_FIRST, PROTOS_COUNT  a range of PROTOS cases (default: all 4,527)
#   PROTOS_WAIT   ms to wait for the answer to each PROTOS INVITE before its CANCEL (default 50)
#   PROTOS_PAUSE  ms to wait after each CANCEL (default 0)
#   ALIVE_EVERY   OPTIONS liveness check every N cases, besides the group starts (default 100)
#   ALIVE_TIMEOUT ms an OPTIONS may take (default 10000)
# Prints counts; exits 1 when the server stopped answering OPTIONS, 2 on a usage or setup error.

usage() {
	echo "usage: suites.sh HOST PORT PROTO(udp|tcp) SIPUA_PATH [rfc4475|protos|all]" >&2
	exit 2
}

if [ $# -lt 4 ] || [ $# -gt 5 ]; then usage; fi
host=$1
port=$2
proto=$3
sipua=$4
which=${5:-all}
case $proto in udp|tcp) ;; *) usage ;; esac
case $which in rfc4475|protos|all) ;; *) usage ;; esac
[ -x "$sipua" ] || { echo "suites.sh: $sipua: not an executable" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
suites=${SUITES_DIR:-$top/../shared/suites}
if [ ! -d "$suites/rfc4475" ] || [ ! -d "$suites/protos-c07-sip/cases" ]; then
	echo "suites.sh: the suites are not in $suites" >&2
	exit 2
fi

# the PROTOS groups named in the suite's README: a liveness check before each one starts
groups=1,194,255,330,436,452,498
dead=0

alive() {
	if "$sipua" options --proto "$proto" --to "$host:$port" --timeout "${ALIVE_TIMEOUT:-10000}" >/dev/null; then
		echo "alive after $1: yes"
	else
		echo "alive after $1: NO (the server does not answer OPTIONS)"
		dead=1
	fi
}

# answers RFC 4475 suggests for some messages; a difference is reported, not failed
rfc4475_expected() {
	case $1 in
	badvers.dat) echo 505 ;;
	unkscm.dat) echo 416 ;;
	bext01.dat) echo 420 ;;
	insuf.dat) echo 400 ;;
	invut.dat) echo 415 ;;
	sdp01.dat) echo 406 ;;
	esac
}

run_rfc4475() {
	out=$(mktemp)
	echo "== RFC 4475 torture messages over $proto to $host:$port"
	if ! "$sipua" torture --proto "$proto" --to "$host:$port" --dir "$suites/rfc4475" \
			--wait "${TORTURE_WAIT:-1000}" >"$out"; then
		echo "suites.sh: sipua torture failed" >&2
		cat "$out"
		rm -f "$out"
		dead=1
		return
	fi
	grep -v '^torture:' "$out" | while read -r file status rest; do
		exp=$(rfc4475_expected "$file")
		note=
		[ -n "$exp" ] && [ "$status" != "$exp" ] && note="  (RFC 4475 suggests $exp)"
		echo "$file $status${rest:+ $rest}$note"
	done
	grep -v '^torture:' "$out" | awk '
		{ n++; if ($2 == "none") none++; else c[substr($2, 1, 1)]++ }
		END { printf "rfc4475: sent %d, answered 1xx %d 2xx %d 3xx %d 4xx %d 5xx %d 6xx %d, unanswered %d\n",
			n, c[1], c[2], c[3], c[4], c[5], c[6], none }'
	rm -f "$out"
	alive rfc4475
}

run_protos() {
	echo "== PROTOS c07-sip over $proto to $host:$port"
	set -- --proto "$proto" --to "$host:$port" --dir "$suites/protos-c07-sip/cases" \
		--alive-at "$groups" --alive-every "${ALIVE_EVERY:-100}" --wait "${PROTOS_WAIT:-50}" \
		--pause "${PROTOS_PAUSE:-0}" --timeout "${ALIVE_TIMEOUT:-10000}"
	[ -n "${PROTOS_FIRST:-}" ] && set -- "$@" --first "$PROTOS_FIRST"
	[ -n "${PROTOS_COUNT:-}" ] && set -- "$@" --count "$PROTOS_COUNT"
	"$sipua" protos "$@"
	case $? in
	0) ;;
	1) dead=1 ;;
	*) echo "suites.sh: sipua protos failed" >&2; dead=1 ;;
	esac
}

case $which in
rfc4475) run_rfc4475 ;;
protos) run_protos ;;
all) run_rfc4475; [ $dead = 0 ] && run_protos ;;
esac
[ $dead = 0 ] || { echo "suites.sh: FAILED: the server under test stopped answering"; exit 1; }
echo "suites.sh: the server kept answering"
exit 0
