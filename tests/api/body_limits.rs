//! Issue 19, item 4: no anonymous request can make the server hold a large body. Every route
//! takes the body its largest form needs and no more, refused by its length before it is read;
//! the CSRF token is read from the start of the body, never from the whole of it; an anonymous
//! CSRF cookie the app did not issue is refused outright; uploads stream to disk, a few at a time.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::attachments::{BOUNDARY, file, post_multipart, text};
use crate::helpers::{OFFICIAL_A, TestApp, spawn_app, user_id};

const ANTWERPEN: i32 = 11002;
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Opens a connection and sends `head` and the first bytes of a body.
async fn send_start(app: &TestApp, head: &str, body: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(host(app)).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body).await.expect("body");
    stream.flush().await.expect("flush");
    stream
}

/// The status and the text of the answer on `stream` (headers and body, as far as it came),
/// or `None` when nothing complete arrived within `wait`.
async fn answer_on(stream: &mut TcpStream, wait: Duration) -> Option<(u16, String)> {
    let deadline = Instant::now() + wait;
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
        let text = String::from_utf8_lossy(&received);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// A session for `email` made in the database: the cookie token and the session's CSRF token.
async fn session_of(app: &TestApp, email: &str) -> (String, String) {
    use sea_orm::EntityTrait;
    let user = user_id(&app.db, email).await;
    let token = samenleven::auth::session::create(&app.db, user, None, None, chrono::Utc::now())
        .await
        .expect("a session");
    let csrf = entity::session::Entity::find_by_id(samenleven::auth::hash_token(&token))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the session row")
        .csrf_token;
    (token, csrf)
}

/// The anonymous CSRF cookie (and token) a visitor gets with the login page.
async fn anonymous_token(app: &TestApp) -> String {
    let mut visitor = app.browser();
    visitor.get("/aanmelden").await;
    visitor.csrf.clone()
}

#[tokio::test]
async fn an_oversized_anonymous_login_is_refused_with_413_before_its_body_is_read() {
    let app = spawn_app().await;
    let token = anonymous_token(&app).await;
    let start = format!("csrf_token={token}&email=");
    let host = host(&app);

    // A length far beyond a login form (and within the old 10 MiB for everything); only the
    // first bytes are ever sent.
    let head = format!(
        "POST /aanmelden HTTP/1.1\r\nHost: {host}\r\nCookie: sl_csrf={token}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        5 * 1024 * 1024
    );
    let started = Instant::now();
    let mut stream = send_start(&app, &head, start.as_bytes()).await;
    let (status, page) = answer_on(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer without waiting for the body");
    assert_eq!(status, 413, "{page}");
    assert!(
        page.contains("groter dan toegelaten"),
        "a Dutch page: {page}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // A body without a length that never ends: refused once it passes the limit.
    let head = format!(
        "POST /aanmelden HTTP/1.1\r\nHost: {host}\r\nCookie: sl_csrf={token}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut body = format!("{:x}\r\n{start}\r\n", start.len()).into_bytes();
    let filler = "x".repeat(4096);
    for _ in 0..8 {
        body.extend_from_slice(format!("{:x}\r\n{filler}\r\n", filler.len()).as_bytes());
    }
    let mut stream = send_start(&app, &head, &body).await;
    let (status, _) = answer_on(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer while the body is still coming");
    assert_eq!(status, 413);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn each_route_takes_the_body_its_form_needs_and_no_more() {
    let app = spawn_app().await;
    // A login form is a few KiB at most.
    let mut visitor = app.browser();
    visitor.get("/aanmelden").await;
    let long = "x".repeat(9 * 1024);
    let response = visitor
        .post("/aanmelden", &[("email", long.as_str()), ("password", "x")])
        .await;
    assert_eq!(response.status(), 413);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("groter dan toegelaten")
    );

    // An ordinary form takes 64 KiB: a long text is a field error, a longer body a 413.
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    official.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let path = format!("/dossiers/{dossier}/algemeen");
    let within = "a".repeat(20 * 1024);
    let response = official
        .post(&path, &[("version", "1"), ("summary", within.as_str())])
        .await;
    assert_eq!(
        response.status(),
        422,
        "read and answered with a field error"
    );
    let beyond = "a".repeat(70 * 1024);
    let response = official
        .post(&path, &[("version", "1"), ("summary", beyond.as_str())])
        .await;
    assert_eq!(response.status(), 413);

    // An upload takes the file limit (10 MiB) and a little for the other fields; a longer body
    // is refused by its length.
    official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    let csrf = official.csrf.clone();
    let mut big = vec![b' '; 10 * 1024 * 1024 + 200 * 1024];
    big[..PDF.len()].copy_from_slice(PDF);
    let response = post_multipart(
        &official,
        &format!("/dossiers/{dossier}/bijlagen"),
        &[
            text("csrf_token", &csrf),
            text("kind", "other"),
            file("groot.pdf", "application/pdf", &big),
        ],
    )
    .await;
    assert_eq!(response.status(), 413);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("groter dan toegelaten")
    );
}

#[tokio::test]
async fn an_anonymous_csrf_cookie_the_app_did_not_issue_is_refused_before_the_body_is_read() {
    let app = spawn_app().await;
    let host = host(&app);
    let forged_like_ours = "0123456789abcdef".repeat(4);
    for forged in ["vervalst", forged_like_ours.as_str()] {
        let body = format!(
            "csrf_token={forged}&email=antwerpen%40demo.samenleven.test&password=samenleven-demo"
        );
        let head = format!(
            "POST /aanmelden HTTP/1.1\r\nHost: {host}\r\nCookie: sl_csrf={forged}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut stream = send_start(&app, &head, body.as_bytes()).await;
        let (status, page) = answer_on(&mut stream, Duration::from_secs(10))
            .await
            .expect("an answer");
        assert_eq!(status, 403, "{forged}: {page}");
        assert!(page.contains("Formulier verlopen"), "{page}");
    }
    // A visitor with such a cookie gets a fresh one with the login page, and signs in with it.
    let head =
        format!("GET /aanmelden HTTP/1.1\r\nHost: {host}\r\nCookie: sl_csrf=vervalst\r\n\r\n");
    let mut stream = send_start(&app, &head, b"").await;
    let (status, page) = answer_on(&mut stream, Duration::from_secs(10))
        .await
        .expect("the login page");
    assert_eq!(status, 200);
    let fresh = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: sl_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("a new anonymous cookie")
        .to_owned();
    assert_ne!(fresh, "vervalst");
    let body = format!(
        "csrf_token={fresh}&email=antwerpen%40demo.samenleven.test&password=samenleven-demo"
    );
    let head = format!(
        "POST /aanmelden HTTP/1.1\r\nHost: {host}\r\nCookie: sl_csrf={fresh}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = send_start(&app, &head, body.as_bytes()).await;
    let (status, _) = answer_on(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer");
    assert_eq!(status, 303, "signed in");
}

#[tokio::test]
async fn uploads_beyond_the_concurrent_limit_get_503_with_retry_after_and_a_normal_upload_works() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let (session, csrf) = session_of(&app, OFFICIAL_A).await;
    let host = host(&app);
    let upload_head = |length: usize| {
        format!(
            "POST /dossiers/{dossier}/bijlagen HTTP/1.1\r\nHost: {host}\r\n\
             Cookie: sl_session={session}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
             Content-Length: {length}\r\n\r\n"
        )
    };
    let start = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"traag.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    );
    // As many slow uploads as there are slots, each sending its start and then waiting.
    let slots = samenleven::config::DEFAULT_MAX_CONCURRENT_UPLOADS;
    let mut held = Vec::new();
    for _ in 0..slots {
        held.push(send_start(&app, &upload_head(1024 * 1024), start.as_bytes()).await);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // One more is told to come back later, at once.
    let mut stream = send_start(&app, &upload_head(1024 * 1024), start.as_bytes()).await;
    let (status, page) = answer_on(&mut stream, Duration::from_secs(10))
        .await
        .expect("an answer without waiting for a slot");
    assert_eq!(status, 503, "{page}");
    assert!(page.to_ascii_lowercase().contains("retry-after:"), "{page}");
    assert!(
        page.contains("Probeer het over enkele ogenblikken opnieuw"),
        "{page}"
    );

    // Once the slow ones are gone, an upload goes through, streamed to disk and nothing left
    // behind in the temporary directory.
    drop(held);
    drop(stream);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    let mut data = vec![b' '; 3 * 1024 * 1024];
    data[..PDF.len()].copy_from_slice(PDF);
    let response = crate::attachments::upload(
        &official,
        dossier,
        "other",
        "besluit.pdf",
        "application/pdf",
        &data,
    )
    .await;
    assert_eq!(response.status(), 303);
    let stored: Vec<_> = std::fs::read_dir(app.data_dir.path().join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(std::fs::read(&stored[0]).unwrap(), data);
    let incoming = app.data_dir.path().join("incoming");
    let left = std::fs::read_dir(&incoming).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "no temporary file left behind");
}

#[test]
fn the_route_table_declares_the_body_limit_of_every_route() {
    use reqwest::Method;
    use samenleven::web::{Access, BodyLimit};
    let table = samenleven::web::routes();
    let limit_of = |method: Method, path: &str| {
        table
            .specs()
            .iter()
            .find(|s| s.method == method && s.path == path)
            .unwrap_or_else(|| panic!("{method} {path} in the table"))
            .limit
    };
    // Anyone may send these: a few KiB.
    for spec in table.specs() {
        if spec.access == Access::Public && spec.method != Method::GET {
            assert_eq!(
                spec.limit,
                BodyLimit::Small,
                "{} {}",
                spec.method,
                spec.path
            );
        }
        if spec.method == Method::GET {
            assert_eq!(
                spec.limit,
                BodyLimit::Small,
                "{} {}",
                spec.method,
                spec.path
            );
        }
    }
    // Exactly the forms with a file stream an upload.
    let mut uploads: Vec<&str> = table
        .specs()
        .iter()
        .filter(|s| s.limit == BodyLimit::Upload)
        .map(|s| s.path)
        .collect();
    uploads.sort();
    assert_eq!(
        uploads,
        [
            "/api/v1/dossiers/{id}/attachments",
            "/api/v1/dossiers/{id}/reports/{report}/attachments",
            "/dossiers/{id}/bijlagen",
            "/dossiers/{id}/deelname",
            "/dossiers/{id}/rapporten/{report}/bijlagen",
        ]
    );
    assert_eq!(limit_of(Method::POST, "/aanmelden"), BodyLimit::Small);
    assert_eq!(
        limit_of(Method::POST, "/dossiers/{id}/algemeen"),
        BodyLimit::Form
    );
    assert_eq!(
        limit_of(Method::POST, "/dossiers/{id}/rapporten/{report}"),
        BodyLimit::LargeForm
    );
    assert_eq!(
        limit_of(Method::PATCH, "/api/v1/dossiers/{id}"),
        BodyLimit::Json
    );
}
