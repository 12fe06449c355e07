# Run by isobench as: unshare --mount --propagation private /bin/sh THIS-FILE runsc ARGS...
# In that private mount namespace, /proc/sys/net becomes an empty tmpfs, then runsc runs. Old runsc releases
# take "a sysctl file exists under /proc/sys/net/core" to mean "root network namespace" and refuse their netstack;
# kernels now show those files in every namespace. Nothing else is changed: the sandbox joins the network
# namespace named in its OCI bundle (one isobench made), as always.
set -e
mount -t tmpfs -o size=4k,mode=0555 isobench-hidden-net-sysctl /proc/sys/net
exec "$@"
