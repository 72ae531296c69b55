//! The schema can be distributed by site on Citus without changes: read
//! PostgreSQL's catalog after every migration and refuse any table that
//! would stop `create_distributed_table` or split a site across nodes.
//!
//! - Every table with a `site_id` column is a site table, distributed by
//!   `site_id` (the audit tables by `chain`, which is the site's id: see
//!   [`DISTRIBUTED_BY`]); its distribution column is NOT NULL.
//! - Every primary key, unique constraint and unique index of a site table
//!   includes its distribution column (Citus enforces uniqueness per shard).
//! - A foreign key from a site table to another site table carries the
//!   distribution column on both sides, at the same position (the rows it
//!   joins are co-located). A foreign key to a reference table is free.
//! - Every table without `site_id` is on [`REFERENCE`] (replicated to every
//!   node) or [`COORDINATOR`] (bookkeeping kept on the coordinator), and no
//!   reference table has a foreign key to a site table.
//!
//! The plan these lists make is ARCHITECTURE.md's "Distribution on Citus";
//! the test checks that its script is the one generated here.

use handoff_store::{Store, testing};
use sqlx::{Connection, PgConnection};
use std::collections::{BTreeMap, BTreeSet};

/// Network-wide tables, replicated to every node: small, read everywhere,
/// written rarely. `users` is here, not sharded by its home site: a person
/// acts in several sites, and every site's rows name them (`referred_by`,
/// `case_manager_id`, …) by a foreign key that must hold on every node.
const REFERENCE: &[(&str, &str)] = &[
    (
        "sites",
        "the sites themselves: every site table's `site_id` references it",
    ),
    ("networks", "a state programme or the Bureau's hosted sites"),
    ("network_members", "the Bureau and network staff, by user"),
    (
        "network_month_figures",
        "the network's published answer per month",
    ),
    (
        "network_targets",
        "scorecard targets, network settings versioned like policy",
    ),
    (
        "users",
        "accounts: one person, roles in several sites (`home_site_id` is where the account was made)",
    ),
];

/// Tables that stay local to the coordinator: migration bookkeeping, read
/// only by `Store::migrate`.
const COORDINATOR: &[&str] = &["_handoff_backend_migrations", "_sqlx_migrations"];

/// Site tables whose distribution column is not `site_id`. The audit log is
/// chained per site: `chain` is the site's id (the nil id for the system
/// chain, whose entries name no site), never NULL, where `site_id` is NULL
/// for system entries; a CHECK keeps `chain = site_id` whenever a site is
/// named, so a site's chain lives on the site's node.
const DISTRIBUTED_BY: &[(&str, &str)] = &[("audit_heads", "chain"), ("audit_log", "chain")];

#[derive(sqlx::FromRow)]
struct Column {
    table_name: String,
    column_name: String,
    not_null: bool,
}

#[derive(sqlx::FromRow, Debug)]
struct Key {
    name: String,
    kind: String,
    table_name: String,
    columns: Vec<String>,
    ref_table: Option<String>,
    ref_columns: Vec<String>,
}

/// What the catalog says, reduced to what distribution needs.
struct Catalog {
    /// Every table and its columns (name → NOT NULL).
    tables: BTreeMap<String, BTreeMap<String, bool>>,
    /// Primary keys, unique constraints, unique indexes and foreign keys.
    keys: Vec<Key>,
}

async fn read_catalog(c: &mut PgConnection) -> Catalog {
    let columns: Vec<Column> = sqlx::query_as(
        "SELECT c.relname::text AS table_name, a.attname::text AS column_name, a.attnotnull AS not_null \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
         ORDER BY 1, a.attnum",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for col in columns {
        tables
            .entry(col.table_name)
            .or_default()
            .insert(col.column_name, col.not_null);
    }
    // Constraints, then unique indexes that back no constraint.
    let keys: Vec<Key> = sqlx::query_as(
        "SELECT con.conname::text AS name, con.contype::text AS kind, c.relname::text AS table_name, \
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) \
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns, \
           rc.relname::text AS ref_table, \
           ARRAY(SELECT a.attname::text FROM unnest(COALESCE(con.confkey, '{}')) WITH ORDINALITY k(num, ord) \
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_columns \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class rc ON rc.oid = con.confrelid \
         WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f') \
         UNION ALL \
         SELECT i.relname::text, 'i', c.relname::text, \
           ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(num, ord) \
                 JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num ORDER BY k.ord), \
           NULL, ARRAY[]::text[] \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND x.indisunique \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid) \
         ORDER BY 3, 1",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    Catalog { tables, keys }
}

/// How a table is placed on Citus.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    /// Sharded by this column.
    Distributed(&'static str),
    Reference,
    Coordinator,
    /// On no list and without `site_id`: a violation.
    Unplaced,
}

fn placement(table: &str, columns: &BTreeMap<String, bool>) -> Placement {
    if let Some((_, col)) = DISTRIBUTED_BY.iter().find(|(t, _)| *t == table) {
        return Placement::Distributed(col);
    }
    if columns.contains_key("site_id") {
        return Placement::Distributed("site_id");
    }
    if REFERENCE.iter().any(|(t, _)| *t == table) {
        return Placement::Reference;
    }
    if COORDINATOR.contains(&table) {
        return Placement::Coordinator;
    }
    Placement::Unplaced
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "p" => "primary key",
        "u" => "unique constraint",
        "i" => "unique index",
        _ => "foreign key",
    }
}

