use handoff_store::{Store, testing};
use handoff_web::{Application, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, Once, OnceLock};

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Everything the app logged during this test binary's run.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.get_or_init(Default::default).lock().unwrap()).to_string()
}

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        if std::env::var("TEST_LOG").is_ok() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let buf = LOGS.get_or_init(Default::default).clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,hyper=info,h2=info,reqwest=info",
            ))
            .with_ansi(false)
            .with_writer(move || Capture(buf.clone()))
            .try_init();
    });
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub csrf: Option<String>,
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    pub async fn spawn_with(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_at(fresh_url(db).await, adjust).await
    }

    /// The app on a database made beforehand (see [`fresh_url`]).
    pub async fn spawn_at(url: String, adjust: impl FnOnce(&mut Config)) -> TestApp {
        init_logs();
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), url.clone());
        config.demo = true;
        adjust(&mut config);
        let app = Application::build(config).await.expect("build app");
        let addr = app.local_addr();
        let store = app.state().store.clone();
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            base: format!("http://{addr}"),
            client: client(),
            store,
            csrf: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second browser (its own cookie jar) on the same app.
    pub fn new_client(&self) -> reqwest::Client {
        client()
    }

    pub async fn login(&mut self, email: &str, password: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url("/api/v1/session"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        if status == StatusCode::OK {
            self.csrf = body["csrf_token"].as_str().map(str::to_string);
        }
        (status, body)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
}

/// A new empty database of the backend.
pub async fn fresh_url(db: Db) -> String {
    match db {
        Db::Sqlite => testing::fresh_sqlite_url(),
        Db::Postgres => testing::fresh_postgres_url()
            .await
            .expect("PostgreSQL for tests"),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Runs an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                ($body)($crate::helpers::Db::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                ($body)($crate::helpers::Db::Postgres).await
            }
        }
    };
}

/// Reads the value of a hidden form field from a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}
