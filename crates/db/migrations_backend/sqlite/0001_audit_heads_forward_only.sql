-- SQLite only (see db.rs, `Store::migrate`). A chain's head may only move
-- forward: refuse moving `seq` back, changing the hash without advancing,
-- moving a head to another chain, and deleting heads. (SQLite has no
-- TRUNCATE; `DELETE FROM audit_heads` fires the delete trigger.)
CREATE TRIGGER audit_heads_forward_only
BEFORE UPDATE ON audit_heads
WHEN NEW.chain IS NOT OLD.chain
  OR NEW.seq < OLD.seq
  OR (NEW.seq = OLD.seq AND NEW.entry_hash IS NOT OLD.entry_hash)
BEGIN
    SELECT RAISE(ABORT, 'audit_heads: a chain head cannot move back');
END;

CREATE TRIGGER audit_heads_no_delete
BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'audit_heads is append-only: a chain head cannot be deleted');
END;
