-- See db/migration/V6: fleets (`isobench fleet run`), their nodes, and each run's fleet, node and planned trials.
ALTER TABLE runs ADD COLUMN fleet_id TEXT;
ALTER TABLE runs ADD COLUMN fleet_node TEXT;
ALTER TABLE runs ADD COLUMN trials_planned BIGINT;
CREATE INDEX runs_by_fleet ON runs(fleet_id);

CREATE TABLE fleets (
    id           TEXT PRIMARY KEY,
    engine       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,
    submit_host  TEXT NOT NULL,
    mode         TEXT NOT NULL,
    agent_json   TEXT NOT NULL
);

CREATE TABLE fleet_nodes (
    fleet_id     TEXT NOT NULL REFERENCES fleets(id) ON DELETE CASCADE,
    node         TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    job          TEXT,
    state        TEXT NOT NULL,
    reason       TEXT,
    PRIMARY KEY (fleet_id, node)
);
