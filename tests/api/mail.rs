//! The e-mail outbox: mail is queued in the transaction of the change that causes it, and sent by
//! the worker exactly once, through SMTP outages and with several instances on one database.

use std::time::Duration;

use base64::Engine as _;
use chrono::{SubsecRound, TimeDelta, Utc};
use entity::email_outbox::{self, OutboxState};
use samenleven::config::{Config, Sources};
use samenleven::mail::{
    self, CLAIM_LEASE, DeliveryReport, MAX_ATTEMPTS, Mailer, OutboxCounts, OutgoingMail, TestMail,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel,
    TransactionTrait,
};
use tempfile::TempDir;

use crate::helpers::{fresh_database_url, spawn_app, test_config};
use crate::smtp::{ReceivedMail, SmtpCatcher};

const FROM: &str = "Samenleven <noreply@samenleven.test>";

/// A migrated database of its own, with no app (and so no worker) running on it.
struct BareDb {
    dir: TempDir,
    url: String,
    db: DatabaseConnection,
}

async fn bare_db() -> BareDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fresh_database_url(dir.path()).await;
    let db = samenleven::db::connect(&url).await.expect("connect");
    samenleven::db::migrate(&db).await.expect("migrate");
    BareDb { dir, url, db }
}

/// A mailer configured the way the app is in tests: plain SMTP to the local catcher.
fn smtp_mailer(dir: &std::path::Path, smtp: &SmtpCatcher) -> Mailer {
    let config = test_config(dir, "sqlite::memory:", smtp.port);
    Mailer::from_config(&config).expect("smtp mailer")
}

fn message(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body_text: format!("Beste collega,\n\n{subject}: België, één overeenkomst.\n"),
        related: None,
    }
}

fn zoe_test_mail() -> OutgoingMail {
    mail::compose(
        "zoe.peeters@gemeente.test",
        &TestMail {
            naam: "Zoë Peeters".into(),
            gemeente: "Sint-Niklaas".into(),
        },
    )
    .expect("render test mail")
    .related_to("application", 7)
}

async fn row(db: &DatabaseConnection, id: i64) -> email_outbox::Model {
    email_outbox::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("read outbox")
        .expect("outbox row")
}

async fn deliver(db: &DatabaseConnection, mailer: &Mailer, later: TimeDelta) -> DeliveryReport {
    mail::deliver_due(db, mailer, FROM, Utc::now() + later)
        .await
        .expect("deliver_due")
}

async fn message_id(db: &DatabaseConnection, id: i64) -> String {
    let queued = row(db, id).await;
    format!(
        "<outbox-{id}.{}@samenleven.test>",
        queued.created_at.timestamp()
    )
}

/// The header block with folded lines joined.
fn headers(data: &str) -> Vec<(String, String)> {
    let head = data.split_once("\r\n\r\n").map_or(data, |(h, _)| h);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    out
}

fn header(data: &str, name: &str) -> Option<String> {
    headers(data)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| decode_encoded_words(&v))
}

/// Decodes RFC 2047 `=?utf-8?b?...?=` / `?q?` words; whitespace between two words is dropped.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut previous_was_word = false;
    for token in value.split_whitespace() {
        let word = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut parts = t.splitn(3, '?');
                Some((parts.next()?, parts.next()?, parts.next()?))
            });
        let is_word = word.is_some();
        if !out.is_empty() && (!previous_was_word || !is_word) {
            out.push(' ');
        }
        match word {
            Some((_charset, encoding, text)) => {
                let bytes = if encoding.eq_ignore_ascii_case("b") {
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .expect("base64 word")
                } else {
                    decode_qp_bytes(&text.replace('_', " "))
                };
                out.push_str(&String::from_utf8(bytes).expect("utf-8 word"));
            }
            None => out.push_str(token),
        }
        previous_was_word = is_word;
    }
    out
}

fn decode_qp_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

/// The body of a single-part message, transfer encoding undone.
fn body(data: &str) -> String {
    let (_, raw) = data.split_once("\r\n\r\n").expect("a body");
    let encoding = header(data, "Content-Transfer-Encoding").unwrap_or_default();
    let decoded = if encoding.eq_ignore_ascii_case("quoted-printable") {
        decode_qp_bytes(&raw.replace("=\r\n", ""))
    } else if encoding.eq_ignore_ascii_case("base64") {
        base64::engine::general_purpose::STANDARD
            .decode(raw.replace("\r\n", ""))
            .expect("base64 body")
    } else {
        raw.as_bytes().to_vec()
    };
    String::from_utf8(decoded)
        .expect("utf-8 body")
        .replace("\r\n", "\n")
}

