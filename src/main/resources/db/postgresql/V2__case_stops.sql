-- Why the measurement of each benchmark case stopped: a fixed number of repetitions, the confidence-interval
-- target of adaptive repetitions met, or their maximum reached.
CREATE TABLE case_stops (
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark   TEXT NOT NULL,
    params_json TEXT NOT NULL,
    repetitions INTEGER NOT NULL,
    reason      TEXT NOT NULL
);
