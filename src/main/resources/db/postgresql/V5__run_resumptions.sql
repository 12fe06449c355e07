-- See db/migration/V5: each time `isobench run --resume` took up an interrupted or abandoned run.
CREATE TABLE run_resumptions (
    run_id          TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    resumed_at      TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    harness_pid     BIGINT NOT NULL,
    trials_missing  BIGINT NOT NULL
);
CREATE INDEX run_resumptions_by_run ON run_resumptions(run_id);
