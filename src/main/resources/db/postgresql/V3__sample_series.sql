-- A sample that is one point of a time series (load-profile's CPU % and RSS at 10 Hz) carries where it sits:
-- a JSON object such as {"t_s":"1.300","phase":"load"}. NULL for ordinary samples; statistics (Summary) use
-- only those, series points are stored, exported and charted.
ALTER TABLE samples ADD COLUMN series_json TEXT;
