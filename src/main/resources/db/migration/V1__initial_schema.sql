-- isobench results store. Every trial (one repetition of one benchmark case in one runtime) is a row of
-- `trials`, committed when it ends; its measured values are rows of `samples`; a trial that produced no
-- valid measurement is a row of `failures` with its reason and the raw tool output.

CREATE TABLE runs (
    id                     TEXT PRIMARY KEY,
    started_at             TEXT NOT NULL,          -- ISO-8601 UTC
    finished_at            TEXT,
    status                 TEXT NOT NULL,          -- running | completed | interrupted | abandoned
    harness_pid            INTEGER,                -- isobench's pid, to tell a live run from one whose process died
    harness_host           TEXT,                   -- hostname the harness ran on
    isobench_version       TEXT NOT NULL,
    host_json              TEXT NOT NULL,          -- host facts (cpu, memory, kernel, cgroup, kvm...)
    plan_json              TEXT NOT NULL,          -- the full effective plan
    tools_json             TEXT NOT NULL,          -- versions of the tools and the workload image
    harness_cpu_seconds    REAL,                   -- isobench's own CPU time (user+system)
    harness_peak_rss_bytes INTEGER                 -- isobench's own peak resident set size
);

CREATE TABLE run_runtimes (
    run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    runtime      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    available    INTEGER NOT NULL,
    version      TEXT,
    reason       TEXT,
    details_json TEXT NOT NULL,
    PRIMARY KEY (run_id, runtime)
);

CREATE TABLE trials (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark   TEXT NOT NULL,
    params_json TEXT NOT NULL,
    runtime     TEXT NOT NULL,
    repetition  INTEGER NOT NULL,                  -- 1..n within warmups, and 1..n within measurements
    warmup      INTEGER NOT NULL,                  -- 1: warmup, never enters statistics
    started_at  TEXT NOT NULL,
    elapsed_ms  REAL NOT NULL,                     -- host monotonic clock, launch to teardown
    status      TEXT NOT NULL,                     -- ok | failed
    raw_output  TEXT NOT NULL                      -- the tool's stdout and stderr
);

CREATE TABLE samples (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    trial_id         INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    run_id           TEXT NOT NULL,
    benchmark        TEXT NOT NULL,
    params_json      TEXT NOT NULL,
    runtime          TEXT NOT NULL,
    repetition       INTEGER NOT NULL,
    warmup           INTEGER NOT NULL,
    metric           TEXT NOT NULL,
    unit             TEXT NOT NULL,
    higher_is_better INTEGER NOT NULL,
    value            REAL NOT NULL
);

CREATE TABLE failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    trial_id    INTEGER REFERENCES trials(id) ON DELETE CASCADE,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    runtime     TEXT NOT NULL,
    benchmark   TEXT NOT NULL,
    params_json TEXT NOT NULL,
    repetition  INTEGER NOT NULL,
    warmup      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    raw_output  TEXT NOT NULL
);

CREATE INDEX samples_by_run ON samples(run_id, benchmark, metric, runtime);
CREATE INDEX trials_by_run ON trials(run_id);
CREATE INDEX failures_by_run ON failures(run_id);
