package io.isobench.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * How to find and remove what an isobench process that died without its cleanup (SIGKILL, OOM kill) left of one runtime
 * family: only things provably owned by a dead isobench (a file inside one of its work dirs, a label naming its pid).
 * Drivers of one family return the same (equal) instance, so the janitor runs it once.
 */
public interface Leftovers {
    /**
     * Removes the family's leftovers; returns a line per thing removed (for the user). Called on every run, also when
     * {@code deadWorkDirs} is empty (leftovers found by label). Must not throw.
     *
     * @param deadWorkDirs work dirs {@code isobench-PID-*} whose pid is dead; the janitor deletes them afterwards
     */
    List<String> sweep(List<Path> deadWorkDirs);

    /**
     * True when this sweep must run before the janitor deletes dead isobench network namespaces (e.g. LXC's command
     * socket lives in the namespace its container was started in).
     */
    default boolean beforeNetnsSweep() {
        return false;
    }
}
