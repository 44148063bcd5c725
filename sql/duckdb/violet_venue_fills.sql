CREATE TABLE IF NOT EXISTS violet_venue_fills (
  instance_id VARCHAR NOT NULL,
  venue_order_id VARCHAR NOT NULL,
  fill_no INTEGER NOT NULL,
  client_order_id VARCHAR,
  scan_number BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  asset VARCHAR NOT NULL,
  purpose VARCHAR NOT NULL,
  side VARCHAR,
  price DOUBLE,
  quantity DOUBLE,
  amount DOUBLE NOT NULL,
  reference_price DOUBLE,
  slippage_bps DOUBLE,
  PRIMARY KEY (instance_id, venue_order_id, fill_no)
);
