CREATE TABLE IF NOT EXISTS violet_position_state (
  instance_id String,
  scan_number Int64,
  ts Int64,
  asset Nullable(String),
  trade_id Nullable(String),
  state String
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, scan_number);
