package io.isobench.runtime;

import io.isobench.image.WorkloadImage;
import io.isobench.proc.ProcResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What every driver's probe shares: a trial launch of the probe image's {@code true} (the only proof a runtime works on
 * this host's kernel and cgroups), instance names, the telling line of a runtime's error, version lines.
 */
public final class Trials {
    /** For a runtime CLI's short calls (--version, kill, delete, stop). */
    public static final Duration CLI_TIMEOUT = Duration.ofSeconds(20);
    /** For a trial instance to run {@code true} and exit. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private Trials() {
    }

    /**
     * Starts one real instance of {@code driver} running the probe image's {@code true}: the only proof the
     * runtime works on this host's kernel and cgroups. Returns ok with {@code details}, or the runtime's own error.
     */
    public static Availability trial(RuntimeDriver driver, ProbeContext ctx, String version, Map<String, Object> details) {
        return trial(driver, ctx, ctx.probeImage(), version, details);
    }

    /** As {@link #trial(RuntimeDriver, ProbeContext, String, Map)} with a given probe image. */
    public static Availability trial(RuntimeDriver driver, ProbeContext ctx, WorkloadImage image, String version,
                              Map<String, Object> details) {
        String failure = trialFailure(driver, ctx, image, "", UnaryOperator.identity());
        return failure == null ? Availability.ok(driver.id(), version, details)
                : Availability.no(driver.id(), version, failure);
    }

    /**
     * Starts one instance of {@code driver} running {@code image}'s {@code true}, its spec changed by {@code adjust}
     * (e.g. given a network); null when it ran and exited 0, else the runtime's own reason.
     *
     * @param nameTag added to the instance name after the driver id ("" or e.g. "-net")
     */
    public static String trialFailure(RuntimeDriver driver, ProbeContext ctx, WorkloadImage image,
                               String nameTag, UnaryOperator<LaunchSpec> adjust) {
        String name = "isobench-probe-" + safeName(driver.id()) + nameTag + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() % 100000;
        LaunchSpec spec = adjust.apply(
                LaunchSpec.builder(name, image, ctx.limits()).argv(List.of(image.tools().get("true"))).build());
        try (Sandbox s = driver.launch(spec)) {
            ProcResult r = s.await(PROBE_TIMEOUT);
            return r.ok() ? null : "a trial container failed: " + reason(r);
        } catch (RuntimeDriver.LaunchException e) {
            return "a trial container could not start: " + e.getMessage();
        }
    }

    /** An instance name usable as a container name, hostname part and cgroup name ("docker:runc" -> "docker-runc"). */
    public static String safeName(String name) {
        return name.replaceAll("[^a-zA-Z0-9_.-]", "-");
    }

    /** The most telling line of a failed trial: the runtime's own error message, without log prefixes. */
    public static String reason(ProcResult r) {
        if (r.timedOut()) {
            return "no exit within " + r.elapsed().toSeconds() + " s";
        }
        String text = (r.stderr() + "\n" + r.stdout()).strip();
        for (String line : text.lines().toList()) {
            String l = line.strip();
            int msg = l.indexOf("msg=\"");
            if (msg >= 0) {
                l = l.substring(msg + 5, l.endsWith("\"") ? l.length() - 1 : l.length());
            }
            if (!l.isEmpty() && !(l.startsWith("--- ") && l.endsWith(" ---"))) { // not a section header (a crash report's)
                return l + " (exit code " + r.exitCode() + ")";
            }
        }
        return "exit code " + r.exitCode() + " with no output";
    }

    /** First line of `--version`, e.g. "runc version 1.1.5+ds1" -> "1.1.5+ds1". */
    public static String parseVersion(String out) {
        String first = out.strip().lines().findFirst().orElse("");
        int i = first.indexOf("version ");
        if (i >= 0) {
            return first.substring(i + "version ".length()).strip();
        }
        return first.isEmpty() ? null : first;
    }

}
