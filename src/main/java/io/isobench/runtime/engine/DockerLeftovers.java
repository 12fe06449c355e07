package io.isobench.runtime.engine;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Leftovers;
import io.isobench.util.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker containers labelled with a dead isobench pid of this pid namespace ({@code docker rm -f}: only by label, never
 * because a file names them), containerd tasks of the cidfiles in dead work dirs that Docker no longer knows and whose
 * spec is an isobench sandbox's (a failed runsc start), then the dead processes' bridge networks. Nothing when no
 * engine answers.
 */
enum DockerLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        if (Tools.which("docker") == null || !Files.exists(Path.of("/var/run/docker.sock"))) {
            return done;
        }
        String label = DockerNetwork.PID_LABEL;
        ProcResult ps = Proc.of(DockerDriver.docker(), "ps", "-a", "--filter", "label=" + label, "--filter",
                "label=" + DockerNetwork.PIDNS_LABEL + "=" + DockerNetwork.pidNamespace(), "--format",
                "{{.ID}} {{.Label \"" + label + "\"}} {{.Names}}").timeout(DockerDriver.CALL_TIMEOUT).run();
        if (!ps.ok()) {
            return done; // no engine running: its containers are not running either
        }
        for (String line : ps.stdout().lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f.length == 3 && io.isobench.util.Pid.parse(f[1]) > 0 && !DockerDriver.alive(io.isobench.util.Pid.parse(f[1]))
                    && Proc.of(DockerDriver.docker(), "rm", "-f", f[0]).timeout(DockerDriver.CALL_TIMEOUT).run().ok()) {
                done.add("docker container " + f[2]);
            }
        }
        for (Path d : deadWorkDirs) {
            try (var files = Files.list(d)) {
                for (Path cid : files.filter(p -> p.getFileName().toString().endsWith(".cid")).toList()) {
                    if (Files.isRegularFile(cid, java.nio.file.LinkOption.NOFOLLOW_LINKS) && DockerDriver.removeLeftTask(cid, false)) {
                        done.add("containerd task of " + cid.getFileName());
                    }
                }
            } catch (IOException ignored) {
                // the dir went meanwhile
            }
        }
        for (String n : DockerNetwork.sweepDead()) {
            done.add("docker network " + n);
        }
        return done;
    }
}
