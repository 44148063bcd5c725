CREATE TABLE IF NOT EXISTS violet_control_audit (
  instance_id String,
  audit_seq Int64,
  at_ms Int64,
  at_scan Nullable(Int64),
  who String,
  action String,
  old_value String,
  new_value String
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, audit_seq);
