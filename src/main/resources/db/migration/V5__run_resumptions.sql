-- `isobench run --resume`: each time an interrupted or abandoned run was taken up again by another process, with
-- the status it had then and how many planned trials it still lacked. Reports say a run was resumed, and when.
CREATE TABLE run_resumptions (
    run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    resumed_at      TEXT NOT NULL,             -- ISO-8601 UTC
    previous_status TEXT NOT NULL,             -- interrupted | abandoned
    harness_pid     INTEGER NOT NULL,          -- the resuming process (runs.harness_pid is set to it too)
    trials_missing  INTEGER NOT NULL           -- planned trials not yet stored when it resumed
);
CREATE INDEX run_resumptions_by_run ON run_resumptions(run_id);
