package io.isobench.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The registry of runtime drivers, in the order results are shown (native first: it is the baseline). */
public final class Runtimes {
    private Runtimes() {
    }

    public static List<RuntimeDriver> all() {
        List<RuntimeDriver> l = new ArrayList<>();
        l.add(new NativeDriver());
        l.add(new RuncDriver());
        l.add(new CrunDriver());
        l.add(new RunscDriver());
        l.add(new BwrapDriver());
        l.add(new NspawnDriver());
        l.add(new LxcDriver());
        l.add(new LxcSystemDriver());
        l.addAll(DockerDriver.all());
        l.add(new QemuQ35Driver());
        l.add(new QemuMicrovmDriver());
        l.add(new UnsupportedDriver("firecracker", "vm", "firecracker", "Firecracker microVM (needs usable KVM)",
                "Firecracker is not packaged by Debian; install its release binary on a KVM host"));
        l.add(new UnsupportedDriver("kata", "vm", "kata-runtime", "Kata Containers (containers in lightweight VMs; needs usable KVM)",
                "Kata is not packaged by Debian; install kata-containers on a KVM host"));
        l.add(new UnsupportedDriver("incus", "container", "incus", "Incus system containers and VMs",
                "Incus is not in Debian 12; install it from Debian 13 or the Zabbly repository"));
        return l;
    }

    public static Optional<RuntimeDriver> byId(String id) {
        return all().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return all().stream().map(RuntimeDriver::id).toList();
    }
}
