#!/bin/bash
# gwd_guest.sh - gwd on real DAHDI spans, run by tests/tdm/qemu/run.sh inside the qemu guest after
# dahdi_cfg has set up conf/dahdi/system.conf (two dahdi_dynamic_loc pairs).
#
#   round trip  gwd on conf/dahdi/gateway.conf (certificates and traces of this test): an RFC 4458 INVITE
#               with Ms-Sensitivity and Ms-Exchange-Command from a trusted TLS peer enters gwd, crosses
#               isup-a -> isup-b (IAM) and pri-net -> pri-cpe (QSIG SETUP) on the real spans and reaches
#               the UM server (TLS) with the same target, cause and headers; traces go to OUT for tshark
#   media       a 1004 Hz tone each way across the real B-channels of both pairs (media_peer.py dahdi)
#   alarm       the same file split in two gwd processes: "a" without pri-cpe, "b" with only pri-cpe.
#               With a call up across pri-net, b dies and its span 2:1 is destroyed: gwd a sees pri-net in
#               alarm, releases the call (BYE, Reason Q.850 cause 38) and keeps ISUP working; the span is
#               created again, b restarts, and a new call crosses pri-net
#
# Environment (set by run.sh): top_srcdir, top_builddir, SMOKE (dahdi_smoke: span-destroy/span-create),
# OUT (results: gwd/ gets this test's work directory).  Prints "ok:"/"FAIL:" lines, "N passed, N failed".
set -u
. "$top_srcdir/tests/gw/gwdlib.sh"

ISUP_PILOT=+15550012000	# conf/dahdi/gateway.conf: route via-isup
PRI_PILOT=+15550022000	# route via-pri
GW_TLS=5061
UM_TLS=5071
B_SIP=5062		# gwd b's own SIP ports (the UM is the same)
MEDIA_UM=5072 MEDIA_CALLER=5073 MEDIA_RTP=6000	# tests/gw/media_peer.py

# the work directory (logs, configs, traces) goes back to the host through OUT
guest_copy() {
	mkdir -p "$OUT/gwd" && cp -a "$WORK"/. "$OUT/gwd/" 2> /dev/null
}
FINISH_HOOK=guest_copy

# ms since the epoch, without a fork (forks are slow in an emulated guest)
ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# until_ok SECONDS CMD...: CMD succeeds within SECONDS (a deadline: emulated forks are slow)
until_ok() {
	local end=$((SECONDS + $1))

	shift
	while [ $SECONDS -le $end ]; do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# span_is GWD SPAN LINK ALARM: "show spans" has SPAN with link LINK (up/down) and alarm ALARM (alarm/-)
span_is() {
	gwctl "$1" show spans 2> /dev/null |
		awk -v s="$2" -v l="$3" -v a="$4" '$1 == s && $5 == l && $6 == a { f = 1 } END { exit !f }'
}

no_calls() { gwctl "$1" show calls 2> /dev/null | grep -q "no calls"; }

# conf FILE TRACE-SUFFIX: conf/dahdi/gateway.conf with the test certificates and a trace per span, and a
# UDP UM for media_peer.py's calls (+15550012001 over ISUP, +15550022001 over QSIG)
conf() {
	# the emulated guest delivers packets in bursts: a jitter buffer that starts deeper (80 ms)
	sed -e "s|/etc/gateway/tls/|$CERTS/|" -e 's|^\[sip\]$|[sip]\njitter-min = 80|' "$top_srcdir/conf/dahdi/gateway.conf" |
		awk -v w="$WORK" -v sfx="$2" '{ print } /^\[span [^]]*\]/ { n = $2; sub(/\]/, "", n);
			print "trace = " w "/" n sfx ".pcap" }' > "$1"
	printf '\n[peer um-rtp]\nhost = 127.0.0.1\nport = %s\num = yes\n\n' $MEDIA_UM >> "$1"
	printf '[route media-isup]\nfrom = tdm\nprefix = 15550012001\nto = um-rtp\n\n' >> "$1"
	printf '[route media-qsig]\nfrom = tdm\nprefix = 15550022001\nto = um-rtp\n' >> "$1"
}

# sections FILE REGEX: the sections of FILE whose header matches REGEX ("[span pri-cpe]" ...)
sections() {
	awk -v re="$2" '/^\[/ { keep = ($0 ~ re) } keep' "$1"
}

