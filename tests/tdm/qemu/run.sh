#!/bin/bash
# run.sh - the DAHDI backend (dahdi/span_dahdi.c) on real DAHDI spans: a Debian kernel with DAHDI's
# own driver boots in qemu (software emulation: no /dev/kvm needed, no module loaded on this host),
# dahdi_dynamic_loc joins dynamic spans back to back, and tests/tdm/qemu/dahdi_smoke places calls
# with redirection over an ISUP pair and a QSIG pair of them.  Manual: not part of `make check`.
#
# Steps (the failing one is named on exit, status 1): tools, download, build, boot, dahdi_cfg, call,
# decode.  Needs root for apt-get (only when a tool is missing) and the package archive.
#
#   tests/tdm/qemu/run.sh                 # everything; prints the guest's output and the decodes
#
# Environment:
#   QEMU_CACHE   downloads, unpacked packages, built modules (default ~/.cache/gw-qemu); a .deb is
#                downloaded again only when its SHA256 differs from the archive's
#   BUILD_DIR    the project's build directory (default $QEMU_CACHE/build); configured and built
#                here when it has no dahdi/libtdm.a
#   OUT          results (default $QEMU_CACHE/out): console.log, guest.log, smoke.log, the traces
#   QEMU_TIMEOUT seconds for the whole guest run (default 600)
#   SMOKE_ARGS   arguments for dahdi_smoke (default: all of it)
#
# Guest layout: a busybox initramfs mounts the host's / read-only over virtio-9p (tag hostroot)
# and OUT read-write (tag results) at the same path, loads dahdi (auto_assign_spans=1),
# dahdi_dynamic and dahdi_dynamic_loc, chroots into the host root and runs $OUT/guest.sh there:
# dahdi_cfg with four loc spans (keys 1:0/1:1 and 2:0/2:1, 24 channels each), then dahdi_smoke.
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
STEP=download
t0=$(now)
ABI=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { sub(/.*linux-image-/, ""); print; exit }')
[ -n "$ABI" ] || fail "no kernel ABI from 'apt-cache depends linux-image-amd64' (apt-get update?)"
MM=$(echo "$ABI" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
PKGS="linux-image-$ABI linux-headers-$ABI linux-headers-${ABI%-amd64}-common linux-kbuild-$MM dahdi-dkms dahdi
libtonezone2.0"
DEBS=
sums=
for p in $PKGS; do
	info=$(apt-cache show --no-all-versions "$p" 2>/dev/null) || fail "package $p not in the archive"
	sha=$(echo "$info" | awk '/^SHA256:/ { print $2; exit }')
	deb="$CACHE/$(basename "$(echo "$info" | awk '/^Filename:/ { print $2; exit }')")"
	if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --status; then
		(cd "$CACHE" && apt-get download "$p" >/dev/null 2>&1) || fail "apt-get download $p"
		# apt-get names the file with the epoch escaped (%3a), the archive's Filename does not
		got=$(ls -t "$CACHE"/"${p}"_*.deb 2>/dev/null | head -1)
		[ -n "$got" ] && [ "$got" != "$deb" ] && mv -f "$got" "$deb"
		echo "$sha  $deb" | sha256sum -c --status || fail "$p: checksum mismatch"
	fi
	DEBS="$DEBS $deb"
	sums="$sums$sha "
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
cat > "$OUT/system.conf" <<'EOF'
# two loopback pairs of dynamic spans: 1:0 <-> 1:1 (ISUP), 2:0 <-> 2:1 (PRI)
dynamic=loc,1:0,24,0
dynamic=loc,1:1,24,0
dynamic=loc,2:0,24,0
dynamic=loc,2:1,24,0
bchan=1-23
dchan=24
bchan=25-47
dchan=48
bchan=49-71
dchan=72
bchan=73-95
dchan=96
EOF
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
	echo "$out" | grep -q 2125550100 || decode_fail="$decode_fail $(basename "$f"):redirecting"
done
for f in "$OUT"/pri-*.pcap; do
	[ -f "$f" ] || { decode_fail="$decode_fail no-pri-trace"; break; }
	echo "---- $(basename "$f"): SETUP"
	out=$(field "$f" 'q931.message_type == 0x05' q931.called_party_number.digits qsig.publicNumberDigits \
		qsig.cf.diversionReason qsig.cf.diversionCounter q931.user.protocol_discriminator)
	echo "$out"
	echo "$out" | grep -q 2125550100 || decode_fail="$decode_fail $(basename "$f"):diversion"
done
[ "$smoke_rc" = 0 ] || { STEP=call; fail "dahdi_smoke exit $smoke_rc (see $OUT/smoke.log)"; }
[ -z "$decode_fail" ] || fail "tshark:$decode_fail"
echo "PASS: DAHDI backend on real DAHDI loc spans (results in $OUT)"
