//! What the tests of the `handoff` binary share: running it on a database,
//! reading its exit, scratch folders, a test site made through it, and the
//! store opened beside it. Each test binary uses part of it.
#![allow(dead_code)]

use handoff_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `handoff` on the database `db` (with no audit key file from the
/// environment), writing `stdin` to it if given.
pub fn handoff(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .env("HANDOFF_DATABASE_URL", db)
        .env_remove("HANDOFF_AUDIT_KEY_FILE")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run handoff");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// The standard output of a run that succeeded.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The standard error of a run that failed.
pub fn failed(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "expected failure\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A new empty folder of its own under the system's temporary folder.
pub fn temp_dir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("handoff-{what}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The URL of a SQLite database file.
pub fn sqlite(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Makes the site `test` through the binary.
pub fn create_site(db: &str) {
    ok(&handoff(
        db,
        &[
            "admin",
            "create-site",
            "--name",
            "Test County LEAD",
            "--slug",
            "test",
            "--time-zone",
            "America/Denver",
        ],
        None,
    ));
}

/// Makes an agency of the site `test` through the binary.
pub fn create_agency(db: &str, name: &str, kind: &str) {
    ok(&handoff(
        db,
        &[
            "admin",
            "create-agency",
            "--site",
            "test",
            "--name",
            name,
            "--kind",
            kind,
        ],
        None,
    ));
}

/// Runs `f` on the store of `db` (opened and closed around it), on a
/// runtime of its own.
pub fn on_store<T>(db: &str, f: impl AsyncFnOnce(&Store) -> T) -> T {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(db).await.unwrap();
        let out = f(&store).await;
        store.close().await;
        out
    })
}

/// The demo site's id.
pub async fn demo_site(store: &Store) -> handoff_domain::SiteId {
    handoff_store::orgs::find_site_by_slug(&mut store.conn(), "demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A running `handoff serve` on a port of its own.
pub struct Server {
    child: std::process::Child,
    pub base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub async fn start(db: &str) -> Server {
        let port = free_port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
            .env("HANDOFF_DATABASE_URL", db)
            .env_remove("HANDOFF_AUDIT_KEY_FILE")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start handoff serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        let client = reqwest::Client::new();
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(240),
                "the server did not become ready"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// `kill -9`: no shutdown, no flush.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}
