-- The portal's PostgreSQL roles: the tables' owner runs migrations, the app runs as portal_app.
--
-- Run as the owner of the portal's tables (the role `portal db upgrade` ran as), in the
-- portal's database, after every upgrade (it is safe to run again):
--     psql "postgresql://portal_owner@db-host/portal" -f deploy/postgres-roles.sql
-- then give portal_app a password once (ALTER ROLE portal_app PASSWORD '...') and point the
-- app's PORTAL_DATABASE_URL at portal_app.
--
-- portal_app may read and write the portal's rows but may not change the schema (no DDL:
-- it owns nothing and may not create in the schema), and may only add audit events: no
-- UPDATE, DELETE or TRUNCATE on audit_events, and, not being the owner, no ALTER TABLE ...
-- DISABLE TRIGGER either.

DO $$
BEGIN
    CREATE ROLE portal_app LOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- exists already
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO portal_app', current_database());
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM portal_app;
GRANT USAGE ON SCHEMA public TO portal_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;

-- Append-only: the audit log is only ever added to.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM portal_app;
GRANT SELECT, INSERT ON audit_events TO portal_app;

-- The schema version is read at start-up (nothing to migrate), never written by the app.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM portal_app;
GRANT SELECT ON alembic_version TO portal_app;