/// Every way the catalog breaks the rules, one line each, naming the table
/// and the constraint.
fn violations(cat: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    let placed: BTreeMap<&str, Placement> = cat
        .tables
        .iter()
        .map(|(t, cols)| (t.as_str(), placement(t, cols)))
        .collect();
    for (t, cols) in &cat.tables {
        match &placed[t.as_str()] {
            Placement::Unplaced => out.push(format!(
                "table {t}: has no site_id and is not on the test's list of reference tables"
            )),
            Placement::Distributed(d) => {
                if REFERENCE.iter().any(|(r, _)| r == t) {
                    out.push(format!(
                        "table {t}: listed as a reference table but has a {d} column (a site table)"
                    ));
                }
                match cols.get(*d) {
                    None => out.push(format!("table {t}: has no distribution column {d}")),
                    Some(false) => out.push(format!(
                        "table {t}: its distribution column {d} may be NULL"
                    )),
                    Some(true) => {}
                }
            }
            Placement::Reference | Placement::Coordinator => {}
        }
    }
    for (list, names) in [
        (
            "reference",
            REFERENCE.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        ),
        ("coordinator", COORDINATOR.to_vec()),
    ] {
        for t in names {
            if !cat.tables.contains_key(t) {
                out.push(format!(
                    "table {t}: on the {list} list but not in the schema"
                ));
            }
        }
    }
    for k in &cat.keys {
        let from = &placed[k.table_name.as_str()];
        let to = k.ref_table.as_deref().map(|r| &placed[r]);
        let what = format!("{} {} on {}", kind_name(&k.kind), k.name, k.table_name);
        match (from, k.kind.as_str(), to) {
            (Placement::Distributed(d), "p" | "u" | "i", _)
                if !k.columns.iter().any(|c| c == d) =>
            {
                out.push(format!(
                    "{what} ({}): does not include the distribution column {d}",
                    k.columns.join(", ")
                ));
            }
            (Placement::Distributed(d), "f", Some(Placement::Distributed(rd))) => {
                let here = k.columns.iter().position(|c| c == d);
                let there = k.ref_columns.iter().position(|c| c == rd);
                if here.is_none() || here != there {
                    out.push(format!(
                        "{what} ({}) → {} ({}): a key between site tables must join {d} to {rd} (co-location)",
                        k.columns.join(", "),
                        k.ref_table.as_deref().unwrap_or("?"),
                        k.ref_columns.join(", ")
                    ));
                }
            }
            (
                Placement::Distributed(_),
                "f",
                Some(Placement::Coordinator | Placement::Unplaced),
            ) => {
                out.push(format!(
                    "{what} → {}: a site table may reference only site or reference tables",
                    k.ref_table.as_deref().unwrap_or("?")
                ));
            }
            (Placement::Reference, "f", Some(Placement::Distributed(_))) => out.push(format!(
                "{what} → {}: a reference table cannot reference a site table",
                k.ref_table.as_deref().unwrap_or("?")
            )),
            _ => {}
        }
    }
    out
}

/// The Citus script that distributes this schema: reference tables first,
/// then the site tables, each after the tables its foreign keys reference,
/// all co-located with the first.
fn distribution_script(cat: &Catalog) -> String {
    let placed: BTreeMap<&str, Placement> = cat
        .tables
        .iter()
        .map(|(t, cols)| (t.as_str(), placement(t, cols)))
        .collect();
    let mut out = String::new();
    for (t, p) in &placed {
        if *p == Placement::Reference {
            out.push_str(&format!("SELECT create_reference_table('{t}');\n"));
        }
    }
    // Topological order by foreign keys between site tables (name order
    // among equals), so every referenced table is distributed first.
    let site: BTreeSet<&str> = placed
        .iter()
        .filter(|(_, p)| matches!(p, Placement::Distributed(_)))
        .map(|(t, _)| *t)
        .collect();
    let mut deps: BTreeMap<&str, BTreeSet<&str>> =
        site.iter().map(|t| (*t, BTreeSet::new())).collect();
    for k in &cat.keys {
        if let (Some(r), true) = (k.ref_table.as_deref(), k.kind == "f")
            && site.contains(k.table_name.as_str())
            && site.contains(r)
            && r != k.table_name
        {
            deps.get_mut(k.table_name.as_str()).unwrap().insert(r);
        }
    }
    let mut done: Vec<&str> = Vec::new();
    while done.len() < site.len() {
        let next = deps
            .iter()
            .find(|(t, d)| !done.contains(t) && d.iter().all(|x| done.contains(x)))
            .map(|(t, _)| *t)
            .expect("no cycle of foreign keys between site tables");
        done.push(next);
    }
    let first = done.first().copied().unwrap_or("");
    for t in &done {
        let Placement::Distributed(col) = placed[t] else {
            unreachable!()
        };
        if *t == first {
            out.push_str(&format!(
                "SELECT create_distributed_table('{t}', '{col}');\n"
            ));
        } else {
            out.push_str(&format!(
                "SELECT create_distributed_table('{t}', '{col}', colocate_with => '{first}');\n"
            ));
        }
    }
    out
}

