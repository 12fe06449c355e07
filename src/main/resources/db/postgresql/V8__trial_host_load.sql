-- See db/migration/V8: runnable tasks not isobench's, sampled just before each trial (null: not measured).
ALTER TABLE trials ADD COLUMN others_runnable DOUBLE PRECISION;
