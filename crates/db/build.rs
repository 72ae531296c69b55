//! The migrations are embedded at compile time (`sqlx::migrate!`): rebuild
//! this crate whenever a migration is added or changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations_backend");
}
