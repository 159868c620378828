#!/bin/bash
# suites_test.sh - run "gwmap sip2tdm" over the external SIP robustness suites kept in
# ../shared/suites (PROTOS c07-sip and RFC 4475, see ../shared/suites/README.md).
#
# The criterion is robustness, not conformance: for every message and for both --proto isup and
# --proto q931, gwmap must exit 0 (mapped) or 2 (bad input, exactly one line on stderr), within
# 5 seconds; never a signal, a hang or another status. A sample (200 PROTOS cases spread over
# all groups, every RFC 4475 message; one protocol each, alternating) also runs under valgrind
# (memory errors, definite leaks). How many RFC 4475 messages were mapped or rejected is printed,
# not asserted: gwmap maps only requests whose Request-URI carries a telephone number.
#
# Environment: top_srcdir, top_builddir (exported by make check), and optionally
#   GWMAP                     the binary (default $top_builddir/mapping/gwmap)
#   GWMAP_SUITES              the suites (default $top_srcdir/../shared/suites)
#   GWMAP_JOBS                parallel jobs (default: number of CPUs)
#   GWMAP_VALGRIND_SAMPLE     PROTOS cases run under valgrind (default 200; 0: none)
#   GWMAP_VALGRIND_TIMEOUT    seconds per valgrind run (default 60)
#   GWMAP_VALGRIND=no         skip the valgrind part
#   GWMAP_KEEP=yes            keep the work directory (filled PROTOS cases, logs)
# Exit status: 0 all passed, 1 a failure, 77 suites not found (skip), 99 hard error.

set -u
export LC_ALL=C

