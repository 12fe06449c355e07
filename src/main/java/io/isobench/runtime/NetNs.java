package io.isobench.runtime;

import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.util.Tools;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A network namespace that isobench creates for one sandbox, joined to the host by a veth pair on a private /30
 * out of the lower half of {@link AddressPool}'s block (198.18.0.0/16 by default; /24s leased for the process's life,
 * so two isobench processes never share one): the host end gets .1, the sandbox end .2 of its /30. Nothing else is
 * connected (no default route, no bridge, no NAT): the host reaches the sandbox and the sandbox reaches the host,
 * and nothing beyond. Named {@code isobench-PID-N} (under /run/netns) so that {@link #sweepDead} can remove
 * the ones of an isobench process that died without cleaning up. Closing deletes the namespace, which
 * destroys both veth ends.
 */
public final class NetNs implements SandboxNetwork {
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);
    private static final int SLOTS = 64; // /30s in a leased /24
    /** Base addresses of the /30s this process's live namespaces hold. */
    private static final Set<Long> IN_USE = new HashSet<>();
    private static int cursor = (int) (ProcessHandle.current().pid() * 31 % SLOTS);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Pattern NAME = Pattern.compile("isobench-(\\d+)-\\d+");

    private final String name;
    private final String hostIf;
    private final InetAddress hostAddr;
    private final InetAddress sandboxAddr;
    private final String tap;
    private final Cleanup.Action cleanup;

    /** The tap device inside a namespace made by {@link #createWithTap()}. */
    public static final String TAP = "ibtap";
    private static final String BRIDGE = "ibbr";

    private final long slot;

    private NetNs(String name, String hostIf, InetAddress hostAddr, InetAddress sandboxAddr, String tap, long slot) {
        this.slot = slot;
        this.name = name;
        this.hostIf = hostIf;
        this.hostAddr = hostAddr;
        this.sandboxAddr = sandboxAddr;
        this.tap = tap;
        this.cleanup = Cleanup.register("netns " + name, this::delete);
    }

    /** Whether this host can make namespaces with veth pairs (root and iproute2): null when yes, else why not. */
    public static String unavailableReason() {
        if (Tools.which("ip") == null) {
            return "the ip command (iproute2) is not installed";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces and veth pairs need root";
        }
        return null;
    }

    /** Creates the namespace and the veth pair, with addresses and links up. */
    public static NetNs create() throws RuntimeDriver.LaunchException {
        return create(false);
    }

    /**
     * Creates the namespace and the veth pair, and inside the namespace a bridge joining the veth's end to a tap
     * device {@value #TAP} (for a VM's NIC). The namespace's end has no address: the sandbox address is the VM's
     * to take. Deleting the namespace destroys the tap and the bridge with it.
     */
    public static NetNs createWithTap() throws RuntimeDriver.LaunchException {
        return create(true);
    }

    private static NetNs create(boolean withTap) throws RuntimeDriver.LaunchException {
        String why = unavailableReason();
        if (why != null) {
            throw new RuntimeDriver.LaunchException(why);
        }
        String ip = Tools.which("ip");
        AddressPool.Cidr block = freeBlock();
        // the /30's address in hex: unique across processes, since the /24s are leased (15 characters at most)
        String hostIf = "ibh" + Long.toHexString(block.base());
        String nsIf = "ibc" + Long.toHexString(block.base());
        InetAddress host = address(block, 1);
        InetAddress sandbox = address(block, 2);
        String name = "isobench-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        NetNs ns;
        ProcResult add = Proc.of(ip, "netns", "add", name).timeout(IP_TIMEOUT).run();
        if (!add.ok()) {
            release(block.base());
            throw new RuntimeDriver.LaunchException("ip netns add " + name + " failed: " + add.failureSummary());
        }
        ns = new NetNs(name, hostIf, host, sandbox, withTap ? TAP : null, block.base());
        ProcResult hostSide = Proc.of(ip, "-batch", "-").timeout(IP_TIMEOUT).stdin(
                "link add " + hostIf + " type veth peer name " + nsIf + " netns " + name + "\n"
                        + "addr add " + host.getHostAddress() + "/30 dev " + hostIf + "\n"
                        + "link set " + hostIf + " up\n").run();
        String nsScript = withTap
                ? "link add " + BRIDGE + " type bridge\n"
                        + "link set " + nsIf + " master " + BRIDGE + "\n"
                        + "tuntap add dev " + TAP + " mode tap\n"
                        + "link set " + TAP + " master " + BRIDGE + "\n"
                        + "link set " + nsIf + " up\n"
                        + "link set " + TAP + " up\n"
                        + "link set " + BRIDGE + " up\n"
                        + "link set lo up\n"
                : "addr add " + sandbox.getHostAddress() + "/30 dev " + nsIf + "\n"
                        + "link set " + nsIf + " up\n"
                        + "link set lo up\n";
        ProcResult nsSide = hostSide.ok() ? Proc.of(ip, "-n", name, "-batch", "-").timeout(IP_TIMEOUT).stdin(nsScript).run()
                : hostSide;
        if (!nsSide.ok()) {
            ns.close();
            throw new RuntimeDriver.LaunchException("cannot set up the veth pair of " + name + ": "
                    + nsSide.failureSummary());
        }
        return ns;
    }

    /**
     * Gives the namespace's veth end its sandbox address again when a runtime took it away: gVisor's netstack removes
     * the address from the host device when it takes the interface over, and a {@code runsc restore} in this namespace
     * looks for it there again. Nothing for a namespace with a tap (its veth end has no address). Idempotent.
     */
    public void readdress() throws RuntimeDriver.LaunchException {
        if (tap != null) {
            return;
        }
        String nsIf = "ibc" + Long.toHexString(slot);
        ProcResult show = Proc.of(Tools.which("ip"), "-n", name, "-o", "-4", "addr", "show", "dev", nsIf)
                .timeout(IP_TIMEOUT).run();
        if (show.ok() && show.stdout().contains(" " + sandboxAddr.getHostAddress() + "/")) {
            return;
        }
        ProcResult add = Proc.of(Tools.which("ip"), "-n", name, "addr", "add", sandboxAddr.getHostAddress() + "/30", "dev", nsIf)
                .timeout(IP_TIMEOUT).run();
        if (!add.ok()) {
            throw new RuntimeDriver.LaunchException("cannot give " + nsIf + " in " + name + " its address again: "
                    + add.failureSummary());
        }
    }

    /** A new namespace when {@code spec} asks for a network, else null. */
    public static NetNs createFor(LaunchSpec spec) throws RuntimeDriver.LaunchException {
        return spec.network() == null ? null : create();
    }

    /** As {@link #createFor(LaunchSpec)}; when that fails, first removes the launch's scratch dir (null: none). */
    public static NetNs createFor(LaunchSpec spec, java.nio.file.Path scratch) throws RuntimeDriver.LaunchException {
        try {
            return createFor(spec);
        } catch (RuntimeDriver.LaunchException e) {
            Scratch.remove(scratch);
            throw e;
        }
    }

    /** Closes {@code ns} if not null (for teardown lambdas). */
    public static void closeQuietly(NetNs ns) {
        if (ns != null) {
            ns.close();
        }
    }

    private static InetAddress address(AddressPool.Cidr block, int host) {
        try {
            return InetAddress.getByAddress(block.address(host));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next free /30 of this process's leased /24s (round robin, so a freed /30 is reused late), leasing another
     * /24 from {@link AddressPool} when all are taken; a /30 whose host address some interface has is skipped.
     */
    private static synchronized AddressPool.Cidr freeBlock() throws RuntimeDriver.LaunchException {
        Set<InetAddress> used = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                used.addAll(Collections.list(nif.getInetAddresses()));
            }
        } catch (SocketException e) {
            // no list: the leases alone keep processes apart
        }
        AddressPool.Cidr half = AddressPool.netnsHalf();
        while (true) {
            List<AddressPool.Cidr> mine = AddressPool.leases().stream().filter(c -> c.prefix() == 24 && half.overlaps(c)).toList();
            int total = mine.size() * SLOTS;
            for (int i = 0; i < total; i++) {
                int k = Math.floorMod(cursor++, total);
                AddressPool.Cidr b = mine.get(k / SLOTS).sub(30, k % SLOTS);
                if (!IN_USE.contains(b.base()) && !used.contains(address(b, 1))) {
                    IN_USE.add(b.base());
                    return b;
                }
            }
            AddressPool.Cidr more;
            try {
                more = AddressPool.lease(half, 24, ProcessHandle.current().pid() * 7);
            } catch (io.isobench.util.UserException e) {
                throw new RuntimeDriver.LaunchException(e.getMessage());
            }
            if (more == null) {
                throw new RuntimeDriver.LaunchException("no free /24 left in " + half + " (every one is leased by a running isobench)");
            }
        }
    }

    private static synchronized void release(long base) {
        IN_USE.remove(base);
    }

    public String name() {
        return name;
    }

    /** The namespace's bind-mount path, for OCI bundles and nsenter. */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** {@code nsenter --net=PATH --} in front of {@code launcher}: the launcher (and what it starts) joins this namespace. */
    public List<String> enter(List<String> launcher) {
        String nsenter = Tools.which("nsenter");
        List<String> argv = new java.util.ArrayList<>(List.of(nsenter == null ? "nsenter" : nsenter,
                "--net=" + path(), "--"));
        argv.addAll(launcher);
        return List.copyOf(argv);
    }

    /** {@code launcher} run in {@code ns} ({@link #enter}), or unchanged when {@code ns} is null (no network asked for). */
    public static List<String> enter(NetNs ns, List<String> launcher) {
        return ns == null ? launcher : ns.enter(launcher);
    }

    public InetAddress sandboxAddress() {
        return sandboxAddr;
    }

    public InetAddress hostAddress() {
        return hostAddr;
    }

    @Override
    public InetSocketAddress endpoint(int port) {
        return new InetSocketAddress(sandboxAddr, port);
    }

    /** The tap device in this namespace ({@link #createWithTap()}), or null. */
    String tap() {
        return tap;
    }

    @Override
    public String description() {
        return "veth pair " + hostIf + " (" + hostAddr.getHostAddress() + ") into netns " + name + " ("
                + (tap == null ? "" : "bridged there to tap " + tap + ", the VM's NIC; guest ")
                + sandboxAddr.getHostAddress() + "/30)";
    }

    private void delete() {
        Proc.of(Tools.which("ip") == null ? "ip" : Tools.which("ip"), "netns", "del", name).timeout(IP_TIMEOUT).run();
        release(slot);
    }

    @Override
    public void close() {
        cleanup.close();
    }

    /** Deletes namespaces named isobench-PID-N whose PID is no longer alive; returns their names. */
    public static List<String> sweepDead() {
        String ip = Tools.which("ip");
        if (ip == null) {
            return List.of();
        }
        ProcResult r = Proc.of(ip, "netns", "list").timeout(IP_TIMEOUT).run();
        if (!r.ok()) {
            return List.of();
        }
        List<String> removed = new java.util.ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String n = line.strip().split("\\s+")[0];
            var m = NAME.matcher(n);
            long pid = m.matches() ? io.isobench.util.Pid.parse(m.group(1)) : -1;
            if (pid > 0 && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                if (Proc.of(ip, "netns", "del", n).timeout(IP_TIMEOUT).run().ok()) {
                    removed.add(n);
                }
            }
        }
        return removed;
    }
}
