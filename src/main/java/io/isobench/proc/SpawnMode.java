package io.isobench.proc;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * How the JVM starts processes, chosen once before the first start. The JDK's default on Linux, POSIX_SPAWN, starts
 * every process through its helper {@code jspawnhelper} (posix_spawn of the helper, which then execs the command):
 * one more exec of a dynamically linked binary, measured at ~1 ms per launch on the dev host (first stdout line of
 * {@code busybox sh -c 'echo ready'} 2.06 ms vs 0.85 ms, medians of 200), which is all of isobench's gap to hyperfine
 * for native startup. VFORK execs the command directly from a vfork()ed child. The JDK deprecates VFORK and prints
 * a notice when it initializes its process class; isobench uses it while the JDK has it, swallows that one notice,
 * and leaves any launch mechanism the user set ({@code -Djdk.lang.Process.launchMechanism=...}) alone.
 */
public final class SpawnMode {
    static final String PROPERTY = "jdk.lang.Process.launchMechanism";
    private static volatile String mode;

    private SpawnMode() {
    }

    /** Selects VFORK when this JDK has it and nobody chose a mechanism; call before any process is started. */
    public static synchronized void init() {
        if (mode != null) {
            return;
        }
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            mode = set.toLowerCase(java.util.Locale.ROOT) + " (set by the user)";
            return;
        }
        if (!jdkHasVfork()) {
            mode = "posix_spawn via jspawnhelper (JDK default; this JDK has no VFORK)";
            return;
        }
        System.setProperty(PROPERTY, "VFORK");
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            Class.forName("java.lang.ProcessImpl", true, null); // reads the property and prints its notice once
            mode = "vfork (JDK launchMechanism=VFORK)";
        } catch (ClassNotFoundException | LinkageError e) {
            mode = "JDK default (VFORK could not be selected: " + e + ")";
        } finally {
            System.setErr(err);
        }
    }

    private static boolean jdkHasVfork() {
        try {
            Object[] c = Class.forName("java.lang.ProcessImpl$LaunchMechanism", false, null).getEnumConstants();
            return System.getProperty("os.name", "").equals("Linux") && c != null
                    && Arrays.stream(c).anyMatch(x -> x.toString().equals("VFORK"));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** What {@link #init()} chose, for the run's provenance; "JDK default" when it was not called. */
    public static String describe() {
        String m = mode;
        return m == null ? "JDK default (posix_spawn via jspawnhelper)" : m;
    }
}