# made on the host by run.sh (key generation is slow in an emulated guest); else here
[ -f "${GUEST_CERTS:-}/ca.pem" ] && cp -a "$GUEST_CERTS" "$CERTS"
certs
conf "$WORK/gateway.conf" ""
check "gwd -t accepts conf/dahdi/gateway.conf" "$GWD" -t -c "$WORK/gateway.conf"

# ---- the round trip over ISUP and QSIG ----
t0=$(ms)
start_gwd gw "$WORK/gateway.conf" || exit 1
echo "# gwd: four DAHDI spans open, every link up in $(($(ms) - t0)) ms"
gwctl gw show spans | tee "$WORK/spans.txt"
for s in isup-a isup-b pri-net pri-cpe; do
	expect_in "$WORK/spans.txt" "^$s +[^ ]+ +(isup|pri) +dahdi +up +- +23 +23 " "span $s: DAHDI backend, link up, no alarm, 23 circuits idle"
done
serve um tls $UM_TLS --require-client-cert
sleep 0.3

UMH=('Ms-Sensitivity: private-no-diversion' 'Ms-Exchange-Command: skip-pin' 'P-Asserted-Identity: <tel:+15555551000>')
# pilot target cause label
round_trip() {
	local pilot=$1 target=$2 cause=$3 what=$4 f n

	n=$(invites um)
	invite "$WORK/$what.sip" "$pilot" "tel:$target" "$cause" "${UMH[@]}"
	check "$what: RFC 4458 INVITE (target $target, cause $cause) through gwd -> 200" \
		call tls $GW_TLS "$WORK/$what.sip" --expect 200 --timeout 30000
	f=$(last_invite um)
	if [ "$(invites um)" -le "$n" ]; then
		bad "$what: no INVITE reached the UM"
		return
	fi
	expect_in "$f" "^INVITE sip:\\$pilot@127.0.0.1:[0-9]+;user=phone;target=tel:\\$target;cause=${cause}[ ;]" \
		"$what: the UM got the pilot, target $target and cause $cause"
	expect_in "$f" '^Ms-Sensitivity: private-no-diversion' "$what: Ms-Sensitivity crossed the DAHDI span"
	expect_in "$f" '^Ms-Exchange-Command: skip-pin' "$what: skip-pin crossed (trusted TLS at both ends)"
}
round_trip $ISUP_PILOT +15555551002 486 isup
round_trip $PRI_PILOT +15555551003 408 pri

# the tone across the real B-channels (tests/gw/media_peer.py: its own RTP, G.711 and measurements)
timeout 120 python3 "$top_srcdir/tests/gw/media_peer.py" 5060 $MEDIA_CALLER $MEDIA_UM $MEDIA_RTP dahdi \
	> "$WORK/media.log" 2>&1
mrc=$?
while read -r l; do
	case "$l" in
	ok:*) ok "${l#ok: }" ;;
	FAIL:*) bad "${l#FAIL: }" ;;
	'#'*) echo "$l" ;;
	esac
done < "$WORK/media.log"
grep -q '^media_peer: [0-9]* passed, 0 failed' "$WORK/media.log" && [ $mrc -eq 0 ] ||
	bad "media_peer.py ended badly (status $mrc): $(grep -E 'Traceback|Error' "$WORK/media.log" | head -2 | tr '\n' ' ')"
check "gwd: no call left, every circuit idle" idle gw
gwctl gw show stats > "$WORK/stats.txt" 2>&1
kill -TERM "$GWD_PID_gw"
wait "$GWD_PID_gw" 2> /dev/null
expect_in "$WORK/gw.log" 'isup-a' "gwd log names the spans"

# ---- span alarm: pri-cpe's span destroyed under a call, created again ----
conf "$WORK/alarm.conf" "-alarm"
sections "$WORK/alarm.conf" '^\[(span (isup-a|isup-b|pri-net)|gw|sip|peer|route)' > "$WORK/a.conf"
sections "$WORK/alarm.conf" '^\[(span pri-cpe|gw|sip|peer um|route to-um)' |
	sed -E -e "s#^(udp|tcp) = 127.0.0.1:5060#\1 = 127.0.0.1:$B_SIP#" -e "s#^tls = 127.0.0.1:$GW_TLS#tls = 127.0.0.1:$((B_SIP + 1))#" \
		> "$WORK/b.conf"