script_dir=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$script_dir/../..}"
: "${top_builddir:=$PWD}"
SUITES=${GWMAP_SUITES:-$top_srcdir/../shared/suites}
GWMAP=${GWMAP:-$top_builddir/mapping/gwmap}
JOBS=${GWMAP_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
VG_SAMPLE=${GWMAP_VALGRIND_SAMPLE:-200}
VG_TIMEOUT=${GWMAP_VALGRIND_TIMEOUT:-60}
TIMEOUT=5
PROTOS_LIST="isup q931"

if [ ! -d "$SUITES" ]; then
	echo "########################################################################"
	echo "SKIP: ../shared/suites not found (looked for $SUITES)"
	echo "      clone the project with ../shared beside it to run this test"
	echo "########################################################################"
	exit 77
fi
PROTOS_DIR=$SUITES/protos-c07-sip/cases
RFC_DIR=$SUITES/rfc4475

hard_error() {
	echo "ERROR: $*" >&2
	exit 99
}
[ -x "$GWMAP" ] || hard_error "$GWMAP is not built (make mapping/gwmap)"
command -v perl >/dev/null 2>&1 || hard_error "perl not found (needed to fill the PROTOS templates)"
command -v timeout >/dev/null 2>&1 || hard_error "timeout (coreutils) not found"
case $JOBS in '' | *[!0-9]* | 0) JOBS=2 ;; esac
case $VG_SAMPLE in '' | *[!0-9]*) VG_SAMPLE=200 ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gwmap-suites.XXXXXX") || hard_error "mktemp failed"
failed=0
cleanup() {
	[ "$failed" -ne 0 ] || [ "${GWMAP_KEEP:-no}" = yes ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$WORK/protos" "$WORK/res" "$WORK/vg" || hard_error "cannot populate $WORK"
start=$SECONDS

# ---- RFC 4475 section of each message (the suite README names the sections, RFC 4475 the files) ----
RFC_VALID="wsinv intmeth esc01 escnull esc02 lwsdisp longreq dblreq semiuri transports mpart01
	unreason noreason"						# 3.1.1 valid messages
RFC_INVALID="badinv01 clerr ncl scalar02 scalarlg quotbal ltgtruri lwsruri lwsstart trws escruri
	baddate regbadct badaspec baddn badvers mismatch01 mismatch02 bigcode"	# 3.1.2 invalid messages
rfc_class() {
	local b=${1##*/}
	b=${b%.dat}
	case " $(echo $RFC_VALID) " in *" $b "*) echo valid; return ;; esac
	case " $(echo $RFC_INVALID) " in *" $b "*) echo invalid; return ;; esac
	echo other	# 3.2 transaction, 3.3 application, 3.4 backward compatibility
}

# ---- one batch of runs; each result is one line in a file of its own process ----
# record: mode TAB suite TAB proto TAB status TAB stderr-lines TAB stdout-ok TAB first-stderr-line TAB input
run_batch() {
	local mode=$1 suite=$2 f p st out=$WORK/res/${1%1}.$$ errf=$WORK/res/err.$$ outf=$WORK/res/out.$$
	local first okout line tag vglog pi=0
	local -a L PL=($PROTOS_LIST) protos
	shift 2
	for f in "$@"; do
		protos=("${PL[@]}")
		if [ "$mode" = vg1 ]; then
			# one protocol per case under valgrind, alternating: valgrind costs ~0.5 s a run
			protos=("${PL[pi % ${#PL[@]}]}")
			pi=$((pi + 1))
		fi
		for p in "${protos[@]}"; do
			if [ "$mode" = plain ]; then
				timeout -k 2 "$TIMEOUT" "$GWMAP" sip2tdm --proto "$p" "$f" >"$outf" 2>"$errf"
				st=$?
			else
				tag=${f##*/}
				vglog=$WORK/vg/$suite.${tag%.dat}.$p.log
				timeout -k 5 "$VG_TIMEOUT" valgrind --error-exitcode=99 --leak-check=full \
					--errors-for-leak-kinds=definite -q --log-file="$vglog" \
					"$GWMAP" sip2tdm --proto "$p" "$f" >"$outf" 2>"$errf"
				st=$?
			fi
			L=()
			mapfile -t L <"$errf"
			first=${L[0]:-}
			first=${first//[$'\t\r']/ }
			first=${first:0:240}
			okout=1
			if [ "$st" -eq 0 ]; then
				line=
				IFS= read -r line <"$outf"
				case $line in [a-z]*=*) ;; *) okout=0 ;; esac
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${mode%1}" "$suite" "$p" "$st" "${#L[@]}" \
				"$okout" "$first" "$f" >>"$out"
		done
	done
	rm -f "$errf" "$outf"
}
export -f run_batch
export WORK GWMAP TIMEOUT VG_TIMEOUT PROTOS_LIST

# run_all MODE SUITE FILE-LIST (one path per line)
run_all() {
	tr '\n' '\0' <"$3" | xargs -0 -r -n 32 -P "$JOBS" bash -c 'run_batch "$@"' run_batch "$1" "$2"
}

# ---- inputs ----
ls "$RFC_DIR"/*.dat >"$WORK/rfc.list" 2>/dev/null
n_rfc=$(wc -l <"$WORK/rfc.list")

# PROTOS: "<len> <INVITE template><len> <teardown template>"; keep the INVITE, fill the placeholders.
# Prints the cases gwmap will actually parse (no NUL byte, at most 64 KiB) for the valgrind sample.
fill_protos() {
	perl -e '
		use strict;
		my $out = shift;
		my %v = ("To" => "+15555552000\@127.0.0.1", "From" => "+15555551000\@127.0.0.1",
			 "From-Address" => "127.0.0.1", "From-IP" => "127.0.0.1", "Local-Port" => "5060",
			 "Branch-ID" => "c07sip", "CSeq" => "1", "Teardown-Method" => "CANCEL");
		my $bad = 0;
		while (my $f = <STDIN>) {
			chomp $f;
			(my $name = $f) =~ s{.*/}{};
			my $d;
			if (open(my $in, "<:raw", $f)) { local $/; $d = <$in>; close $in; }
			if (!defined $d || $d !~ /\A(\d+) / || length($d) < length($1) + 1 + $1) {
				print STDERR "$f: not a PROTOS case (<len> <template>...)\n";
				$bad++;
				next;
			}
			my $t = substr($d, length($1) + 1, $1);
			$t =~ s/<(To|From|From-Address|From-IP|Local-Port|Branch-ID|CSeq|Teardown-Method)>/$v{$1}/g;
			$t =~ s/<Call-ID>/c07sip-$name/g;
			my $i = index($t, "\r\n\r\n");
			my $cl = $i < 0 ? 0 : length($t) - $i - 4;
			$t =~ s/<Content-Length>/$cl/g;
			open(my $o, ">:raw", "$out/$name") or die "$out/$name: $!\n";
			print $o $t;
			close $o or die "$out/$name: $!\n";
			print "$out/$name\n" if $t !~ /\0/ && length($t) <= 65536;
		}
		exit($bad ? 1 : 0);
	' "$WORK/protos"
}
protos_ok=1
if [ -d "$PROTOS_DIR" ]; then
	ls "$PROTOS_DIR" | sed "s|^|$PROTOS_DIR/|" | fill_protos >"$WORK/parsed.list" 2>"$WORK/fill.err" || protos_ok=0
	ls "$WORK/protos" | sed "s|^|$WORK/protos/|" >"$WORK/protos.list"
