# gwdlib.sh - shared by the gwd end-to-end tests (sourced): a work directory, test certificates,
# gwd processes on 127.0.0.1 with their own config and control socket, the test UA (tests/gw/sipua),
# checks that count "N passed, N failed".  Every wait is bounded; everything started is stopped.
#
# Variables: top_srcdir, top_builddir (from make check), BASE (first port of this script's range: every
# script has its own range below 32768, outside the kernel's ephemeral ports).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
GWD=$top_builddir/gw/gwd
GWCTL=$top_builddir/gw/gwctl
SIPUA=$top_builddir/tests/gw/sipua
PASS=0
FAIL=0
PIDS=""
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gwd-test.XXXXXX")
CERTS=$WORK/certs

ok() {
	PASS=$((PASS + 1))
	echo "ok: $*"
}

bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL: $*"
}

# check "what" command...: passes when the command succeeds
check() {
	local what=$1

	shift
	if "$@" >> "$WORK/check.log" 2>&1; then ok "$what"; else bad "$what ($*)"; fi
}

# expect_in FILE REGEX "what": a line of FILE matches the extended regex
expect_in() {
	if [ -r "$1" ] && grep -qE -- "$2" "$1"; then ok "$3"; else bad "$3: /$2/ not in $1"; fi
}

expect_not_in() {
	if [ -r "$1" ] && ! grep -qiE -- "$2" "$1"; then ok "$3"; else bad "$3: /$2/ found in $1 (or no file)"; fi
}

finish() {
	local p

	for p in $PIDS; do
		kill "$p" 2> /dev/null
	done
	sleep 0.3
	for p in $PIDS; do
		kill -9 "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	# FINISH_HOOK: a command run once everything is stopped (e.g. to keep the work directory elsewhere)
	[ -z "${FINISH_HOOK:-}" ] || $FINISH_HOOK
	echo "$PASS passed, $FAIL failed"
	if [ "$FAIL" -ne 0 ]; then
		echo "logs kept in $WORK"
		for f in "$WORK"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f (last 40 lines)"
			tail -40 "$f"
		done
		exit 1
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
	exit 0
}
trap finish EXIT

certs() {
	sh "$top_srcdir/tests/gw/mkcerts.sh" "$CERTS" > "$WORK/mkcerts.log" 2>&1 || { bad "test certificates"; exit 1; }
}

# start_gwd NAME CONF: gwd in the foreground with its log in $WORK/NAME.log and control socket
# $WORK/NAME.ctl; waits until every span's link is up (at most 20 s)
start_gwd() {
	local name=$1 conf=$2

	# GWD_WRAP: a command to run gwd under, e.g. "valgrind --log-file=/tmp/vg.%p" (by hand)
	${GWD_WRAP:-} "$GWD" -f -c "$conf" -s "$WORK/$name.ctl" -l "${GWD_LEVEL:-info}" > "$WORK/$name.log" 2>&1 &
	eval "GWD_PID_$name=$!"
	PIDS="$PIDS $!"
	wait_links "$name"
}

# wait_links NAME: every span of gwd NAME has its signalling link up (at most LINK_WAIT s, default 20;
# a deadline, not a count of tries: a slow machine or emulator forks slowly); fails at once when the
# gwd started by start_gwd has exited
wait_links() {
	local name=$1 end=$((SECONDS + ${LINK_WAIT:-20})) pid

	eval "pid=\${GWD_PID_$name:-}"
	while [ $SECONDS -le $end ]; do
		if "$GWCTL" -s "$WORK/$name.ctl" show links > "$WORK/$name.links" 2> /dev/null &&
			! grep -qw down "$WORK/$name.links"; then
			return 0
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
			bad "gwd $name exited: $(tail -1 "$WORK/$name.log" 2> /dev/null)"
			return 1
		fi
		sleep 0.1
	done
	bad "gwd $name: links not up within ${LINK_WAIT:-20} s"
	cat "$WORK/$name.links" 2> /dev/null
	return 1
}

gwctl() {
	local name=$1

	shift
	"$GWCTL" -s "$WORK/$name.ctl" "$@"
}

# serve NAME PROTO PORT [sipua serve options]: a UAS in the background, dumping into $WORK/NAME/
serve() {
	local name=$1 proto=$2 port=$3

	shift 3
	rm -rf "${WORK:?}/$name"
	mkdir -p "$WORK/$name"
	"$SIPUA" serve --proto "$proto" --listen "127.0.0.1:$port" --cert "$CERTS/um.pem" --key "$CERTS/um.key" \
		--ca "$CERTS/ca.pem" --dump "$WORK/$name" --count 0 --timeout "${SERVE_TIMEOUT:-600000}" "$@" \
		> "$WORK/$name.log" 2>&1 &
	PIDS="$PIDS $!"
}

