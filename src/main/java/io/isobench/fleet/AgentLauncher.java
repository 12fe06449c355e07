package io.isobench.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How a node starts the installed isobench, as this process was started: the {@code isobench} launcher script
 * (it exports its own path as $ISOBENCH_LAUNCHER), else this JVM with this jar. Engines that run the installed
 * isobench on the node (Slurm) use it; nodes need isobench (and its JDK) at the same path.
 */
public final class AgentLauncher {
    private AgentLauncher() {
    }

    /** The argv prefix that starts isobench here; a {@link FleetException} when this process was not started from a jar. */
    public static List<String> current() throws FleetException {
        String env = System.getenv("ISOBENCH_LAUNCHER");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return List.of(env);
        }
        String java = ProcessHandle.current().info().command().orElse(null);
        Path jar;
        try {
            jar = Path.of(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            jar = null;
        }
        if (java == null || jar == null || !jar.toString().endsWith(".jar")) {
            throw new FleetException("cannot tell how this isobench was started (no $ISOBENCH_LAUNCHER, not a jar): "
                    + "start 'fleet run' through the isobench launcher");
        }
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toAbsolutePath().toString());
    }
}
