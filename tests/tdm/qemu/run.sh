#!/bin/bash
# run.sh - the real DAHDI tier (`make check-dahdi`, run by ./quickstart check): a Debian kernel with
# DAHDI's own driver boots in qemu (software emulation: no /dev/kvm needed, no module loaded on this
# host); dahdi_dynamic_loc joins two pairs of dynamic spans back to back (conf/dahdi/system.conf), and
# in the guest, on the real DAHDI backend (dahdi/span_dahdi.c):
#   - tests/tdm/qemu/dahdi_smoke: calls with redirection over the ISUP pair and the QSIG pair, B-channel
#     data, channel opening, the red alarm of a destroyed peer span (the span layer and TDM core alone);
#   - tests/tdm/qemu/gwd_guest.sh: gwd on conf/dahdi/gateway.conf, the RFC 4458 round trip with the
#     [MS-OCEXUM] headers over ISUP and QSIG, a span taken down under a call and brought back;
# then tshark decodes the span traces on this host.
#
# Steps (the failing one is named on exit, status 1): tools, download, build, boot, dahdi_cfg, call,
# gwd, decode.  Exit 77 (SKIP, with the reason) only when the package archive cannot be reached in
# the download step.  Needs root (or sudo) for apt-get when a tool is missing or the package lists
# are stale.  About 75 s with a warm cache, 2 min cold.
#
#   tests/tdm/qemu/run.sh                 # everything; prints the guest's output and the decodes
#
# Environment:
#   QEMU_CACHE   downloads, unpacked packages, built modules (default ~/.cache/gw-qemu); a .deb is
#                downloaded again only when its SHA256 differs from the archive's
#   BUILD_DIR    the project's build directory (default $QEMU_CACHE/build); configured and built
#                here when it has no dahdi/libtdm.a
#   OUT          results (default $QEMU_CACHE/out): console.log, guest.log, smoke.log, gwd.log, the
#                traces (gwd's in gwd/, with its configs and logs), decode.log
#   QEMU_TIMEOUT seconds for the whole guest run (default 600)
#   SMOKE_ARGS   arguments for dahdi_smoke (default: all of it)
#
# Guest layout: a busybox initramfs mounts the host's / read-only over virtio-9p (tag hostroot)
# and OUT read-write (tag results) at the same path, loads dahdi (auto_assign_spans=1),
# dahdi_dynamic and dahdi_dynamic_loc, chroots into the host root and runs $OUT/guest.sh there:
# dahdi_cfg -c conf/dahdi/system.conf (loc keys 1:0/1:1 and 2:0/2:1, 24 channels each), dahdi_smoke,
# gwd_guest.sh.  Results come back through OUT.
set -u
set -o pipefail

SRC=$(cd "$(dirname "$0")/../../.." && pwd)
CACHE=${QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gw-qemu}
BUILD=${BUILD_DIR:-$CACHE/build}
OUT=${OUT:-$CACHE/out}
TMO=${QEMU_TIMEOUT:-600}
STEP=tools

fail()
{
	echo "FAIL: step $STEP: $*" >&2
	exit 1
}

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- tools ----
need_pkgs=
command -v qemu-system-x86_64 >/dev/null || need_pkgs="$need_pkgs qemu-system-x86"
file -L "$(command -v busybox 2>/dev/null || echo /nonexistent)" 2>/dev/null | grep -q 'statically linked' ||
	need_pkgs="$need_pkgs busybox-static"
command -v tshark >/dev/null || need_pkgs="$need_pkgs tshark"
if [ -n "$need_pkgs" ]; then
	echo "# installing$need_pkgs"
	apt-get install -y --no-install-recommends $need_pkgs >/dev/null || fail "apt-get install$need_pkgs"