# call PROTO PORT FILE [sipua call options]: one call from a client holding the pbx certificate
call() {
	local proto=$1 port=$2 file=$3

	shift 3
	"$SIPUA" call --proto "$proto" --to "127.0.0.1:$port" --file "$file" --cert "$CERTS/pbx.pem" \
		--key "$CERTS/pbx.key" --ca "$CERTS/ca.pem" --name gw.test --timeout 15000 "$@"
}

# invite FILE USER TARGET CAUSE [extra header lines...]: an RFC 4458 INVITE template
invite() {
	local file=$1 user=$2 target=$3 cause=$4 h

	shift 4
	{
		printf 'INVITE sip:%s@[remote_ip]:[remote_port];user=phone' "$user"
		[ -n "$target" ] && printf ';target=%s' "$target"
		[ -n "$cause" ] && printf ';cause=%s' "$cause"
		printf ' SIP/2.0\r\n'
		printf 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\r\n'
		printf 'From: <sip:+15555551000@example.com;user=phone>;tag=caller1\r\n'
		printf 'To: <sip:+%s@example.com;user=phone>\r\n' "$user"
		printf 'Call-ID: [call_id]\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n'
		printf 'Contact: <sip:caller@[local_ip]:[local_port]>\r\n'
		for h in "$@"; do
			printf '%s\r\n' "$h"
		done
		printf 'Content-Length: 0\r\n\r\n'
	} > "$file"
}

# ---- config writers: each prints INI sections (every span with short timers) ----

# span_pair A B SIG [EXTRA]: a loopback pair; SIG isup (A has point code $PCA, default 1, B $PCB,
# default 2, and hunts from the other end) or a PRI switch type (A network side, B user side); EXTRA
# (printf %b) is added to both spans
span_pair() {
	local a=$1 b=$2 sig=$3 extra=${4:-} pa=${PCA:-1} pb=${PCB:-2}

	if [ "$sig" = isup ]; then
		printf '[span %s]\nbackend = loopback\nsignalling = isup\npeer = %s\nopc = %s\ndpc = %s\n' "$a" "$b" "$pa" "$pb"
		printf 'timers = short\n%b\n' "$extra"
		printf '[span %s]\nbackend = loopback\nsignalling = isup\npeer = %s\nopc = %s\ndpc = %s\nhunt = last\n' \
			"$b" "$a" "$pb" "$pa"
		printf 'timers = short\n%b\n' "$extra"
	else
		printf '[span %s]\nbackend = loopback\nsignalling = pri\npeer = %s\nside = net\nswitchtype = %s\n' \
			"$a" "$b" "$sig"
		printf 'timers = short\n%b\n' "$extra"
		printf '[span %s]\nbackend = loopback\nsignalling = pri\npeer = %s\nside = cpe\nswitchtype = %s\n' \
			"$b" "$a" "$sig"
		printf 'timers = short\n%b\n' "$extra"
	fi
}

# um_peer NAME PORT [PROTO] [EXTRA]: a UM server on 127.0.0.1 (default tcp)
um_peer() {
	printf '[peer %s]\nhost = 127.0.0.1\nport = %s\ntransport = %s\num = yes\n%b\n' "$1" "$2" "${3:-tcp}" "${4:-}"
}

# route NAME sip|tdm PREFIX TO [EXTRA]
route() {
	printf '[route %s]\nfrom = %s\nprefix = %s\nto = %s\n%b\n' "$1" "$2" "$3" "$4" "${5:-}"
}

# the Request-URI of the newest INVITE a UAS received
last_ruri() {
	local f

	f=$(ls "$WORK/$1"/*-invite.sip 2> /dev/null | tail -1)
	[ -n "$f" ] && head -1 "$f"
}

last_invite() {
	ls "$WORK/$1"/*-invite.sip 2> /dev/null | tail -1
}

invites() {
	ls "$WORK/$1"/*-invite.sip 2> /dev/null | wc -l
}

# idle NAME: no call left and every circuit idle (waits 5-6 s at most for releases to finish)
idle() {
	local name=$1 end=$((SECONDS + 5))

	while [ $SECONDS -le $end ]; do
		if gwctl "$name" show calls 2> /dev/null | grep -q "no calls" &&
			! gwctl "$name" show circuits 2> /dev/null | grep -E -v '^(span|SPAN)' | grep -qvw idle; then
			return 0
		fi
		sleep 0.1
	done
	gwctl "$name" show calls
	gwctl "$name" show circuits | grep -vw idle
	return 1
}
