CREATE TABLE IF NOT EXISTS violet_order_events (
  instance_id String,
  scan_number Int64,
  event String,
  asset String,
  detail String
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, scan_number, event);
