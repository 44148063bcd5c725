CREATE TABLE IF NOT EXISTS violet_venue_orders (
  instance_id VARCHAR NOT NULL,
  client_order_id VARCHAR NOT NULL,
  scan_number BIGINT NOT NULL,
  asset VARCHAR NOT NULL,
  side VARCHAR NOT NULL,
  purpose VARCHAR NOT NULL,
  quantity DOUBLE NOT NULL,
  PRIMARY KEY (instance_id, client_order_id)
);
