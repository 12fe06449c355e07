#!/usr/bin/env bash
# Builds isobench's own container image (the fleet's node agent) as an OCI image archive, without any registry:
#  1. a Debian root file system made here with debootstrap from the host's own apt mirror, with the packages the
#     local drivers and benchmarks run (runc, crun, bwrap, lxc, nspawn, docker and containerd clients, busybox,
#     sysbench, fio, iproute2...), plus a Java runtime made by jlink from the JDK that builds isobench (Debian 12 has
#     no Java 21);
#  2. that tree written as a one-layer base image archive, target/image/isobench-base.tar (the layout 'docker save'
#     writes, made here with tar and python3: no Docker engine is needed);
#  3. jib (Maven profile 'image', jib:buildTar, base 'tar://target/image/isobench-base.tar') layering the application
#     on it (dependencies, resources, classes) into target/isobench-image.tar, an OCI image archive that
#     'docker load', 'skopeo copy' and 'crane push' read.
# The root file system is kept in target/image/rootfs and reused while the package list is the same (mvn clean
# removes it).
# Push it to your registry, then point the fleet at it (docs/kubernetes.md#isobenchs-image):
#   skopeo copy oci-archive:target/isobench-image.tar docker://REGISTRY/isobench:VERSION
#   crane push target/isobench-image.tar REGISTRY/isobench:VERSION
#   docker load -i target/isobench-image.tar && docker tag isobench:VERSION REGISTRY/isobench:VERSION && docker push REGISTRY/isobench:VERSION
#   export ISOBENCH_K8S_AGENT_IMAGE=REGISTRY/isobench:VERSION
# Needs root, python3, debootstrap (installed here when missing). Usage: scripts/build-image.sh
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
packages=(runc crun runsc bubblewrap systemd-container lxc busybox-static iproute2 util-linux procps kmod
  docker.io containerd sysbench fio strace ca-certificates)
# jdeps on the shaded jar, plus jdk.crypto.cryptoki-free TLS and the JDK's HTTP client for the Kubernetes API
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.crypto.ec

[ "$(id -u)" = 0 ] || { echo "build-image: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap >/dev/null

out=$here/target/image
rootfs=$out/rootfs
stamp="$suite $mirror ${packages[*]} $modules $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
mkdir -p "$out"
cleanup() { umount "$rootfs/proc" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ ! -f "$out/rootfs.stamp" ] || [ "$(cat "$out/rootfs.stamp")" != "$stamp" ]; then
  rm -rf "$rootfs" "$out/rootfs.stamp"
  echo "build-image: debootstrap $suite from $mirror" >&2
  timeout 1200 debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 \
    || { tail -n 20 "$out/debootstrap.log" >&2; exit 1; }
  echo "build-image: installing ${packages[*]}" >&2
  mount -t proc proc "$rootfs/proc"
  # no service may start in the chroot
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"; chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  timeout 1200 chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" \
    >"$out/apt.log" 2>&1 || { tail -n 20 "$out/apt.log" >&2; exit 1; }
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs/var/lib/apt/lists"/* "$rootfs/usr/sbin/policy-rc.d"
  umount "$rootfs/proc"
  echo "build-image: jlink a Java runtime from $JAVA_HOME" >&2
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --output "$rootfs/opt/java" 2>"$out/jlink.log" || { cat "$out/jlink.log" >&2; exit 1; }
  echo "$stamp" >"$out/rootfs.stamp"
fi

echo "build-image: base image archive target/image/isobench-base.tar" >&2
rm -rf "$out/base" && mkdir -p "$out/base"
tar --numeric-owner --xattrs -C "$rootfs" -cf "$out/base/layer.tar" .
python3 - "$out/base" "isobench-base:$version" <<'PY'
import hashlib, json, os, sys
d, tag = sys.argv[1], sys.argv[2]
h = hashlib.sha256()
with open(os.path.join(d, "layer.tar"), "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
diff = "sha256:" + h.hexdigest()
config = {"architecture": "amd64", "os": "linux",
          "config": {"Env": ["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
          "rootfs": {"type": "layers", "diff_ids": [diff]},
          "history": [{"created_by": "isobench scripts/build-image.sh: debootstrap + apt-get install + jlink"}]}
raw = json.dumps(config, sort_keys=True).encode()
name = hashlib.sha256(raw).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(raw)
json.dump([{"Config": name, "RepoTags": [tag], "Layers": ["layer.tar"]}], open(os.path.join(d, "manifest.json"), "w"))
PY
(cd "$out/base" && tar -cf "$out/isobench-base.tar" -- *) # member names without "./": jib refuses those
rm -rf "$out/base"

echo "build-image: jib:buildTar" >&2
(cd "$here" && ./mvnw -B -ntp -q -Pimage -DskipTests -Dmaven.test.skip=true package) || exit 1
ls -l "$here/target/isobench-image.tar" >&2
echo "build-image: target/isobench-image.tar (image isobench:$version); push it as the header of this script says" >&2
