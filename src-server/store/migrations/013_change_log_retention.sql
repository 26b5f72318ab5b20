-- How far each tenant's change log had reached at a time on the database's clock, recorded by the
-- retention job (store/changeLogTrim.ts) at each run: every version at or below a mark older than the
-- retention window was written before it, so it may go. A mark per tenant per run instead of a time on
-- every change-log row: the log stays as compact as it was, and writers are not touched.
CREATE TABLE change_log_marks (
  tenant_id text NOT NULL REFERENCES tenants(id),
  at bigint NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (tenant_id, at)
);
