package io.isobench.setup;

import io.isobench.runtime.HostSetup;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Runtimes;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * What `setup` and `study` do first: install missing packages, then each runtime family's host setup (e.g. the Docker
 * engine; {@link RuntimeDriver#hostSetup()}). Both ask first.
 */
public final class Setup {
    private Setup() {
    }

    /** Every distinct host setup step of the registered runtimes. */
    static List<HostSetup> hostSetups() {
        return Runtimes.known().stream().map(RuntimeDriver::hostSetup).flatMap(Optional::stream).distinct().toList();
    }

    /** Prints what would be done. */
    public static void dryRun(PrintStream err) {
        List<Installer.Need> missing = new Installer(err).missing(Installer.defaultPackages());
        if (missing.isEmpty()) {
            err.println("isobench: nothing to install");
        }
        missing.forEach(n -> err.println("would install " + n.pkg() + " (" + n.why() + ")"));
        hostSetups().forEach(h -> h.plan().forEach(s -> err.println("would " + s)));
    }

    /** Returns true when everything is in place afterwards. */
    public static boolean run(boolean yes, PrintStream err) {
        boolean ok = new Installer(err).ensure(Installer.defaultPackages(), yes);
        // host setup changes host state (a running daemon, daemon.json): only with --yes or a yes answer
        for (HostSetup h : hostSetups()) {
            List<String> steps = h.plan();
            if (steps.isEmpty()) {
                continue;
            }
            if (yes || Installer.confirm(err, h.title() + ": " + String.join("; ", steps) + ". Do it now?")) {
                ok &= h.apply(err);
            } else {
                err.println("isobench: not changing the " + h.title() + " (isobench setup --yes does)");
            }
        }
        return ok;
    }
}
