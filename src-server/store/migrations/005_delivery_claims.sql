-- Which server node claimed a delivery that is 'sending' (its data folder's node id). With several nodes
-- sharing the database, a node that starts fails as "uncertain" only the sends it left itself, and those
-- whose claim was not renewed within the lease (store/deliveries.ts SENDING_LEASE_MS) — never another
-- node's send in flight.
ALTER TABLE channel_deliveries ADD COLUMN claimed_by text;
