package io.isobench.runtime.vm;

import io.isobench.host.HostFacts;
import io.isobench.host.KvmProbe;
import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Availability;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kata Containers as an installation: doctor's entry for it. Kata is measured through an engine that has it
 * registered, as {@code docker:kata*} (the engine family's driver labels those runs with the hypervisor this class
 * reads, see {@link #hypervisor()}); a containerd family ({@code containerd:kata}) does not exist in isobench yet.
 * This entry itself never launches: its probe says whether Kata is installed, which hypervisor it is configured with
 * (QEMU, Cloud Hypervisor, Firecracker: from {@code kata-runtime kata-env --json}, else the configuration.toml),
 * whether KVM is usable, and under which engine runtime ids it can be measured.
 */
public final class KataDriver implements RuntimeDriver {
    static final String RUNTIME = "kata-runtime";
    static final String SHIM = "containerd-shim-kata-v2";
    /** Where Kata's runtime looks for its configuration, first match wins (Kata's documented search order). */
    static final List<Path> CONFIGS = List.of(Path.of("/etc/kata-containers/configuration.toml"),
            Path.of("/opt/kata/share/defaults/kata-containers/configuration.toml"),
            Path.of("/usr/share/defaults/kata-containers/configuration.toml"));
    private final KvmProbe kvm;
    private final java.util.function.Supplier<List<String>> engineKataIds;

    public KataDriver(java.util.function.Supplier<List<String>> engineKataIds) {
        this(KvmProbe.shared(), engineKataIds);
    }

    KataDriver(KvmProbe kvm, java.util.function.Supplier<List<String>> engineKataIds) {
        this.kvm = kvm;
        this.engineKataIds = engineKataIds;
    }

    @Override
    public String id() {
        return "kata";
    }

    @Override
    public String kind() {
        return "vm";
    }

    @Override
    public String description() {
        return "Kata Containers (containers in lightweight VMs; measured as docker:kata* where the engine has it; needs usable KVM)";
    }

    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        String rt = Tools.which(RUNTIME);
        String shim = Tools.which(SHIM);
        Optional<KataConfig> cfg = rt == null && shim == null ? Optional.empty() : hypervisor();
        String version = rt == null ? null : io.isobench.runtime.Trials.parseVersion(
                Proc.firstLine(Duration.ofSeconds(10), rt, "--version"));
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        cfg.ifPresent(c -> d.put("hypervisor", c.describe()));
        cfg.ifPresent(c -> {
            if (c.config() != null) {
                d.put("configuration", c.config());
            }
        });
        return Availability.no(id(), version, reason(rt != null || shim != null, cfg.orElse(null), kvm.probe(),
                engineKataIds.get()), d);
    }

    /** Doctor's line: what is missing, or where Kata is measured here. */
    static String reason(boolean installed, KataConfig cfg, HostFacts.KvmStatus kvm, List<String> engineIds) {
        List<String> why = new ArrayList<>();
        if (!installed) {
            why.add("not installed (" + RUNTIME + " and " + SHIM + " not found on PATH; Kata is not packaged by Debian: "
                    + "install a kata-static release on a KVM host and register it with the engine)");
        } else if (cfg == null) {
            why.add("installed, but its hypervisor could not be read (" + RUNTIME + " kata-env --json failed and no "
                    + "configuration.toml in " + CONFIGS.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")");
        }
        if (!kvm.usable()) {
            why.add("KVM is " + kvm.summary() + ", and Kata's VMs need it");
        }
        if (installed) {
            why.add(engineIds.isEmpty()
                    ? "no engine has a Kata runtime registered (add kata to /etc/docker/daemon.json's runtimes, then measure docker:kata)"
                    : "measured through the engine as " + String.join(", ", engineIds)
                    + (cfg == null ? "" : " (Kata with " + cfg.hypervisor() + ")"));
        }
        return String.join("; ", why);
    }

    /** The hypervisor of the Kata installation on this host: kata-env first, else the first configuration.toml found. */
    public static Optional<KataConfig> hypervisor() {
        String rt = Tools.which(RUNTIME);
        if (rt != null) {
            ProcResult r = Proc.of(rt, "kata-env", "--json").timeout(Duration.ofSeconds(20)).run();
            if (r.ok()) {
                Optional<KataConfig> c = KataConfig.fromKataEnv(r.stdout());
                if (c.isPresent()) {
                    return c;
                }
            }
        }
        for (Path p : CONFIGS) {
            try {
                if (Files.isRegularFile(p)) {
                    Optional<KataConfig> c = KataConfig.fromToml(Files.readString(p), p.toString());
                    if (c.isPresent()) {
                        return c;
                    }
                }
            } catch (IOException ignored) {
                // try the next one
            }
        }
        return Optional.empty();
    }

    /** Whether an engine runtime is Kata: its name starts with "kata", or its registered path is Kata's shim or runtime. */
    public static boolean isKata(String engineRuntime, Object options) {
        String o = options == null ? "" : options.toString();
        return engineRuntime.startsWith("kata") || o.contains(SHIM) || o.contains("io.containerd.kata") || o.contains("/" + RUNTIME);
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        throw new LaunchException("kata is measured through an engine runtime (docker:kata*), not directly");
    }
}
