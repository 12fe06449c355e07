package io.isobench.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses /proc/meminfo into bytes per key ("MemTotal", "MemAvailable", ...). */
public final class MemInfo {
    private MemInfo() {
    }

    public static Map<String, Long> read(Path file) {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String[] f = line.substring(colon + 1).strip().split("\\s+");
                try {
                    long v = Long.parseLong(f[0]);
                    if (f.length > 1 && f[1].equals("kB")) {
                        v *= 1024;
                    }
                    m.put(line.substring(0, colon), v);
                } catch (NumberFormatException ignored) {
                    // not a number line
                }
            }
        } catch (IOException e) {
            // leave empty: callers treat missing keys as unknown
        }
        return m;
    }
}
