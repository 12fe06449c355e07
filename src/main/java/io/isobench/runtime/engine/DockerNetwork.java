package io.isobench.runtime.engine;

import io.isobench.runtime.AddressPool;
import io.isobench.proc.Cleanup;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.RuntimeDriver;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Docker bridge network of one isobench process: {@code docker network create --driver bridge} named
 * {@code isobench-PID}, Linux bridge {@code isobenchPID} (15 characters at most), a /24 out of the upper half of
 * {@link AddressPool}'s block (198.19.0.0/16 by default, leased for the process's life)
 * with the host's address .1 on the bridge, labelled {@value #PID_LABEL}=PID. Containers get a fixed address
 * ({@code docker run --ip}), so the endpoint is known before the container runs. The engine runs with
 * {@code --iptables=false --ip-forward=false}: no NAT, no forwarding, nothing published; the host and the
 * containers on the bridge reach each other and nothing beyond.
 * <p>
 * One network per process rather than one shared "isobench" network: a shared one would need reference counting
 * across processes (one process removing it while another is about to attach a container), while a private one
 * is created on first use, removed when the process ends (after its containers: cleanup runs newest first), and
 * the janitor removes those of dead processes by their label.
 */
public final class DockerNetwork {
    public static final String PID_LABEL = "io.isobench.pid";
    /**
     * The pid namespace the pid label is valid in ({@code /proc/self/ns/pid}, e.g. "pid:[4026531836]"): the janitor
     * judges only pids of its own namespace, so an isobench in a container sharing the engine is never taken for dead.
     */
    public static final String PIDNS_LABEL = "io.isobench.pidns";

    /** The labels of everything this process creates in the engine, as docker CLI arguments. */
    public static List<String> labelArgs() {
        return List.of("--label", PID_LABEL + "=" + ProcessHandle.current().pid(), "--label", PIDNS_LABEL + "=" + pidNamespace());
    }

    /** This process's pid namespace, as /proc/self/ns/pid names it ("unknown" when it cannot be read). */
    public static String pidNamespace() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static DockerNetwork current;

    private final String name;
    private final String bridge;
    private final AddressPool.Cidr subnet;
    private final AtomicInteger nextHost = new AtomicInteger(2);
    private final Cleanup.Action cleanup;

    private DockerNetwork(String name, String bridge, AddressPool.Cidr subnet) {
        this.name = name;
        this.bridge = bridge;
        this.subnet = subnet;
        this.cleanup = Cleanup.register("docker network " + name, this::delete);
    }

    /** This process's network, created on first use. */
    public static synchronized DockerNetwork get() throws RuntimeDriver.LaunchException {
        if (current == null || current.cleanup.isDone()) {
            current = create();
        }
        return current;
    }

    /** Removes this process's network now, if there is one (tests stop their engine afterwards). */
    public static synchronized void removeNow() {
        if (current != null) {
            current.cleanup.close();
            current = null;
        }
    }

    private static DockerNetwork create() throws RuntimeDriver.LaunchException {
        long pid = ProcessHandle.current().pid();
        String name = "isobench-" + pid;
        String bridge = "isobench" + pid;
        AddressPool.Cidr half = AddressPool.dockerHalf();
        // a network left by an earlier use in this process (e.g. removed by hand) is reused if its /24 is leased by us
        ProcResult existing = Proc.of(DockerDriver.docker(), "network", "inspect", "--format",
                "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name).timeout(TIMEOUT).run();
        if (existing.ok()) {
            String s = existing.stdout().strip();
            for (AddressPool.Cidr c : AddressPool.leases()) {
                if (c.toString().equals(s)) {
                    return new DockerNetwork(name, bridge, c);
                }
            }
            Proc.of(DockerDriver.docker(), "network", "rm", name).timeout(TIMEOUT).run();
        }
        Set<InetAddress> used = hostAddresses();
        String last = "";
        for (int i = 0; i < 256; i++) {
            AddressPool.Cidr n;
            try {
                n = AddressPool.lease(half, 24, pid + i);
            } catch (io.isobench.util.UserException e) {
                throw new RuntimeDriver.LaunchException(e.getMessage());
            }
            if (n == null) {
                last = "no free /24 left in " + half + " (every one is leased by a running isobench)";
                break;
            }
            if (used.contains(address(n, 1))) {
                continue; // leased but unusable: kept, so it is not tried again
            }
            ProcResult r = Proc.of(DockerDriver.docker(), "network", "create", "--driver", "bridge",
                    "--subnet", n.toString(), "--gateway", address(n, 1).getHostAddress(),
                    "-o", "com.docker.network.bridge.name=" + bridge,
                    "-o", "com.docker.network.bridge.enable_ip_masquerade=false",
                    "--label", PID_LABEL + "=" + pid, "--label", PIDNS_LABEL + "=" + pidNamespace(), name)
                    .timeout(TIMEOUT).run();
            if (r.ok()) {
                return new DockerNetwork(name, bridge, n);
            }
            last = r.failureSummary();
            if (!last.toLowerCase(java.util.Locale.ROOT).contains("overlap")) {
                break;
            }
        }
        throw new RuntimeDriver.LaunchException("docker network create " + name + " failed: " + last);
    }

    private static Set<InetAddress> hostAddresses() {
        Set<InetAddress> used = new HashSet<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                used.addAll(Collections.list(nif.getInetAddresses()));
            }
        } catch (SocketException e) {
            // none known: docker refuses an overlapping pool anyway
        }
        return used;
    }

    private static InetAddress address(AddressPool.Cidr subnet, int host) {
        try {
            return InetAddress.getByAddress(subnet.address(host));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    public String bridge() {
        return bridge;
    }

    /** The next container address (.2 to .254, round robin: an address is reused only 253 launches later). */
    public InetAddress nextAddress() {
        int h = nextHost.getAndUpdate(x -> x >= 254 ? 2 : x + 1);
        return address(subnet, h);
    }

    public String subnet() {
        return subnet.toString();
    }

    private void delete() {
        Proc.of(DockerDriver.docker(), "network", "rm", name).timeout(TIMEOUT).run();
    }

    /**
     * Removes isobench networks (label {@value #PID_LABEL}, in this pid namespace) whose process is dead and that no container uses
     * (docker refuses to remove a network with endpoints). Returns their names.
     */
    public static List<String> sweepDead() {
        ProcResult r = Proc.of(DockerDriver.docker(), "network", "ls", "--filter", "label=" + PID_LABEL,
                "--filter", "label=" + PIDNS_LABEL + "=" + pidNamespace(),
                "--format", "{{.Name}} {{.Label \"" + PID_LABEL + "\"}}").timeout(TIMEOUT).run();
        List<String> removed = new ArrayList<>();
        if (!r.ok()) {
            return removed;
        }
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f.length != 2 || io.isobench.util.Pid.parse(f[1]) < 0 || DockerDriver.alive(io.isobench.util.Pid.parse(f[1]))) {
                continue;
            }
            if (Proc.of(DockerDriver.docker(), "network", "rm", f[0]).timeout(TIMEOUT).run().ok()) {
                removed.add(f[0]);
            }
        }
        return removed;
    }
}