else
	protos_ok=0
	echo "missing directory $PROTOS_DIR" >"$WORK/fill.err"
	: >"$WORK/protos.list"
	: >"$WORK/parsed.list"
fi
n_protos=$(wc -l <"$WORK/protos.list")

# ---- the runs ----
run_all plain rfc4475 "$WORK/rfc.list"
run_all plain protos "$WORK/protos.list"

vg_note=
if [ "${GWMAP_VALGRIND:-yes}" = no ]; then
	vg_note="valgrind part skipped (GWMAP_VALGRIND=no)"
elif ! command -v valgrind >/dev/null 2>&1; then
	vg_note="valgrind not installed"
elif grep -q -a __asan_init "$GWMAP" 2>/dev/null; then
	vg_note="$GWMAP is built with AddressSanitizer, which cannot run under valgrind"
elif timeout -k 5 "$VG_TIMEOUT" valgrind -q --error-exitcode=99 --log-file="$WORK/vg/probe.log" \
	"$GWMAP" --version >/dev/null 2>&1; vg_st=$?; [ "$vg_st" -ne 0 ] && [ "$vg_st" -ne 99 ]; then
	# valgrind itself cannot run this binary (e.g. debug info it cannot read): an environment limit
	vg_note="valgrind cannot run $GWMAP --version (status $vg_st): $(grep -v '^###' "$WORK/vg/probe.log" |
		sed -n 's/^==[0-9]*== //p' | grep . | head -3 | tr '\n' ' ')"
else
	if [ "$vg_st" -eq 99 ]; then
		echo "valgrind found errors in: $GWMAP --version" >"$WORK/vgprobe"
		sed 's/^/#   /' "$WORK/vg/probe.log" | head -25 >>"$WORK/vgprobe"
	fi
	# the sample: evenly spread over the cases gwmap parses, so every group is represented
	awk -v n="$VG_SAMPLE" '{ l[NR] = $0 }
		END { if (n > NR) n = NR; for (k = 0; k < n; k++) print l[int(k * NR / n) + 1] }' \
		"$WORK/parsed.list" >"$WORK/vg-protos.list"
	run_all vg1 protos "$WORK/vg-protos.list"
	run_all vg1 rfc4475 "$WORK/rfc.list"
fi
if [ -n "$vg_note" ]; then
	echo "########################################################################"
	echo "SKIP valgrind part: $vg_note"
	echo "########################################################################"
fi

# ---- verdicts ----
cat "$WORK"/res/plain.* "$WORK"/res/vg.* 2>/dev/null >"$WORK/results"
# RFC 4475 classes, for the summary
while read -r f; do
	printf '%s\t%s\n' "$f" "$(rfc_class "$f")"
done <"$WORK/rfc.list" >"$WORK/rfc.class"

awk -F'\t' -v gwmap="$GWMAP" -v tmo="$TIMEOUT" -v vgtmo="$VG_TIMEOUT" -v classes="$WORK/rfc.class" \
	-v n_rfc="$n_rfc" -v n_protos="$n_protos" -v protos_ok="$protos_ok" -v fillerr="$WORK/fill.err" \
	-v protos_valid="$WORK/protos/0000000" -v protos_dir="$PROTOS_DIR" \
	-v vgprobe="$WORK/vgprobe" '
