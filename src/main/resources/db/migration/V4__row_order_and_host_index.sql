-- The order rows were recorded in, for tables that had only SQLite's rowid to keep it (PostgreSQL has no rowid;
-- the two stores share one schema), and an index for `list --host`.
ALTER TABLE run_runtimes ADD COLUMN seq INTEGER;
ALTER TABLE case_stops ADD COLUMN seq INTEGER;
UPDATE run_runtimes SET seq = rowid;
UPDATE case_stops SET seq = rowid;
CREATE INDEX runs_by_host ON runs(harness_host, started_at);
