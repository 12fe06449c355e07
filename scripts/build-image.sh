#!/usr/bin/env bash
# Builds isobench's own container image (the fleet's node agent) as an OCI image archive, without any registry:
#  1. a Debian root file system made here with debootstrap from the host's own apt mirror, with the packages the
#     local drivers and benchmarks run (runc, crun, bwrap, lxc, nspawn, docker and containerd clients, busybox,
#     sysbench, fio, iproute2...), plus a Java runtime made by jlink from the JDK that builds isobench (Debian 12 has
#     no Java 21);
#  2. that tree imported into the local Docker engine as the base image isobench-base:VERSION;
#  3. jib (Maven profile 'image', jib:buildTar) layering the application on it (dependencies, resources, classes)
#     into target/isobench-image.tar, an OCI image archive that 'docker load', 'skopeo copy' and 'crane push' read.
# Push it to your registry, then point the fleet at it (docs/kubernetes.md#isobenchs-image):
#   skopeo copy oci-archive:target/isobench-image.tar docker://REGISTRY/isobench:VERSION
#   crane push target/isobench-image.tar REGISTRY/isobench:VERSION
#   docker load -i target/isobench-image.tar && docker tag isobench:VERSION REGISTRY/isobench:VERSION && docker push REGISTRY/isobench:VERSION
#   export ISOBENCH_K8S_AGENT_IMAGE=REGISTRY/isobench:VERSION
# Needs root, docker (dockerd running), debootstrap (installed here when missing). Usage: scripts/build-image.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$here/scripts/jdk.sh"
isobench_find_jdk || exit 2
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$here/pom.xml" | head -n 1)
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=${ISOBENCH_IMAGE_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
# What the node agent runs on its node: the local runtimes' launchers and clients and the benchmark tools that go
# into the workload image (isobench copies them from its own file system, so every node gets the same binaries).
packages=(runc crun bubblewrap systemd-container lxc busybox-static iproute2 util-linux procps kmod
  docker.io containerd sysbench fio strace ca-certificates)
# jdeps on the shaded jar, plus jdk.crypto.cryptoki-free TLS and the JDK's HTTP client for the Kubernetes API
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec

[ "$(id -u)" = 0 ] || { echo "build-image: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v docker >/dev/null || { echo "build-image: needs docker (the base image goes through the local engine)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap >/dev/null

work=$(mktemp -d /tmp/isobench-image-XXXXXX)
cleanup() { umount -R "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
rootfs=$work/rootfs

echo "build-image: debootstrap $suite from $mirror" >&2
timeout 1200 debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
echo "build-image: installing ${packages[*]}" >&2
mount -t proc proc "$rootfs/proc"
# no service may start in the chroot
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"; chmod 755 "$rootfs/usr/sbin/policy-rc.d"
timeout 1200 chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" \
  >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; exit 1; }
chroot "$rootfs" apt-get clean
rm -rf "$rootfs/var/lib/apt/lists"/* "$rootfs/usr/sbin/policy-rc.d"
umount "$rootfs/proc"

echo "build-image: jlink a Java runtime from $JAVA_HOME" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$rootfs/opt/java" 2>"$work/jlink.log" || { cat "$work/jlink.log" >&2; exit 1; }

echo "build-image: docker import isobench-base:$version" >&2
tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "isobench-base:$version" >/dev/null

echo "build-image: jib:buildTar" >&2
(cd "$here" && ./mvnw -B -ntp -q -Pimage -DskipTests -Dmaven.test.skip=true package) || exit 1
ls -l "$here/target/isobench-image.tar" >&2
echo "build-image: target/isobench-image.tar (image isobench:$version); push it as the header of this script says" >&2
