CREATE TABLE IF NOT EXISTS violet_universe (
  instance_id String,
  scan_number Int64,
  ts Int64,
  symbols String
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, scan_number);