check "gwd -t accepts a.conf (no pri-cpe)" "$GWD" -t -c "$WORK/a.conf"
check "gwd -t accepts b.conf (pri-cpe only)" "$GWD" -t -c "$WORK/b.conf"
"$GWD" -f -c "$WORK/b.conf" -s "$WORK/b.ctl" -l info > "$WORK/b.log" 2>&1 &
GWD_PID_b=$!
PIDS="$PIDS $!"
start_gwd a "$WORK/a.conf" || exit 1
wait_links b || exit 1

n=$(invites um)
invite "$WORK/alarm.sip" "$PRI_PILOT" "tel:+15555551003" 302
"$SIPUA" call --proto tls --to 127.0.0.1:$GW_TLS --file "$WORK/alarm.sip" --cert "$CERTS/pbx.pem" \
	--key "$CERTS/pbx.key" --ca "$CERTS/ca.pem" --name gw.test --timeout 60000 --bye-after 50000 \
	--out "$WORK/alarm.out" > "$WORK/alarm-call.log" 2>&1 &
CALLER=$!
PIDS="$PIDS $CALLER"
if until_ok 20 grep -q '^SIP/2.0 200' "$WORK/alarm-call.log"; then ok "alarm: a call across pri-net is answered"; else
	bad "alarm: the call across pri-net was not answered"; fi
kill -9 "$GWD_PID_b"
wait "$GWD_PID_b" 2> /dev/null
t0=$(ms)
check "alarm: gwd b killed, its span 2:1 destroyed" until_ok 5 "$SMOKE" span-destroy 2:1
if until_ok 10 span_is a pri-net down alarm; then
	ok "alarm: gwd a shows pri-net in alarm after $(($(ms) - t0)) ms"
else
	bad "alarm: pri-net not in alarm within 10 s"
fi
if until_ok 10 grep -q 'bye received' "$WORK/alarm-call.log"; then
	ok "alarm: the caller got a BYE after $(($(ms) - t0)) ms"
else
	bad "alarm: no BYE for the call on the span in alarm"
fi
expect_in "$WORK/alarm.out" '^Reason: Q\.850;cause=38' "alarm: the BYE says Q.850 cause 38 (network out of order)"
check "alarm: gwd a has no call left" until_ok 5 no_calls a
expect_in "$WORK/a.log" 'span pri-net: alarm \(line down\)' "alarm: gwd a logs the alarm on pri-net"
gwctl a show spans | tee "$WORK/spans-alarm.txt"
expect_in "$WORK/spans-alarm.txt" '^pri-net +[^ ]+ +pri +dahdi +down +alarm ' "alarm: show spans: pri-net link down, alarm"
expect_in "$WORK/spans-alarm.txt" '^isup-a +[^ ]+ +isup +dahdi +up +- ' "alarm: show spans: isup-a unaffected"
invite "$WORK/during.sip" "$PRI_PILOT" "tel:+15555551003" 302
call tls $GW_TLS "$WORK/during.sip" --timeout 20000 > "$WORK/during.log" 2>&1
expect_in "$WORK/during.log" '^final [45][0-9][0-9]' "alarm: a new call toward pri-net is refused at once"
round_trip $ISUP_PILOT +15555551002 486 alarm-isup

t0=$(ms)
check "recovery: span 2:1 created again, channels 73-96 configured" "$SMOKE" span-create 2:1
if until_ok 10 span_is a pri-net down -; then
	ok "recovery: pri-net alarm cleared after $(($(ms) - t0)) ms"
else
	bad "recovery: pri-net still in alarm after 10 s"
fi
expect_in "$WORK/a.log" 'span pri-net: alarm cleared' "recovery: gwd a logs the alarm cleared"
t0=$(ms)
start_gwd b2 "$WORK/b.conf" || exit 1
wait_links a || exit 1
echo "# recovery: gwd b restarted, pri-net link up again in $(($(ms) - t0)) ms"
round_trip $PRI_PILOT +15555551003 408 recovered-pri
check "gwd a: no call left, every circuit idle" idle a
check "gwd b: no call left, every circuit idle" idle b2
