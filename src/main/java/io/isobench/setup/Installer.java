package io.isobench.setup;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;
import io.isobench.util.Tools;
import io.isobench.util.UserException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Installs the Debian/Ubuntu packages isobench needs with apt-get: asks on a terminal, installs without
 * asking with --yes, and without a terminal and without --yes only says what is missing.
 */
public final class Installer {
    /**
     * A package and why it is needed; {@code probeCommand} is the executable whose presence means installed, or
     * an absolute path of a file the package ships (for packages without an executable, such as libc6-dev).
     */
    public record Need(String pkg, String probeCommand, String why) {
    }

    private final PrintStream err;

    public Installer(PrintStream err) {
        this.err = err;
    }

    /**
     * What the quick study needs: the packages of every registered runtime that {@code setup} installs (one entry per
     * package, its reasons joined), then the benchmark tools.
     */
    public static List<Need> defaultPackages() {
        Map<String, Need> byPkg = new LinkedHashMap<>();
        for (RuntimeDriver d : Runtimes.known()) {
            if (d.installedBySetup()) {
                d.packages().forEach(p -> add(byPkg, new Need(p.name(), p.presentWhen(), p.why())));
            }
        }
        add(byPkg, new Need("sysbench", "sysbench", "benchmarks cpu, memory and disk-fileio"));
        add(byPkg, new Need("fio", "fio", "benchmark disk"));
        add(byPkg, new Need("iperf3", "iperf3", "benchmark network"));
        add(byPkg, new Need("python3-torch", "/usr/lib/python3/dist-packages/torch/__init__.py", "benchmark ml (PyTorch)"));
        add(byPkg, new Need("python3-torchvision", "/usr/lib/python3/dist-packages/torchvision/__init__.py", "benchmark ml (ResNet and MobileNet models)"));
        add(byPkg, new Need("busybox-static", "busybox", "shell and utilities inside the workload image"));
        add(byPkg, new Need("gcc", "gcc", "the isobench-spawn launcher helper (without it the JDK starts sandboxes, slower at scale), the syscall/HTTP probes"));
        add(byPkg, new Need("libc6-dev", "/usr/include/stdio.h", "benchmarks syscall and syscall-surface (static C library for the probe)"));
        add(byPkg, new Need("linux-libc-dev", "/usr/include/asm-generic/unistd.h", "benchmark syscall-surface (system call names)"));
        add(byPkg, new Need("strace", "strace", "benchmark syscall-surface without root or ftrace (fallback)"));
        return List.copyOf(byPkg.values());
    }

    /** Adds {@code n}, or its reason to the entry of the same package (drivers of one family share packages). */
    private static void add(Map<String, Need> byPkg, Need n) {
        byPkg.merge(n.pkg(), n, (a, b) -> a.why().contains(b.why()) ? a : new Need(a.pkg(), a.probeCommand(), a.why() + "; " + b.why()));
    }

    /** Asks a yes/no question on a terminal; false without a terminal or on anything but yes. */
    public static boolean confirm(PrintStream err, String question) {
        if (System.console() == null || !io.isobench.exec.Progress.stderrIsTerminal()) {
            return false;
        }
        err.print(question + " [y/N] ");
        err.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
        } catch (IOException e) {
            return false;
        }
    }

    public List<Need> missing(List<Need> needs) {
        return needs.stream().filter(n -> n.probeCommand().startsWith("/")
                ? !java.nio.file.Files.exists(java.nio.file.Path.of(n.probeCommand()))
                : Tools.which(n.probeCommand()) == null).toList();
    }

    /** Installs what is missing. Returns true when everything is present afterwards. */
    public boolean ensure(List<Need> needs, boolean yes) {
        List<Need> missing = missing(needs);
        if (missing.isEmpty()) {
            return true;
        }
        List<String> pkgs = missing.stream().map(Need::pkg).toList();
        err.println("isobench: missing packages:");
        missing.forEach(n -> err.println("  " + n.pkg() + "  (" + n.why() + ")"));
        if (Tools.which("apt-get") == null) {
            throw new UserException("no apt-get on this host: install " + String.join(" ", pkgs) + " with your package manager");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new UserException("installing packages needs root: run 'sudo apt-get install " + String.join(" ", pkgs) + "'");
        }
        if (!yes) {
            if (System.console() == null || !io.isobench.exec.Progress.stderrIsTerminal()) {
                err.println("isobench: not a terminal, not installing without --yes; continuing with what is installed");
                return false;
            }
            err.print("Install them now with apt-get? [y/N] ");
            err.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
                err.println("isobench: not installing; continuing with what is installed");
                return false;
            }
        }
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
        argv.addAll(pkgs);
        err.println("isobench: apt-get update");
        ProcResult up = Proc.of("apt-get", "update", "-q").env(java.util.Map.of("DEBIAN_FRONTEND", "noninteractive"))
                .timeout(Duration.ofMinutes(5)).run();
        if (!up.ok()) {
            err.println("isobench: apt-get update failed (" + up.failureSummary() + "); trying the install anyway");
        }
        err.println("isobench: " + String.join(" ", argv));
        ProcResult r = Proc.of(argv).env(java.util.Map.of("DEBIAN_FRONTEND", "noninteractive"))
                .timeout(Duration.ofMinutes(20)).run();
        if (!r.ok()) {
            err.println("isobench: install failed: " + r.failureSummary());
            err.println(r.combinedOutput().lines().skip(Math.max(0, r.combinedOutput().lines().count() - 15))
                    .reduce("", (a, b) -> a + "  " + b + "\n"));
            return false;
        }
        List<Need> still = missing(needs);
        still.forEach(n -> err.println("isobench: " + n.pkg() + " installed but " + n.probeCommand() + " is still not on PATH"));
        return still.isEmpty();
    }
}
