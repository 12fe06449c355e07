#!/bin/sh
# A second host on one machine: boots a QEMU virtual machine (TCG here, KVM where usable) with its own kernel (the
# Debian guest kernel isobench fetched for its qemu runtimes), an emulated CPU, one vCPU and its own memory, and runs
# `isobench run` inside it against a store on this host (PostgreSQL: this host's 127.0.0.1 is 10.0.2.2 in the guest).
# The guest's root file system is an initramfs holding busybox, a jlinked Java runtime, isobench.jar, sysbench, bash
# and ldd, bwrap and the util-linux/iproute2 tools it needs, with their libraries: enough for the native baseline and
# bwrap on the cpu and memory benchmarks.
#
# Usage (as root, after `mvn package` and one `isobench setup`/qemu run that fetched the guest kernel):
#   scripts/second-host-vm.sh postgresql://USER:PASSWORD@10.0.2.2:5432/DB [isobench run options…]
# e.g. scripts/second-host-vm.sh postgresql://store_hosts:store_hosts@10.0.2.2:5432/store_hosts \
#        --runtimes native --benchmarks cpu --repetitions 5 --warmups 0 --cooldown 0s --set cpu.time=1s
# Environment: ISOBENCH_JAR (default target/isobench.jar), VM_HOSTNAME (isobench-vm), VM_MEMORY (3G), VM_CPUS (1),
# VM_TIMEOUT seconds (2400). Exit status: isobench's inside the guest (97: the guest never reported one).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DB_URL [isobench run options…]" >&2; exit 2; }
db=$1
shift
jar=${ISOBENCH_JAR:-target/isobench.jar}
[ -f "$jar" ] || { echo "$0: no $jar (mvn package first)" >&2; exit 2; }
guest=$(ls -d "$HOME"/.cache/isobench/guest/*/ 2>/dev/null | head -n 1)
[ -n "$guest" ] || { echo "$0: no guest kernel in ~/.cache/isobench/guest (run a qemu runtime once)" >&2; exit 2; }
kver=$(basename "$guest")
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

work=$(mktemp -d /tmp/isobench-vm-host.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/root" "$root/etc" "$root/opt" "$root/run" \
    "$root/var/tmp" "$root/modules"

# files with their shared libraries, at the same paths
copy() {
    for f in "$@"; do
        mkdir -p "$root$(dirname "$f")"
        cp -L "$f" "$root$f"
        ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
            [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
        done
    done
}
copy /usr/bin/sysbench /bin/bash /usr/bin/ldd /usr/bin/taskset /usr/bin/bwrap /usr/bin/nsenter /usr/bin/unshare /usr/sbin/ip
cp /usr/bin/busybox "$root/bin/busybox"
[ -e /lib64/ld-linux-x86-64.so.2 ] && { mkdir -p "$root/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; }
"$java_home/bin/jlink" --add-modules java.base,java.desktop,java.management,java.naming,java.security.jgss,java.sql,jdk.unsupported \
    --strip-debug --no-man-pages --no-header-files --output "$root/opt/jre"
for lib in $(find "$root/opt/jre" -name '*.so'); do
    ldd "$lib" 2>/dev/null | awk '/=> \//{print $3}' | while read -r l; do
        [ -e "$root$l" ] || { mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"; }
    done
done
cp "$jar" "$root/opt/isobench.jar"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
    find "$guest/lib/modules/$kver" -name "$m.ko*" -exec cp {} "$root/modules/" \;
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
cp /etc/os-release "$root/etc/os-release"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
# the run's arguments, one per line (no shell word splitting inside the guest)
{ printf '%s\n' run --db "$db"; for a in "$@"; do printf '%s\n' "$a"; done; } > "$root/args"
cat > "$root/init" <<EOF
#!/bin/busybox sh
# the initramfs (rootfs) cannot be pivot_root'ed away from, which bwrap does: first move everything onto a tmpfs
if [ ! -e /.on-tmpfs ]; then
    /bin/busybox mkdir /newroot
    /bin/busybox mount -t tmpfs -o size=90% root /newroot
    for d in /*; do [ "\$d" = /newroot ] || /bin/busybox cp -a "\$d" /newroot/; done
    /bin/busybox touch /newroot/.on-tmpfs
    exec /bin/busybox switch_root /newroot /init
fi
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do insmod /modules/\$m.ko* 2>/dev/null; done
ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
hostname ${VM_HOSTNAME:-isobench-vm}
export HOME=/root PATH=/usr/bin:/usr/sbin:/bin:/sbin
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done < /args
/opt/jre/bin/java -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 -jar /opt/isobench.jar "\$@"
echo "ISOBENCH-EXIT \$?"
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$work/initrd"

accel=tcg
[ -w /dev/kvm ] && accel=kvm:tcg
log=$work/console.log
timeout "${VM_TIMEOUT:-2400}" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max -smp "${VM_CPUS:-1}" \
    -m "${VM_MEMORY:-3G}" -kernel "$guest/boot/vmlinuz-$kver" -initrd "$work/initrd" \
    -append "console=ttyS0 rdinit=/init quiet panic=-1 no_timer_check tsc=reliable" -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
    -display none -no-reboot -serial "file:$log" -monitor none </dev/null || true
cat "$log"
status=$(sed -n 's/.*ISOBENCH-EXIT \([0-9]*\).*/\1/p' "$log" | tail -n 1)
exit "${status:-97}"
