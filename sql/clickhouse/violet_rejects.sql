CREATE TABLE IF NOT EXISTS violet_rejects (
  instance_id String,
  source String,
  source_seq Int64,
  scan_number Nullable(Int64),
  reason String,
  raw String
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, source, source_seq);
