package io.isobench.runtime.oci;

import io.isobench.runtime.Cgroups;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Limits;
import io.isobench.runtime.Scratch;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI runtime bundle (config.json) for one instance. The root file system is the shared,
 * cached workload image mounted read-only; /tmp is a private tmpfs. Namespaces: pid, ipc, uts, mount and
 * network (a new network namespace with only loopback: no network). CPU and memory limits come from
 * {@link Limits}. Capabilities are Docker's default set so servers behave as under an engine.
 */
public final class OciBundle {
    static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    static final long CPU_PERIOD_US = Cgroups.CPU_PERIOD_US;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OciBundle() {
    }

    /** Creates {@code dir} with a config.json for {@code spec}; returns the cgroups path used. */
    public static String write(Path dir, LaunchSpec spec) throws IOException {
        return write(dir, spec, null);
    }

    /**
     * As {@link #write(Path, LaunchSpec)}; a non-null {@code scratch} host directory is bind-mounted read-write at
     * {@link Scratch#PATH} (the image has that directory, so the read-only rootfs needs no new mount point).
     */
    public static String write(Path dir, LaunchSpec spec, Path scratch) throws IOException {
        return write(dir, spec, scratch, null);
    }

    /**
     * As {@link #write(Path, LaunchSpec, Path)}; a non-null {@code netns} is the path of an existing network namespace
     * the container joins (instead of a new one with loopback only).
     */
    public static String write(Path dir, LaunchSpec spec, Path scratch, Path netns) throws IOException {
        Files.createDirectories(dir);
        String cgroupsPath = "/isobench/" + spec.name();
        Files.writeString(dir.resolve("config.json"),
                JSON.writeValueAsString(config(spec, cgroupsPath, scratch, netns)));
        return cgroupsPath;
    }

    static Map<String, Object> config(LaunchSpec spec, String cgroupsPath) {
        return config(spec, cgroupsPath, null, null);
    }

    static Map<String, Object> config(LaunchSpec spec, String cgroupsPath, Path scratch, Path netns) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ociVersion", "1.0.2");
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", spec.argv());
        List<String> env = new ArrayList<>();
        Scratch.workloadEnv(spec).forEach((k, v) -> env.add(k + "=" + v));
        process.put("env", env);
        process.put("cwd", "/");
        process.put("capabilities", Map.of("bounding", CAPABILITIES, "effective", CAPABILITIES,
                "permitted", CAPABILITIES));
        // no rlimits: the workload inherits the launcher's, exactly as the native baseline does
        process.put("noNewPrivileges", true);
        c.put("process", process);
        c.put("root", Map.of("path", spec.image().rootfs().toAbsolutePath().toString(), "readonly", true));
        c.put("hostname", "isobench");
        List<Map<String, Object>> mounts = new ArrayList<>(List.of(
                mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777")),
                mount("/run", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=755"))));
        if (scratch != null) {
            mounts.add(mount(Scratch.PATH, "bind", scratch.toAbsolutePath().toString(), List.of("rbind", "rw")));
        }
        c.put("mounts", mounts);
        Map<String, Object> linux = new LinkedHashMap<>();
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        Limits l = spec.limits();
        resources.put("memory", Map.of("limit", l.memoryBytes()));
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("quota", Math.round(l.cpus() * CPU_PERIOD_US));
        cpu.put("period", CPU_PERIOD_US);
        if (l.cpuset() != null) {
            cpu.put("cpus", l.cpuset().toString());
        }
        if (l.mems() != null) {
            cpu.put("mems", l.mems());
        }
        resources.put("cpu", cpu);
        linux.put("resources", resources);
        linux.put("cgroupsPath", cgroupsPath);
        Map<String, Object> network = netns == null ? Map.of("type", "network")
                : Map.of("type", "network", "path", netns.toString());
        linux.put("namespaces", List.of(Map.of("type", "pid"), network, Map.of("type", "ipc"),
                Map.of("type", "uts"), Map.of("type", "mount")));
        linux.put("maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/sys/firmware", "/proc/scsi"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        c.put("linux", linux);
        return c;
    }

    private static Map<String, Object> mount(String dest, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", dest);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }
}
