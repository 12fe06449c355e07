package io.isobench.runtime;

import io.isobench.runtime.containerd.ContainerdDriver;
import io.isobench.runtime.engine.DockerDriver;
import io.isobench.runtime.host.BwrapDriver;
import io.isobench.runtime.host.LxcDriver;
import io.isobench.runtime.host.LxcSystemDriver;
import io.isobench.runtime.host.NativeDriver;
import io.isobench.runtime.host.NspawnDriver;
import io.isobench.runtime.incus.IncusDriver;
import io.isobench.runtime.incus.IncusVmDriver;
import io.isobench.runtime.k8s.K8sDriver;
import io.isobench.runtime.k8s.KubevirtDriver;
import io.isobench.runtime.oci.CrunDriver;
import io.isobench.runtime.oci.RuncDriver;
import io.isobench.runtime.oci.RunscDriver;
import io.isobench.runtime.vm.FirecrackerDriver;
import io.isobench.runtime.vm.KataDriver;
import io.isobench.runtime.vm.QemuMicrovmDriver;
import io.isobench.runtime.vm.QemuQ35Driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The registry of runtime drivers, in the order results are shown (native first: it is the baseline). */
public final class Runtimes {
    private Runtimes() {
    }

    /** Every runtime, including each one the running Docker engine has registered (asks the engine once per process). */
    public static List<RuntimeDriver> all() {
        return drivers(DockerDriver.all(), ContainerdDriver.all(), K8sDriver.all());
    }

    /**
     * Every runtime without asking an engine what it has registered (docker:runc and docker:runsc stand for the Docker
     * family): for what is per family (packages, host setup, leftovers), where no engine call is wanted.
     */
    public static List<RuntimeDriver> known() {
        return drivers(DockerDriver.builtIn(), ContainerdDriver.builtIn(), K8sDriver.builtIn());
    }

    private static List<RuntimeDriver> drivers(List<DockerDriver> docker, List<ContainerdDriver> containerd,
                                               List<K8sDriver> k8s) {
        List<RuntimeDriver> l = new ArrayList<>();
        l.add(new NativeDriver());
        l.add(new RuncDriver());
        l.add(new CrunDriver());
        l.addAll(RunscDriver.variants());
        l.add(new BwrapDriver());
        l.add(new NspawnDriver());
        l.add(new LxcDriver());
        l.add(new LxcSystemDriver());
        l.addAll(docker);
        l.addAll(containerd);
        l.add(new IncusDriver());
        l.add(new QemuQ35Driver());
        l.add(new QemuMicrovmDriver());
        l.add(new IncusVmDriver());
        l.add(new FirecrackerDriver());
        l.add(new KataDriver(DockerDriver::kataIds));
        l.addAll(k8s);
        l.add(new KubevirtDriver());
        return l;
    }

    /**
     * The driver that a stored result's runtime id belongs to, without asking any engine (stored runs may name an engine
     * runtime that is not registered here and now); empty for an id no driver knows.
     */
    public static Optional<RuntimeDriver> forStoredId(String id) {
        Optional<RuntimeDriver> d = known().stream().filter(r -> r.id().equals(id)).findFirst();
        if (d.isPresent()) {
            return d;
        }
        d = RunscDriver.forStoredId(id); // a runsc@<version> no longer in the cache
        if (d.isPresent()) {
            return d;
        }
        Optional<RuntimeDriver> c = ContainerdDriver.forId(id).map(RuntimeDriver.class::cast);
        if (c.isPresent()) {
            return c;
        }
        Optional<RuntimeDriver> k = K8sDriver.forId(id).map(RuntimeDriver.class::cast); // a RuntimeClass not listed now
        return k.isPresent() ? k : DockerDriver.forId(id).map(RuntimeDriver.class::cast);
    }

    /** What a reader must know about results of runtime {@code id} recorded with {@code details}; none for an unknown id. */
    public static List<String> caveats(String id, java.util.Map<String, Object> details) {
        return forStoredId(id).map(d -> d.caveats(id, details)).orElse(List.of());
    }

    /** The mark for runtime {@code id}'s name with {@code details} (e.g. TCG), or null. */
    public static RuntimeDriver.Mark mark(String id, java.util.Map<String, Object> details) {
        return forStoredId(id).map(d -> d.mark(details)).orElse(null);
    }

    /** Which build of runtime {@code id} ran with {@code details} (e.g. gVisor's version and sha256), or null. */
    public static RuntimeDriver.Build build(String id, java.util.Map<String, Object> details) {
        return forStoredId(id).map(d -> d.build(details)).orElse(null);
    }

    public static Optional<RuntimeDriver> byId(String id) {
        return all().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public static List<String> ids() {
        return all().stream().map(RuntimeDriver::id).toList();
    }
}
