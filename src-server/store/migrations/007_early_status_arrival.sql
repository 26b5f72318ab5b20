-- The order early statuses came in (store/deliveries.ts recordPartSent applies them in it): received_at is
-- in milliseconds, so statuses of one webhook tie, and nodes' clocks differ. Taken at insert.
ALTER TABLE channel_early_statuses ADD COLUMN arrival bigint GENERATED ALWAYS AS IDENTITY;