fi
BUSYBOX=$(command -v busybox)
mkdir -p "$CACHE" "$OUT" || fail "cannot create $CACHE or $OUT"
CACHE=$(cd "$CACHE" && pwd)
OUT=$(cd "$OUT" && pwd)
rm -rf "${OUT:?}"/*

# ---- download: the kernel, its headers, DAHDI's source and tools; cached by checksum ----
# An archive that cannot be reached makes the tier SKIP (exit 77); any other failure fails it.
STEP=download
t0=$(now)
skip()
{
	echo "SKIP: step download: $* - the real DAHDI tier did not run" >&2
	exit 77
}
# apt's errors that mean "no network / no archive", not a bad package
UNREACHABLE='Could not resolve|Temporary failure|Failed to fetch.*(Could not connect|Connection|timed out|No route)|Network is unreachable|Unable to connect|Cannot initiate the connection'
apt_update()
{
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "# apt-get update (package lists missing or out of date)"
	if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q > "$CACHE/apt-update.log" 2>&1 ||
		grep -qE "$UNREACHABLE|^(W|E): Failed to fetch" "$CACHE/apt-update.log"; then
		grep -qE "$UNREACHABLE" "$CACHE/apt-update.log" &&
			skip "package archive unreachable: $(grep -m1 -E "$UNREACHABLE" "$CACHE/apt-update.log")"
		fail "apt-get update (see $CACHE/apt-update.log)"
	fi
}
kernel_abi()
{
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { sub(/.*linux-image-/, ""); print; exit }'
}
# every package into the cache; 0, or 1 when the lists are stale (a package or file the archive no longer has)
fetch_all()
{
	local p info sha deb got
	DEBS=
	sums=
	for p in $PKGS; do
		info=$(apt-cache show --no-all-versions "$p" 2>/dev/null) || return 1
		sha=$(echo "$info" | awk '/^SHA256:/ { print $2; exit }')
		deb="$CACHE/$(basename "$(echo "$info" | awk '/^Filename:/ { print $2; exit }')")"
		if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --status; then
			if ! (cd "$CACHE" && apt-get download "$p" > "$CACHE/apt-download.log" 2>&1); then
				grep -qE "$UNREACHABLE" "$CACHE/apt-download.log" &&
					skip "package archive unreachable: $(grep -m1 -E "$UNREACHABLE" "$CACHE/apt-download.log")"
				return 1
			fi
			# apt-get names the file with the epoch escaped (%3a), the archive's Filename does not
			got=$(ls -t "$CACHE"/"${p}"_*.deb 2>/dev/null | head -1)
			[ -n "$got" ] && [ "$got" != "$deb" ] && mv -f "$got" "$deb"
			echo "$sha  $deb" | sha256sum -c --status || fail "$p: checksum mismatch"
		fi
		DEBS="$DEBS $deb"
		sums="$sums$sha "
	done
}
for attempt in 1 2; do
	ABI=$(kernel_abi)
	MM=$(echo "$ABI" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	PKGS="linux-image-$ABI linux-headers-$ABI linux-headers-${ABI%-amd64}-common linux-kbuild-$MM dahdi-dkms dahdi
libtonezone2.0"
	[ -n "$ABI" ] && fetch_all && break
	[ $attempt = 1 ] || fail "packages: ${ABI:-no kernel ABI from 'apt-cache depends linux-image-amd64'}; $(tail -1 "$CACHE/apt-download.log" 2>/dev/null)"
	apt_update
done
echo "# download: kernel $ABI and DAHDI packages ready in $(took "$t0") s"

# ---- build: unpack, the three modules, dahdi_smoke ----
STEP=build
t0=$(now)
ROOT=$CACHE/root-$ABI
if [ "$(cat "$ROOT/.stamp" 2>/dev/null)" != "$sums" ]; then
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	for d in $DEBS; do
		dpkg -x "$d" "$ROOT" || fail "dpkg -x $d"
	done
	# the headers' Makefile includes the -common tree by absolute path
	sed -i "s|include /usr/src/|include $ROOT/usr/src/|" "$ROOT/usr/src/linux-headers-$ABI/Makefile"
	echo "$sums" > "$ROOT/.stamp"
fi
DSRC=$(ls -d "$ROOT"/usr/src/dahdi-* | head -1)
KO=$DSRC/drivers/dahdi
if [ ! -f "$KO/dahdi_dynamic_loc.ko" ]; then
	make -C "$DSRC" KSRC="$ROOT/usr/src/linux-headers-$ABI" KVERS="$ABI" modules DAHDI_BUILD_ALL= \
		CONFIG_DAHDI=m CONFIG_DAHDI_DYNAMIC=m CONFIG_DAHDI_DYNAMIC_LOC=m > "$CACHE/modules.log" 2>&1 ||
		fail "module build (see $CACHE/modules.log)"
fi
tm=$(took "$t0")
if [ ! -f "$BUILD/dahdi/libtdm.a" ]; then
	mkdir -p "$BUILD" && (cd "$BUILD" && "$SRC/configure" --enable-werror >/dev/null && make -j4 >/dev/null) ||
		fail "project build in $BUILD"
else
	make -C "$BUILD" -j4 >/dev/null || fail "project build in $BUILD"
fi
SMOKE=$BUILD/tests/tdm/qemu/dahdi_smoke
mkdir -p "$(dirname "$SMOKE")"
gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wmissing-prototypes -Werror \
	-I"$SRC/mapping" -I"$SRC/dahdi" -I"$SRC/tests/mapping" -I"$SRC/tests/tdm" -I"$BUILD" \
	-DTOP_SRCDIR="\"$SRC\"" -DTOP_BUILDDIR="\"$BUILD\"" \
	-o "$SMOKE" "$SRC/tests/tdm/qemu/dahdi_smoke.c" "$SRC/tests/tdm/harness.c" "$SRC/tests/mapping/testlib.c" \
	"$BUILD/dahdi/libtdm.a" "$BUILD/mapping/libmapping.a" -losip2 -losipparser2 -lpri -lss7 ||
	fail "dahdi_smoke build"
echo "# build: modules in $tm s, dahdi_smoke in $(took "$t0") s in all"

# ---- the initramfs: busybox, the virtio/9p modules, /init ----
MODDIR=$ROOT/lib/modules/$ABI
INITRD=$CACHE/initrd-$ABI.gz
IR=$(mktemp -d)
trap 'rm -rf "$IR"' EXIT
mkdir -p "$IR"/bin "$IR"/mod "$IR"/proc "$IR"/sys "$IR"/dev "$IR"/host
cp "$BUSYBOX" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"
# modules in load order, their dependencies first
modlist=
addmod()
{
	local f dep
	f=$(find "$MODDIR/kernel" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -1)
	[ -n "$f" ] || fail "module $1 not in the kernel package"
	case " $modlist " in *" $(basename "$f" .ko) "*) return ;; esac
	# the .modinfo section: NUL-separated key=value strings
	for dep in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | head -1 | tr , ' '); do
		addmod "$dep"
	done
	cp "$f" "$IR/mod/"
	modlist="$modlist $(basename "$f" .ko)"
}
for m in virtio_pci 9pnet_virtio 9p; do
	addmod "$m"
done
cat > "$IR/init" <<EOF
#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in$modlist; do insmod /mod/\$m.ko || echo "guest: insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || echo "guest: mount hostroot failed"
mount -t 9p -o trans=virtio,version=9p2000.L,rw results /host$OUT || echo "guest: mount results failed"
for m in dahdi dahdi_dynamic dahdi_dynamic_loc; do
	p=; [ \$m = dahdi ] && p=auto_assign_spans=1
	insmod /host$KO/\$m.ko \$p || echo "guest: insmod \$m failed"
done
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/shm /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t tmpfs tmpfs /host/run
ifconfig lo 127.0.0.1 up
echo "guest: up after \$(cut -d' ' -f1 /proc/uptime) s"
chroot /host /bin/sh $OUT/guest.sh > /host$OUT/guest.log 2>&1
echo "guest: done after \$(cut -d' ' -f1 /proc/uptime) s (guest.sh exit \$?)"
dmesg > /host$OUT/dmesg.log
sync
umount /host$OUT
poweroff -f
EOF
chmod 755 "$IR/init"
(cd "$IR" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 > "$INITRD") || fail "initramfs"

# ---- what the guest runs, inside the host's root ----
# gwd_guest.sh's test certificates (key generation takes half a minute in the emulated guest)
sh "$SRC/tests/gw/mkcerts.sh" "$OUT/certs" > "$OUT/mkcerts.log" 2>&1 || fail "test certificates (see $OUT/mkcerts.log)"
# conf/dahdi/system.conf: loc 1:0 <-> 1:1 (ISUP), 2:0 <-> 2:1 (PRI), 24 channels each
cp "$SRC/conf/dahdi/system.conf" "$OUT/system.conf" || fail "conf/dahdi/system.conf"
cat > "$OUT/guest.sh" <<EOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu
export TMPDIR=/dev/shm	# the host's /tmp is read-only here (and may hold OUT or the cache)
cd $OUT
t0=\$(date +%s.%N)
$ROOT/usr/sbin/dahdi_cfg -c $OUT/system.conf -v > dahdi_cfg.log 2>&1
echo \$? > dahdi_cfg.rc
grep -v -i "echocan" dahdi_cfg.log | grep -v "^$"
ls /dev/dahdi
echo "# dahdi_cfg in \$(awk -v a=\$t0 -v b=\$(date +%s.%N) 'BEGIN { printf "%.1f", b - a }') s"
t0=\$(date +%s.%N)
DAHDI_SMOKE_OUT=$OUT DAHDI_SMOKE_CFG="$ROOT/usr/sbin/dahdi_cfg -c $OUT/system.conf" \
	$SMOKE ${SMOKE_ARGS:-} > smoke.log 2>&1
echo \$? > smoke.rc
echo "# dahdi_smoke in \$(awk -v a=\$t0 -v b=\$(date +%s.%N) 'BEGIN { printf "%.1f", b - a }') s"
t0=\$(date +%s.%N)
top_srcdir=$SRC top_builddir=$BUILD SMOKE=$SMOKE OUT=$OUT GUEST_CERTS=$OUT/certs LINK_WAIT=60 KEEP=1 TSHARK= \
	bash $SRC/tests/tdm/qemu/gwd_guest.sh > gwd.log 2>&1
echo \$? > gwd.rc
echo "# gwd on DAHDI spans in \$(awk -v a=\$t0 -v b=\$(date +%s.%N) 'BEGIN { printf "%.1f", b - a }') s"
EOF

# ---- boot ----
STEP=boot
t0=$(now)
timeout "$TMO" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot -net none \
	-kernel "$ROOT/boot/vmlinuz-$ABI" -initrd "$INITRD" -append 'console=ttyS0 panic=-1 quiet' \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$OUT",mount_tag=results,security_model=none,multidevs=remap \
	< /dev/null > "$OUT/console.log" 2>&1
qrc=$?
echo "# guest ran $(took "$t0") s (qemu exit $qrc)"
sed -n '/^guest:/p' "$OUT/console.log"
[ $qrc -eq 124 ] && fail "qemu timed out after $TMO s (see $OUT/console.log)"
[ -f "$OUT/guest.log" ] || fail "the guest did not run guest.sh (see $OUT/console.log)"
echo "---- guest.log"
cat "$OUT/guest.log"

STEP=dahdi_cfg
[ "$(cat "$OUT/dahdi_cfg.rc" 2>/dev/null)" = 0 ] || fail "dahdi_cfg failed (see $OUT/dahdi_cfg.log)"

STEP=call
echo "---- smoke.log"
cat "$OUT/smoke.log" 2>/dev/null
smoke_rc=$(cat "$OUT/smoke.rc" 2>/dev/null || echo none)

# ---- decode the traces independently ----
STEP=decode
decode_fail=
: > "$OUT/decode.log"
field()
{
	# field FILE FILTER FIELDS...: the values, one message a line
	local f=$1 flt=$2
	shift 2
	tshark -o 'q932.facility_encoding:Dissect facility as QSIG' -r "$f" -Y "$flt" -T fields \
		$(for x in "$@"; do printf -- '-e %s ' "$x"; done) 2>/dev/null
}
for f in "$OUT"/isup-*.pcap; do
	[ -f "$f" ] || { decode_fail="$decode_fail no-isup-trace"; break; }
	echo "---- $(basename "$f"): IAM"
	out=$(field "$f" 'isup.message_type == 1' isup.called isup.redirecting \
		isup.original_called_number isup.redirection_reason isup.redirection_counter \
		isup.call_to_be_diverted_ind)
	echo "$out"
	if echo "$out" | grep -q 2125550100; then echo "ok: tshark: $(basename "$f"): IAM redirecting number" >> "$OUT/decode.log"
	else echo "FAIL: tshark: $(basename "$f"): IAM redirecting number" >> "$OUT/decode.log"
		decode_fail="$decode_fail $(basename "$f"):redirecting"; fi
done
for f in "$OUT"/pri-*.pcap; do
	[ -f "$f" ] || { decode_fail="$decode_fail no-pri-trace"; break; }
	echo "---- $(basename "$f"): SETUP"
	out=$(field "$f" 'q931.message_type == 0x05' q931.called_party_number.digits qsig.publicNumberDigits \
		qsig.cf.diversionReason qsig.cf.diversionCounter q931.user.protocol_discriminator)
	echo "$out"
	if echo "$out" | grep -q 2125550100; then echo "ok: tshark: $(basename "$f"): SETUP diversion" >> "$OUT/decode.log"
	else echo "FAIL: tshark: $(basename "$f"): SETUP diversion" >> "$OUT/decode.log"
		decode_fail="$decode_fail $(basename "$f"):diversion"; fi
done
# gwd's traces: the RFC 4458 round trips (ISUP: target +15555551002, cause 486 = user busy; QSIG: target
# +15555551003, cause 408 = no reply), as tshark reads them from both ends of each pair
# expect FILE FILTER FIELDS REGEX WHAT: one message's fields (tab-separated) match REGEX
expect_fields()
{
	local f=$OUT/gwd/$1 flt=$2 flds=$3 re=$4 what=$5 out
	# shellcheck disable=SC2086
	out=$(field "$f" "$flt" $flds)
	printf '%s: %s\n' "$1" "$(echo "$out" | head -1)"
	if [ -f "$f" ] && echo "$out" | grep -qE "$re"; then
		echo "ok: tshark: $1: $what" | tee -a "$OUT/decode.log"
	else
		echo "FAIL: tshark: $1: $what: no message matches /$re/" | tee -a "$OUT/decode.log"
		decode_fail="$decode_fail gwd/$1"
	fi
}
echo "---- gwd's traces (isup.called isup.redirecting isup.original_called_number isup.redirection_reason"
echo "     isup.redirection_counter isup.call_to_be_diverted_ind / q931.called_party_number.digits"
echo "     qsig.publicNumberDigits qsig.cf.diversionReason qsig.cf.diversionCounter)"
ISUP_F='isup.called isup.redirecting isup.original_called_number isup.redirection_reason isup.redirection_counter
isup.call_to_be_diverted_ind'
QSIG_F='q931.called_party_number.digits qsig.publicNumberDigits qsig.cf.diversionReason qsig.cf.diversionCounter'
for f in isup-a.pcap isup-b.pcap; do
	expect_fields $f 'isup.message_type == 1' "$ISUP_F" '5550012000.*	[0-9]*5555551002	[0-9]*5555551002	1	1	' \
		"IAM: called pilot, redirecting and original called number = the target, reason user busy (1), counter 1"
done
for f in pri-net.pcap pri-cpe.pcap; do
	expect_fields $f 'q931.message_type == 0x05' "$QSIG_F" '5550022000	[0-9]*5555551003	3	1' \
		"SETUP: called pilot, DivertingLegInformation2 diverting number = the target, reason cfnr (3), counter 1"
done
expect_fields pri-net-alarm.pcap 'q931.message_type == 0x05' "$QSIG_F" '5550022000	[0-9]*5555551003	3	1' \
	"SETUP after the alarm: the same diversion"

STEP=gwd
echo "---- gwd.log (gwd on the DAHDI spans, in the guest)"
cat "$OUT/gwd.log" 2>/dev/null
gwd_rc=$(cat "$OUT/gwd.rc" 2>/dev/null || echo none)

# one count for the whole tier: dahdi_smoke's, gwd_guest.sh's and the decodes' checks
counts()
{
	cat "$OUT/smoke.log" "$OUT/gwd.log" 2>/dev/null | awk -v dp="$(grep -c '^ok: tshark' "$OUT/decode.log")" \
		-v df="$(grep -c '^FAIL: tshark' "$OUT/decode.log")" '
		/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3; n++ }
		END { if (n < 2) f++; printf "%d passed, %d failed\n", p + dp, f + df }'
}
counts
[ "$smoke_rc" = 0 ] || { STEP=call; fail "dahdi_smoke exit $smoke_rc (see $OUT/smoke.log)"; }
[ "$gwd_rc" = 0 ] || fail "gwd_guest.sh exit $gwd_rc (see $OUT/gwd.log and $OUT/gwd/)"
STEP=decode
[ -z "$decode_fail" ] || fail "tshark:$decode_fail"
echo "PASS: gwd and the DAHDI backend on real DAHDI loc spans (results in $OUT)"
