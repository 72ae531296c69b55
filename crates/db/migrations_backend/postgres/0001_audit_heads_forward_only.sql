-- PostgreSQL only (see db.rs, `Store::migrate`). A chain's head may only move
-- forward: refuse moving `seq` back, changing the hash without advancing,
-- moving a head to another chain, deleting heads and truncating the table.
-- The application role is also denied UPDATE, DELETE and TRUNCATE on
-- audit_log by grants (ARCHITECTURE.md, "PostgreSQL grants for the audit log").
CREATE FUNCTION audit_heads_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_heads is append-only: a chain head cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.chain <> OLD.chain
       OR NEW.seq < OLD.seq
       OR (NEW.seq = OLD.seq AND NEW.entry_hash <> OLD.entry_hash) THEN
        RAISE EXCEPTION 'audit_heads: the head of chain % cannot move back from seq % to seq %',
            OLD.chain, OLD.seq, NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_heads_forward_only
    BEFORE UPDATE OR DELETE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_heads_forward_only();

CREATE TRIGGER audit_heads_no_truncate
    BEFORE TRUNCATE ON audit_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_heads_forward_only();
