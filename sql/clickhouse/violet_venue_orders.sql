CREATE TABLE IF NOT EXISTS violet_venue_orders (
  instance_id String,
  client_order_id String,
  scan_number Int64,
  asset String,
  side String,
  purpose String,
  quantity Float64
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, client_order_id);
