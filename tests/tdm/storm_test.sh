#!/bin/sh
# storm_test.sh - the call storm of call_test under valgrind: every call placed, answered and
# released over the ISUP and PRI loopback pairs, and afterwards no call, no busy circuit and no
# leaked or invalid memory (valgrind --error-exitcode).  STORM_CALLS sets the number of calls
# (10,000 by default).  Skipped (77) without valgrind.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
STORM_CALLS=${STORM_CALLS:-10000}
export STORM_CALLS
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed (apt-get install valgrind)"
	exit 77
fi
start=$(date +%s)
valgrind -q --suppressions="$top_srcdir/tests/tdm/valgrind.supp" --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=9 "$top_builddir/tests/tdm/call_test" storm
rc=$?
echo "# storm of $STORM_CALLS calls under valgrind: exit $rc in $(( $(date +%s) - start )) s"
exit $rc
