-- See db/migration/V4: the order rows were recorded in (PostgreSQL has no rowid), and an index for `list --host`.
ALTER TABLE run_runtimes ADD COLUMN seq INTEGER;
ALTER TABLE case_stops ADD COLUMN seq INTEGER;
CREATE INDEX runs_by_host ON runs(harness_host, started_at);
