CREATE TABLE IF NOT EXISTS violet_venue_fills (
  instance_id String,
  venue_order_id String,
  fill_no Int32,
  client_order_id Nullable(String),
  scan_number Int64,
  ts Int64,
  asset String,
  purpose String,
  side Nullable(String),
  price Nullable(Float64),
  quantity Nullable(Float64),
  amount Float64,
  reference_price Nullable(Float64),
  slippage_bps Nullable(Float64)
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, venue_order_id, fill_no);
