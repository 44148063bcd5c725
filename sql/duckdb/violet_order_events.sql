CREATE TABLE IF NOT EXISTS violet_order_events (
  instance_id VARCHAR NOT NULL,
  scan_number BIGINT NOT NULL,
  event VARCHAR NOT NULL,
  asset VARCHAR NOT NULL,
  detail VARCHAR NOT NULL,
  PRIMARY KEY (instance_id, scan_number, event)
);
