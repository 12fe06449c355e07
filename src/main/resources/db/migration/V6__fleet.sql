-- `isobench fleet run`: one study across many nodes of a cluster engine (Slurm, Kubernetes). Each node's agent is an
-- ordinary `isobench run --fleet ID --fleet-node NODE` whose run carries the fleet's id and its node's name;
-- `trials_planned` (set when a run's trials are known) lets `fleet status` show trials done of planned.
ALTER TABLE runs ADD COLUMN fleet_id TEXT;
ALTER TABLE runs ADD COLUMN fleet_node TEXT;
ALTER TABLE runs ADD COLUMN trials_planned INTEGER;
CREATE INDEX runs_by_fleet ON runs(fleet_id);

-- A fleet as `fleet run` submitted it: which engine, which nodes, what each node runs.
CREATE TABLE fleets (
    id           TEXT PRIMARY KEY,
    engine       TEXT NOT NULL,                 -- slurm | kubernetes
    created_at   TEXT NOT NULL,                 -- ISO-8601 UTC
    finished_at  TEXT,
    status       TEXT NOT NULL,                 -- running | completed | failed | cancelled | interrupted
    submit_host  TEXT NOT NULL,                 -- where `fleet run` ran
    mode         TEXT NOT NULL,                 -- parallel | one-at-a-time
    agent_json   TEXT NOT NULL                  -- the node agent's argv after the launcher (no credentials)
);

-- One row per selected node: its engine job and how it ended (the engine's reason, or the run's).
CREATE TABLE fleet_nodes (
    fleet_id     TEXT NOT NULL REFERENCES fleets(id) ON DELETE CASCADE,
    node         TEXT NOT NULL,
    seq          INTEGER NOT NULL,              -- submission order
    job          TEXT,                          -- the engine's name for the node's job; null until submitted
    state        TEXT NOT NULL,                 -- waiting | pending | running | succeeded | failed | cancelled
    reason       TEXT,
    PRIMARY KEY (fleet_id, node)
);