function signame(s) {
	return s == 1 ? "SIGHUP" : s == 2 ? "SIGINT" : s == 4 ? "SIGILL" : s == 5 ? "SIGTRAP" : \
	       s == 6 ? "SIGABRT" : s == 7 ? "SIGBUS" : s == 8 ? "SIGFPE" : s == 9 ? "SIGKILL" : \
	       s == 11 ? "SIGSEGV" : s == 13 ? "SIGPIPE" : s == 15 ? "SIGTERM" : "signal " s
}
function why(st, mode) {
	if (st == 124) return "hang: killed by timeout after " (mode == "vg" ? vgtmo : tmo) " s"
	if (st == 99 && mode == "vg") return "valgrind reported errors or a definite leak"
	if (st == 125 || st == 126 || st == 127) return "could not run (status " st ")"
	if (st > 128) return "crash: " signame(st - 128) " (status " st ")"
	return "exit status " st " (expected 0 or 2)"
}
function fail(msg) {
	nfail++
	printf "not ok %d - %s\n", nfail, msg
}
BEGIN {
	while ((getline line < classes) > 0) { split(line, a, "\t"); class[a[1]] = a[2] }
	if ((getline line < vgprobe) > 0) {
		fail(line)
		while ((getline line < vgprobe) > 0) print line
	}
	if (!protos_ok) {
		while ((getline line < fillerr) > 0) fail("PROTOS input: " line)
	}
}
{
	mode = $1; suite = $2; p = $3; st = $4 + 0; nl = $5 + 0; okout = $6; first = $7; f = $8
	cmd = (mode == "vg" ? "valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q " : \
	       "timeout " tmo " ") gwmap " sip2tdm --proto " p " " f
	runs[mode]++
	bad = ""
	if (st != 0 && st != 2)
		bad = why(st, mode)
	else if (st == 2 && nl != 1)
		bad = "exit 2 with " nl " lines on stderr (expected exactly one)"
	else if (st == 0 && !okout)
		bad = "exit 0 without key=value lines on stdout"
	if (mode == "plain" && f == protos_valid && st != 0)
		bad = bad (bad ? "; " : "") "the valid PROTOS case was not mapped (exit " st ": " first ")"
	if (bad != "") {
		fail(suite " " f " --proto " p " [" (mode == "vg" ? "valgrind" : "plain") "]: " bad)
		print "#   reproduce: " cmd
		if (suite == "protos") {
			c = f; sub(/.*\//, "", c)
			print "#   input: the INVITE template of " protos_dir "/" c ", placeholders filled"
		}
		if (first != "") print "#   stderr: " first
		if (mode == "vg" && st != 0 && st != 2) {
			vglog = f; sub(/.*\//, "", vglog); sub(/\.dat$/, "", vglog)
			vglog = ENVIRON["WORK"] "/vg/" suite "." vglog "." p ".log"
			n = 0
			while ((getline line < vglog) > 0 && n < 25) { print "#   " line; n++ }
			close(vglog)
		}
	} else {
		npass++
	}
	if (mode == "plain") {
		count[suite, p, st]++
		if (suite == "rfc4475") rfc[class[f], p, st]++
		if (suite == "protos" && f == protos_valid) seen_valid[p] = 1
	}
}
END {
	split("isup q931", P, " ")
	if (n_protos > 0 && protos_ok)
		for (i = 1; i <= 2; i++)
			if (!(P[i] in seen_valid)) fail("PROTOS valid case 0000000 was not run with --proto " P[i])
	if (runs["plain"] != 2 * (n_rfc + n_protos))
		fail("expected " 2 * (n_rfc + n_protos) " plain runs, got " runs["plain"] + 0)
	print "# RFC 4475: " n_rfc " messages x 2 protocols"
	for (i = 1; i <= 2; i++) {
		p = P[i]
		printf "#   --proto %-4s valid (3.1.1): %d mapped (exit 0), %d rejected (exit 2);", p,
			rfc["valid", p, 0], rfc["valid", p, 2]
		printf " invalid (3.1.2): %d mapped, %d rejected;", rfc["invalid", p, 0], rfc["invalid", p, 2]
		printf " other (3.2-3.4): %d mapped, %d rejected\n", rfc["other", p, 0], rfc["other", p, 2]
	}
	print "# PROTOS c07-sip: " n_protos " INVITE cases x 2 protocols"
	for (i = 1; i <= 2; i++)
		printf "#   --proto %-4s %d mapped (exit 0), %d rejected (exit 2)\n", P[i],
			count["protos", P[i], 0], count["protos", P[i], 2]
	printf "# valgrind runs: %d\n", runs["vg"]
	printf "%d passed, %d failed\n", npass, nfail > tally
	exit(nfail ? 1 : 0)
}' tally="$WORK/tally" "$WORK/results"
rc=$?
echo "# time: $((SECONDS - start)) s"
if [ "$rc" -ne 0 ] || [ ! -s "$WORK/tally" ]; then
	failed=1
	echo "# work directory kept: $WORK (filled PROTOS cases, valgrind logs)"
	cat "$WORK/tally" 2>/dev/null || echo "0 passed, 1 failed"
	exit 1
fi
[ "${GWMAP_KEEP:-no}" = yes ] && echo "# work directory kept: $WORK"
cat "$WORK/tally"
exit 0
