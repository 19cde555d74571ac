use app::error::AppError;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const PASSWORD: &str = "correct horse 7";

/// A database for one test: a temporary SQLite file, or a fresh PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// For commands that must not touch a database at all.
    pub fn unused() -> Self {
        Self { url: "sqlite:///nonexistent-dir/never.db".into(), label: "none", _dir: None }
    }
}

/// Every database the tests run against: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut all = vec![TestDb {
        url: format!("sqlite://{}", dir.path().join("roster.db").display()),
        label: "sqlite",
        _dir: Some(dir),
    }];
    if let Ok(admin_url) = std::env::var("ROSTER_TEST_POSTGRES_URL") {
        all.push(TestDb { url: fresh_postgres(&admin_url).await, label: "postgres", _dir: None });
    }
    all
}

async fn fresh_postgres(admin_url: &str) -> String {
    use sqlx::Connection;
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    sqlx::any::install_default_drivers();
    let name = format!(
        "roster_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut conn = sqlx::AnyConnection::connect(admin_url).await.expect("PostgreSQL reachable");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').expect("URL with a database name");
    format!("{base}/{name}")
}

/// `roster --database URL ARGS…`, quiet, ready to spawn.
pub fn command(db: &TestDb, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command.arg("--database").arg(&db.url).args(args).env("RUST_LOG", "error");
    command
}

/// Runs `roster --database URL ARGS…` with `stdin` as standard input.
pub fn roster(db: &TestDb, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = command(db, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("roster runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Creates an organisation and a person in it with [`PASSWORD`].
pub fn person(db: &TestDb, tenant: &str, email: &str, access_level: &str) {
    let created = roster(db, &["tenant", "create", tenant], "");
    let exists = String::from_utf8_lossy(&created.stderr).contains("already taken");
    assert!(created.status.success() || exists, "{created:?}");
    let out = roster(
        db,
        &["user", "create", "--tenant", tenant, "--email", email, "--last-name", "Tester", "--access-level", access_level],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{out:?}");
}

/// Acme (admin ann, user bob, and `groups`) and Other (admin zed), on every database.
pub async fn acme_and_other(groups: &[&str]) -> Vec<TestDb> {
    let mut all = databases().await;
    for db in &mut all {
        person(db, "Acme", "ann@acme.test", "Admin");
        person(db, "Acme", "bob@acme.test", "User");
        person(db, "Other", "zed@other.test", "Admin");
        for group in groups {
            assert!(roster(db, &["group", "create", "--tenant", "Acme", group], "").status.success());
        }
    }
    all
}

/// A direct connection to the test database, for setting up and checking.
pub async fn connect(db: &TestDb) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&db.url).await.unwrap()
}

pub async fn sql(db: &TestDb, statement: &str) {
    sqlx::query(statement).execute(&mut connect(db).await).await.unwrap();
}

pub async fn scalar(db: &TestDb, query: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(query).fetch_one(&mut connect(db).await).await.unwrap().get(0)
}

/// The server, killed when dropped.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    child: Child,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn spawn(db: &TestDb, extra: &[&str]) -> TestApp {
    let mut child = command(db, &["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("roster serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "unexpected first line: {line:?}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp { base, http, child }
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The session token the server set, if any.
    pub fn session(&self) -> Option<String> {
        self.set_cookie()
            .and_then(|c| c.strip_prefix("roster_session=")?.split(';').next().map(str::to_string))
            .filter(|token| !token.is_empty())
    }

    pub fn set_cookie(&self) -> Option<&str> {
        self.headers.get(SET_COOKIE).and_then(|v| v.to_str().ok())
    }

    pub fn error(&self) -> AppError {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not an AppError: {} {}", self.status, self.body))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {} {}", self.status, self.body))
    }
}

impl TestApp {
    /// Calls a server function as the page does: a form-encoded POST.
    pub async fn call(&self, function: &str, form: &[(&str, &str)], session: Option<&str>) -> Reply {
        self.post(function, form, session, &[]).await
    }

    pub async fn post(&self, function: &str, form: &[(&str, &str)], session: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = self
            .http
            .post(format!("{}/api/{function}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body);
        if let Some(token) = session {
            request = request.header(COOKIE, format!("roster_session={token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        reply(request.send().await.expect("server answers")).await
    }

    /// Posts to a server function a body said to be `length` bytes long,
    /// without sending it, and returns the status: what a server that judges
    /// a body by its declared length answers before reading any of it.
    pub fn declared(&self, function: &str, length: usize, session: Option<&str>) -> u16 {
        use std::io::Read;
        let address = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("server listens");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let cookie = session.map(|token| format!("Cookie: roster_session={token}\r\n")).unwrap_or_default();
        write!(stream, "POST /api/{function} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/cbor\r\nContent-Length: {length}\r\n{cookie}\r\n").unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).expect("an answer before the body");
        String::from_utf8_lossy(&head[9..]).parse().expect("a status")
    }

    /// Calls a server function whose arguments travel as JSON.
    pub async fn call_json(&self, function: &str, body: &serde_json::Value, session: Option<&str>) -> Reply {
        let mut request = self
            .http
            .post(format!("{}/api/{function}", self.base))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.to_string());
        if let Some(token) = session {
            request = request.header(COOKIE, format!("roster_session={token}"));
        }
        reply(request.send().await.expect("server answers")).await
    }

    /// A GET with the session cookie, as a download link does.
    pub async fn get(&self, path: &str, session: Option<&str>) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = session {
            request = request.header(COOKIE, format!("roster_session={token}"));
        }
        reply(request.send().await.expect("server answers")).await
    }

    /// Calls a server function whose input or output is CBOR, as the import
    /// page does. Returns the status and the raw answer.
    pub async fn cbor(&self, function: &str, body: Option<&impl serde::Serialize>, session: Option<&str>) -> (u16, Vec<u8>) {
        let mut request = self.http.post(format!("{}/api/{function}", self.base)).header("accept", "application/cbor");
        request = match body {
            Some(body) => {
                let mut bytes = Vec::new();
                ciborium::into_writer(body, &mut bytes).unwrap();
                request.header("content-type", "application/cbor").body(bytes)
            }
            None => request.header("content-type", "application/x-www-form-urlencoded").body(""),
        };
        if let Some(token) = session {
            request = request.header(COOKIE, format!("roster_session={token}"));
        }
        let response = request.send().await.expect("server answers");
        (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
    }

    /// Loads a page as a browser would.
    pub async fn page(&self, path: &str, session: Option<&str>) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.base)).header("accept", "text/html");
        if let Some(token) = session {
            request = request.header(COOKIE, format!("roster_session={token}"));
        }
        reply(request.send().await.expect("server answers")).await
    }

    /// Signs in and returns the session token.
    pub async fn sign_in(&self, login: &str) -> String {
        self.sign_in_with(login, PASSWORD).await
    }

    /// Signs in with this password and returns the session token.
    pub async fn sign_in_with(&self, login: &str, password: &str) -> String {
        let reply = self.call("login", &[("email", login), ("password", password)], None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.session().expect("a session cookie")
    }

    /// The signed-in user's e-mail, or None.
    pub async fn whoami(&self, session: &str) -> Option<String> {
        let reply = self.call("current_user", &[], Some(session)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["email"].as_str().map(str::to_string)
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Writes `bytes` into `dir` as `name`; the path, as the command line takes it.
pub fn saved(dir: &tempfile::TempDir, name: impl AsRef<std::path::Path>, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}
