package io.isobench.fleet;

import java.util.List;

/**
 * An engine a recorded fleet names that cannot be used from here (not built in, its client or configuration
 * missing): every call that needs the cluster fails with why, so {@code fleet status} still shows what the store
 * recorded.
 */
public final class UnavailableEngine implements FleetEngine {
    private final String id;
    private final String why;

    public UnavailableEngine(String id, String why) {
        this.id = id;
        this.why = why;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<FleetNode> nodes(NodeSelection selection) throws FleetException {
        throw new FleetException(why);
    }

    @Override
    public String render(FleetJob job, FleetNode node) {
        return "# " + id + " is unavailable here: " + why + "\n";
    }

    @Override
    public String submit(FleetJob job, FleetNode node) throws FleetException {
        throw new FleetException(why);
    }

    @Override
    public List<NodeJobState> jobs(String fleetId) throws FleetException {
        throw new FleetException(why);
    }

    @Override
    public List<String> cancel(String fleetId) throws FleetException {
        throw new FleetException(why);
    }
}
