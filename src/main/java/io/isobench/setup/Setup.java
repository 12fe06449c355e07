package io.isobench.setup;

import java.io.PrintStream;
import java.util.List;

/** What `setup` and `study` do first: install missing packages, then get the Docker engine ready (both ask first). */
public final class Setup {
    private Setup() {
    }

    /** Prints what would be done. */
    public static void dryRun(PrintStream err) {
        List<Installer.Need> missing = new Installer(err).missing(Installer.defaultPackages());
        if (missing.isEmpty()) {
            err.println("isobench: nothing to install");
        }
        missing.forEach(n -> err.println("would install " + n.pkg() + " (" + n.why() + ")"));
        new DockerEngine(err).plan().forEach(s -> err.println("would " + s));
    }

    /** Returns true when everything is in place afterwards. */
    public static boolean run(boolean yes, PrintStream err) {
        boolean ok = new Installer(err).ensure(Installer.defaultPackages(), yes);
        // the Docker engine step changes host state (a running daemon, daemon.json): only with --yes or a yes answer
        DockerEngine engine = new DockerEngine(err);
        List<String> steps = engine.plan();
        if (!steps.isEmpty()) {
            if (yes || Installer.confirm(err, "Docker engine: " + String.join("; ", steps) + ". Do it now?")) {
                ok &= engine.setUp();
            } else {
                err.println("isobench: not changing the Docker engine (isobench setup --yes does)");
            }
        }
        return ok;
    }
}
