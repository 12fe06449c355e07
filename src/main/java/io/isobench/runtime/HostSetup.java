package io.isobench.runtime;

import java.io.PrintStream;
import java.util.List;

/**
 * A change to the host that {@code setup} makes for a runtime after its packages are installed (e.g. starting the
 * Docker engine and registering runtimes with it). Drivers of one family return equal instances, so it runs once.
 */
public interface HostSetup {
    /** A short name for the confirmation question ("Docker engine"). */
    String title();

    /** What {@link #apply(PrintStream)} would do, a line per step; empty when nothing is to be done. */
    List<String> plan();

    /** Does it, reporting on {@code err}; false on a problem. */
    boolean apply(PrintStream err);
}