fn message_ids(mails: &[ReceivedMail]) -> Vec<String> {
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| header(&m.data, "Message-ID").expect("a Message-ID"))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_mail_queued_in_a_rolled_back_transaction_is_never_sent() {
    let app = spawn_app().await;

    let txn = app.db.begin().await.unwrap();
    mail::enqueue(&txn, message("a@gemeente.test", "Teruggedraaid"))
        .await
        .unwrap();
    txn.rollback().await.unwrap();

    let txn = app.db.begin().await.unwrap();
    mail::enqueue(&txn, message("b@gemeente.test", "Bevestigd"))
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["b@gemeente.test"]);
    assert_eq!(mails[0].subject(), Some("Bevestigd"));
    assert!(mails[0].body().contains("Beste collega,"));
    // Give the worker more rounds, and try ourselves far in the future: nothing else leaves.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mailer = smtp_mailer(app.data_dir.path(), &app.smtp);
    assert_eq!(
        deliver(&app.db, &mailer, TimeDelta::days(2)).await.claimed,
        0
    );
    assert_eq!(app.smtp.mails().await.len(), 1);
    assert_eq!(
        app.count("email_outbox WHERE subject = 'Teruggedraaid'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_worker_sends_a_queued_mail_with_its_dutch_text_intact() {
    let app = spawn_app().await;
    let txn = app.db.begin().await.unwrap();
    let id = mail::enqueue(&txn, zoe_test_mail()).await.unwrap();
    txn.commit().await.unwrap();

    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1, "the app's worker sends the queued mail");
    let received = &mails[0];
    assert_eq!(received.to, ["zoe.peeters@gemeente.test"]);
    assert_eq!(received.from, "noreply@samenleven.test");
    assert_eq!(
        header(&received.data, "Subject").as_deref(),
        Some("Testbericht voor Sint-Niklaas: e-mail werkt ✓")
    );
    assert_eq!(
        header(&received.data, "Message-ID"),
        Some(message_id(&app.db, id).await)
    );
    let text = body(&received.data);
    assert!(text.starts_with("Beste Zoë Peeters,\n"), "{text}");
    assert!(text.contains("ë, é, ï en € blijven intact"), "{text}");

    let sent = row(&app.db, id).await;
    assert_eq!(sent.state, OutboxState::Sent);
    assert!(sent.sent_at.is_some());
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.claim_token, None);
    assert_eq!(
        (sent.related_type.as_deref(), sent.related_id.as_deref()),
        (Some("application"), Some("7"))
    );
}

