package io.isobench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** isobench's own CPU time and peak RSS, recorded with every run so its disturbance is visible. */
public record SelfUsage(double cpuSeconds, long peakRssBytes) {

    public static SelfUsage now() {
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
        return new SelfUsage(cpu, statusKb("VmHWM") * 1024);
    }

    static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
