-- The host's other work just before each trial: the mean number of runnable tasks that were not isobench's, from
-- 5 reads of /proc/loadavg 10 ms apart at the end of the cooldown, when the run's own instances are down (null:
-- not measured, e.g. runs made before this column). `compare` withholds a regression of a case measured while the
-- host was busy (exit 3, inconclusive), and reports warn about such runs.
ALTER TABLE trials ADD COLUMN others_runnable REAL;
