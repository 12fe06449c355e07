package io.isobench.runtime.incus;

import io.isobench.proc.Proc;
import io.isobench.proc.ProcResult;
import io.isobench.runtime.Leftovers;
import io.isobench.util.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Incus instances a dead isobench left: named {@code isobench-*} and carrying {@link Incus#PID_KEY} with a pid that is
 * not alive and {@link Incus#PIDNS_KEY} equal to this process's pid namespace ({@code incus delete --force}). Their
 * devices go with them; the cached images ({@code isobench-<hash>}) are kept. Nothing when no daemon answers.
 */
enum IncusLeftovers implements Leftovers {
    INSTANCE;

    @Override
    public List<String> sweep(List<Path> deadWorkDirs) {
        List<String> done = new ArrayList<>();
        if (!Incus.running()) {
            return done;
        }
        ProcResult r = Incus.call("query", "/1.0/instances?recursion=1");
        if (!r.ok()) {
            return done;
        }
        for (String name : deadOwners(r.stdout(), Incus.pidNamespace(), Proc::running)) {
            if (Incus.call("delete", "--force", name).ok()) {
                done.add("incus instance " + name);
            }
        }
        return done;
    }

    /**
     * The names of instances in {@code instancesJson} (the answer to {@code GET /1.0/instances?recursion=1}) owned by an
     * isobench of pid namespace {@code pidns} whose pid is not alive.
     */
    static List<String> deadOwners(String instancesJson, String pidns, java.util.function.LongPredicate alive) {
        List<String> l = new ArrayList<>();
        Object list;
        try {
            list = Json.MAPPER.readValue(instancesJson, Object.class);
        } catch (Exception e) {
            return l;
        }
        if (!(list instanceof List<?> items)) {
            return l;
        }
        for (Object o : items) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || !name.startsWith("isobench-")
                    || !(m.get("config") instanceof Map<?, ?> config)) {
                continue;
            }
            Object pid = config.get(Incus.PID_KEY);
            if (pid instanceof String p && p.matches("\\d{1,10}") && pidns.equals(config.get(Incus.PIDNS_KEY))
                    && !alive.test(Long.parseLong(p))) {
                l.add(name);
            }
        }
        return l;
    }
}