#[tokio::test]
async fn an_smtp_outage_delays_the_mail_and_it_arrives_exactly_once_afterwards() {
    let app = spawn_app().await;
    let mailer = smtp_mailer(app.data_dir.path(), &app.smtp);
    app.smtp.set_down(true);
    let id = mail::enqueue(&app.db, zoe_test_mail()).await.unwrap();

    // Our own attempt, or the app's worker's (whichever claims the row first), fails.
    deliver(&app.db, &mailer, TimeDelta::zero()).await;
    let mut waiting = row(&app.db, id).await;
    for _ in 0..100 {
        if waiting.state == OutboxState::Pending && waiting.attempts > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        waiting = row(&app.db, id).await;
    }
    assert_eq!(waiting.state, OutboxState::Pending);
    assert!(waiting.attempts > 0);
    let error = waiting.last_error.clone().unwrap_or_default();
    assert!(error.contains("SMTP"), "{error}");
    assert!(waiting.next_attempt_at > Utc::now(), "backed off");
    assert!(app.smtp.mails().await.is_empty());
    assert_eq!(
        mail::outbox_counts(&app.db).await.unwrap(),
        OutboxCounts {
            pending: 1,
            ..OutboxCounts::default()
        }
    );
    // The outage does not block users.
    assert_eq!(app.get("/healthz").await.status(), 200);

    app.smtp.set_down(false);
    for hours in 1..=4 {
        deliver(&app.db, &mailer, TimeDelta::hours(hours)).await;
    }
    assert_eq!(app.smtp.wait_for(1).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for hours in 5..=8 {
        assert_eq!(
            deliver(&app.db, &mailer, TimeDelta::hours(hours))
                .await
                .claimed,
            0
        );
    }
    assert_eq!(app.smtp.mails().await.len(), 1, "exactly once");
    let sent = row(&app.db, id).await;
    assert_eq!(sent.state, OutboxState::Sent);
    assert!(sent.attempts >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_delivering_at_once_send_each_mail_exactly_once() {
    let base = bare_db().await;
    let smtp = SmtpCatcher::start().await;
    // Two instances: each its own connection pool and its own mailer.
    let first = samenleven::db::connect(&base.url).await.unwrap();
    let second = samenleven::db::connect(&base.url).await.unwrap();
    let mailer_a = smtp_mailer(base.dir.path(), &smtp);
    let mailer_b = smtp_mailer(base.dir.path(), &smtp);

    let total = 15;
    for n in 0..total {
        mail::enqueue(
            &base.db,
            message(
                &format!("gemeente{n}@gemeente.test"),
                &format!("Bericht {n}"),
            ),
        )
        .await
        .unwrap();
    }

    let now = Utc::now();
    let a = tokio::spawn(async move { mail::deliver_due(&first, &mailer_a, FROM, now).await });
    let b = tokio::spawn(async move { mail::deliver_due(&second, &mailer_b, FROM, now).await });
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());

    assert_eq!(a.sent + b.sent, total, "{a:?} {b:?}");
    assert_eq!(a.claimed + b.claimed, total, "{a:?} {b:?}");
    let mails = smtp.wait_for(total).await;
    assert_eq!(mails.len(), total);
    let mut ids = message_ids(&mails);
    ids.dedup();
    assert_eq!(ids.len(), total, "no message twice");

    let mailer = smtp_mailer(base.dir.path(), &smtp);
    assert_eq!(
        deliver(&base.db, &mailer, TimeDelta::days(1)).await,
        DeliveryReport::default()
    );
    assert_eq!(smtp.mails().await.len(), total);
    let counts = mail::outbox_counts(&base.db).await.unwrap();
    assert_eq!(counts.sent, total as u64);
}

#[tokio::test]
async fn the_directory_transport_writes_a_readable_eml_file() {
    let base = bare_db().await;
    let outbox = base.dir.path().join("uitgaand");
    let config = Config::load(&Sources::from_pairs([
        ("DATA_DIR", base.dir.path().display().to_string()),
        ("MAIL_OUTBOX_DIR", outbox.display().to_string()),
    ]))
    .unwrap();
    let mailer = Mailer::from_config(&config).unwrap();

    let id = mail::enqueue(&base.db, zoe_test_mail()).await.unwrap();
    assert_eq!(deliver(&base.db, &mailer, TimeDelta::zero()).await.sent, 1);
    assert_eq!(
        deliver(&base.db, &mailer, TimeDelta::days(1)).await.claimed,
        0
    );

    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        [format!(
            "{id}-testbericht-voor-sint-niklaas-e-mail-werkt.eml"
        )]
    );
    let data = std::fs::read_to_string(outbox.join(&files[0])).unwrap();
    assert_eq!(
        header(&data, "To").as_deref(),
        Some("zoe.peeters@gemeente.test")
    );
    assert_eq!(
        header(&data, "From").as_deref(),
        Some("Samenleven <noreply@samenleven.test>")
    );
    assert_eq!(
        header(&data, "Subject").as_deref(),
        Some("Testbericht voor Sint-Niklaas: e-mail werkt ✓")
    );
    assert_eq!(
        header(&data, "Message-ID"),
        Some(message_id(&base.db, id).await)
    );
    assert!(body(&data).contains("Beste Zoë Peeters,"));
    assert_eq!(row(&base.db, id).await.state, OutboxState::Sent);
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_instance_expires_and_the_mail_is_sent() {
    let base = bare_db().await;
    let smtp = SmtpCatcher::start().await;
    let mailer = smtp_mailer(base.dir.path(), &smtp);
    let id = mail::enqueue(&base.db, message("a@gemeente.test", "Verweesd"))
        .await
        .unwrap();
    // An instance claimed the row and died before it finished.
    let mut crashed = row(&base.db, id).await.into_active_model();
    crashed.state = Set(OutboxState::Sending);
    crashed.attempts = Set(1);
    crashed.claimed_until = Set(Some(Utc::now() + CLAIM_LEASE));
    crashed.claim_token = Set(Some("gecrasht".into()));
    crashed.update(&base.db).await.unwrap();

    assert_eq!(
        deliver(&base.db, &mailer, TimeDelta::minutes(1)).await,
        DeliveryReport::default(),
        "a live claim is respected"
    );
    assert_eq!(
        mail::outbox_counts(&base.db).await.unwrap().sending,
        1,
        "admins see it in flight"
    );
    let report = deliver(&base.db, &mailer, CLAIM_LEASE + TimeDelta::minutes(1)).await;
    assert_eq!(report.sent, 1);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    let sent = row(&base.db, id).await;
    assert_eq!(sent.state, OutboxState::Sent);
    assert_eq!(sent.attempts, 2);
    assert_eq!((sent.claim_token, sent.claimed_until), (None, None));
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_marked_failed_after_the_last_attempt_and_can_be_requeued() {
    let base = bare_db().await;
    let smtp = SmtpCatcher::start().await;
    let mailer = smtp_mailer(base.dir.path(), &smtp);
    smtp.set_down(true);
    let id = mail::enqueue(&base.db, message("a@gemeente.test", "Volhardend"))
        .await
        .unwrap();

    // Whole microseconds, as PostgreSQL stores them.
    let mut now = Utc::now().trunc_subsecs(6);
    for attempt in 1..=MAX_ATTEMPTS {
        let report = mail::deliver_due(&base.db, &mailer, FROM, now)
            .await
            .unwrap();
        let after = row(&base.db, id).await;
        assert_eq!(after.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(report.retrying, 1, "attempt {attempt}");
            assert_eq!(after.state, OutboxState::Pending);
            assert_eq!(
                after.next_attempt_at - now,
                mail::backoff(attempt),
                "attempt {attempt}"
            );
        } else {
            assert_eq!(report.failed, 1);
            assert_eq!(after.state, OutboxState::Failed);
        }
        now += TimeDelta::hours(2);
    }
    assert_eq!(
        deliver(&base.db, &mailer, TimeDelta::days(30))
            .await
            .claimed,
        0
    );
    assert_eq!(
        mail::outbox_counts(&base.db).await.unwrap(),
        OutboxCounts {
            failed: 1,
            ..OutboxCounts::default()
        }
    );

    smtp.set_down(false);
    assert!(
        mail::requeue_failed(&base.db, id, Utc::now())
            .await
            .unwrap()
    );
    assert_eq!(deliver(&base.db, &mailer, TimeDelta::zero()).await.sent, 1);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
}

#[tokio::test]
async fn a_malformed_address_fails_at_once_without_holding_up_the_others() {
    let base = bare_db().await;
    let smtp = SmtpCatcher::start().await;
    let mailer = smtp_mailer(base.dir.path(), &smtp);
    let bad = mail::enqueue(&base.db, message("geen adres", "Fout"))
        .await
        .unwrap();
    mail::enqueue(&base.db, message("goed@gemeente.test", "Goed"))
        .await
        .unwrap();

    let report = deliver(&base.db, &mailer, TimeDelta::zero()).await;
    assert_eq!((report.failed, report.sent), (1, 1), "{report:?}");
    let failed = row(&base.db, bad).await;
    assert_eq!(failed.state, OutboxState::Failed);
    assert_eq!(failed.attempts, 1);
    assert!(
        failed
            .last_error
            .unwrap_or_default()
            .contains("ongeldig e-mailadres")
    );
    assert_eq!(smtp.wait_for(1).await[0].to, ["goed@gemeente.test"]);
}

#[tokio::test]
async fn the_worker_wakes_up_when_notified_and_stops_on_shutdown() {
    let base = bare_db().await;
    let smtp = SmtpCatcher::start().await;
    let wakeup = std::sync::Arc::new(tokio::sync::Notify::new());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = mail::spawn_worker(
        base.db.clone(),
        smtp_mailer(base.dir.path(), &smtp),
        FROM.to_owned(),
        wakeup.clone(),
        Duration::from_secs(3600),
        stopped,
    );
    // Let the worker do its first round and go to sleep for an hour.
    tokio::time::sleep(Duration::from_millis(300)).await;
    mail::enqueue(&base.db, message("a@gemeente.test", "Wakker"))
        .await
        .unwrap();
    wakeup.notify_one();
    assert_eq!(smtp.wait_for(1).await.len(), 1);

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .expect("the worker stops")
        .unwrap();
}