async fn migrated() -> PgConnection {
    let url = testing::fresh_postgres_url()
        .await
        .expect("PostgreSQL for tests");
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    PgConnection::connect(&url).await.unwrap()
}

#[tokio::test]
async fn every_site_table_can_be_distributed_by_site_on_postgres() {
    let mut c = migrated().await;
    let cat = read_catalog(&mut c).await;
    assert!(
        cat.tables.len() > 30,
        "read the catalog: {:?}",
        cat.tables.keys()
    );
    let v = violations(&cat);
    assert!(
        v.is_empty(),
        "{} violation(s) of the Citus rules (crates/store/tests/citus_ready.rs):\n{}",
        v.len(),
        v.join("\n")
    );
}

/// Widening the keys kept look-ups by id alone (a record opened from a
/// link, a session by id) on an index: every site table with an `id`
/// column has an index that starts with it — its key `(id, site_id)`.
#[tokio::test]
async fn a_site_row_is_still_found_by_id_alone_through_an_index_on_postgres() {
    let mut c = migrated().await;
    let cat = read_catalog(&mut c).await;
    let leading: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT c.relname::text FROM pg_index x \
         JOIN pg_class c ON c.oid = x.indrelid \
         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] \
         WHERE c.relnamespace = current_schema()::regnamespace AND a.attname = 'id'",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let leading: BTreeSet<String> = leading.into_iter().map(|(t,)| t).collect();
    let missing: Vec<&String> = cat
        .tables
        .iter()
        .filter(|(t, cols)| {
            matches!(placement(t, cols), Placement::Distributed(_)) && cols.contains_key("id")
        })
        .map(|(t, _)| t)
        .filter(|t| !leading.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "site tables with no index led by id: {missing:?}"
    );
}

/// ARCHITECTURE.md's plan is the script these lists and the catalog make.
#[tokio::test]
async fn the_documented_distribution_plan_is_the_schema_on_postgres() {
    let mut c = migrated().await;
    let cat = read_catalog(&mut c).await;
    let script = distribution_script(&cat);
    let doc = include_str!("../../../ARCHITECTURE.md");
    let documented = doc
        .split("## Distribution on Citus")
        .nth(1)
        .and_then(|s| s.split("```sql\n").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap_or("");
    assert_eq!(
        documented, script,
        "ARCHITECTURE.md's \"Distribution on Citus\" script is not this schema's; paste:\n{script}"
    );
    for (t, why) in REFERENCE {
        assert!(
            doc.contains(&format!("`{t}`")),
            "ARCHITECTURE.md names the reference table {t} ({why})"
        );
    }
}

/// The rules can fail: tables made to break each of them are named, with
/// the constraint, in the message.
#[tokio::test]
async fn a_table_that_breaks_a_rule_is_named_on_postgres() {
    let mut c = migrated().await;
    sqlx::raw_sql(
        "CREATE TABLE probe_loose (id UUID PRIMARY KEY, site_id UUID REFERENCES sites (id), \
           code TEXT UNIQUE, person_id UUID, \
           FOREIGN KEY (person_id, site_id) REFERENCES persons (site_id, id)); \
         CREATE UNIQUE INDEX probe_loose_code_lower ON probe_loose (lower(code)); \
         CREATE TABLE probe_orphan (id UUID PRIMARY KEY, probe_id UUID); \
         CREATE TABLE network_member_probe (id UUID PRIMARY KEY); \
         ALTER TABLE networks ADD COLUMN probe_person UUID; \
         ALTER TABLE networks ADD COLUMN probe_site UUID; \
         ALTER TABLE networks ADD FOREIGN KEY (probe_person, probe_site) REFERENCES persons (site_id, id);",
    )
    .execute(&mut c)
    .await
    .unwrap();
    let v = violations(&read_catalog(&mut c).await).join("\n");
    for expected in [
        "table probe_loose: its distribution column site_id may be NULL",
        "primary key probe_loose_pkey on probe_loose (id): does not include the distribution column site_id",
        "unique constraint probe_loose_code_key on probe_loose (code)",
        "unique index probe_loose_code_lower on probe_loose",
        "foreign key probe_loose_person_id_site_id_fkey on probe_loose (person_id, site_id) → persons (site_id, id): a key between site tables must join site_id to site_id",
        "table probe_orphan: has no site_id and is not on the test's list of reference tables",
        "table network_member_probe: has no site_id",
        "on networks → persons: a reference table cannot reference a site table",
    ] {
        assert!(v.contains(expected), "expected {expected:?} in:\n{v}");
    }
}
