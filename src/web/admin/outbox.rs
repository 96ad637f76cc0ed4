//! The e-mail outbox for admins (issue #7): how many mails are in each state, a filtered and
//! paginated list, and putting a failed mail back in the queue.
//!
//! Mail bodies are never shown: a password-reset or invitation mail carries a one-time link, so
//! the page lists recipient and subject only.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use entity::email_outbox::{self, OutboxState};

use crate::app::outbox::Requeued;
use crate::app::{self, Caller};
use crate::domain::paging::Page;
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::mail::{self, OutboxCounts};
use crate::state::AppState;
use crate::store::outbox::{self, OutboxFilter};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::Query;
use crate::web::pages::{Layout, render};
use crate::web::routes::ADMINS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beheer/e-mails", ADMINS, list)
        .get("/beheer/e-mails/export", ADMINS, export_list)
        .post("/beheer/e-mails/{id}/opnieuw", ADMINS, requeue)
}

/// The most rows one export holds.
const EXPORT_MAX: u64 = 100_000;

const PAGE_SIZE: u64 = 50;

/// Longest last error shown in the table, in characters (the full text is in the tooltip).
const SHORT_ERROR_CHARS: usize = 80;

/// The states in the order the page lists them, with their Dutch names (also the filter values).
const STATES: [(OutboxState, &str); 4] = [
    (OutboxState::Pending, "wachtend"),
    (OutboxState::Sending, "bezig"),
    (OutboxState::Sent, "verzonden"),
    (OutboxState::Failed, "mislukt"),
];

pub fn state_label(state: OutboxState) -> &'static str {
    STATES
        .iter()
        .find(|(s, _)| *s == state)
        .map(|(_, label)| *label)
        .unwrap_or_default()
}

fn parse_state(text: &str) -> Option<OutboxState> {
    STATES
        .iter()
        .find(|(_, label)| *label == text)
        .map(|(s, _)| *s)
}

#[derive(Debug, Deserialize, Default)]
pub struct OutboxQuery {
    /// A Dutch state name (`wachtend`, `bezig`, `verzonden`, `mislukt`); empty for all.
    #[serde(default)]
    pub staat: String,
    /// Part of the recipient's address.
    #[serde(default)]
    pub aan: String,
    #[serde(default)]
    pub pagina: Page,
    /// `csv` or `xlsx` for the export.
    #[serde(default)]
    pub formaat: String,
}

pub struct CountRow {
    pub label: &'static str,
    pub count: u64,
}

pub struct OutboxRow {
    pub id: i64,
    pub created: DateTime<Utc>,
    pub recipient: String,
    pub subject: String,
    pub state_label: &'static str,
    pub failed: bool,
    pub attempts: i32,
    /// Only for a mail still waiting.
    pub next_attempt: Option<DateTime<Utc>>,
    pub error_short: String,
    pub error_full: String,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
pub struct OutboxPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub query: OutboxQuery,
    pub counts: Vec<CountRow>,
    pub state_options: Vec<&'static str>,
    pub rows: Vec<OutboxRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub query_string: String,
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn count_rows(counts: OutboxCounts) -> Vec<CountRow> {
    STATES
        .iter()
        .map(|(state, label)| CountRow {
            label,
            count: match state {
                OutboxState::Pending => counts.pending,
                OutboxState::Sending => counts.sending,
                OutboxState::Sent => counts.sent,
                OutboxState::Failed => counts.failed,
            },
        })
        .collect()
}

fn row(mail: email_outbox::Model) -> OutboxRow {
    let error_full = mail.last_error.unwrap_or_default();
    OutboxRow {
        id: mail.id,
        created: mail.created_at,
        recipient: mail.to_address,
        subject: mail.subject,
        state_label: state_label(mail.state),
        failed: mail.state == OutboxState::Failed,
        attempts: mail.attempts,
        next_attempt: (mail.state == OutboxState::Pending).then_some(mail.next_attempt_at),
        error_short: shorten(&error_full, SHORT_ERROR_CHARS),
        error_full,
        sent_at: mail.sent_at,
    }
}

/// The filter the query asks for (the page and the export share it); an unknown state is a
/// field error.
fn filtered(query: &OutboxQuery, errors: &mut FormErrors) -> OutboxFilter {
    let mut filter = OutboxFilter::default();
    let staat = query.staat.trim();
    if !staat.is_empty() {
        match parse_state(staat) {
            Some(s) => filter.state = Some(s),
            None => errors.add("staat", "Kies een status uit de lijst."),
        }
    }
    let aan = query.aan.trim();
    if !aan.is_empty() {
        filter.to_contains = Some(aan.to_owned());
    }
    filter
}

/// The outbox as a table: recipient, subject, state and delivery; never the body (one-time
/// links).
async fn export_list(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
) -> Result<Response, AppError> {
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let mut errors = FormErrors::default();
    let filter = filtered(&query, &mut errors);
    if let Some(e) = errors.items.first() {
        return Err(AppError::BadRequest(e.message.clone()));
    }
    let mut table = Table::new(
        "E-mails",
        &[
            ("Aangemaakt (UTC)", Kind::Moment),
            ("Aan", Kind::Text),
            ("Onderwerp", Kind::Text),
            ("Status", Kind::Text),
            ("Pogingen", Kind::Count),
            ("Volgende poging (UTC)", Kind::Moment),
            ("Verzonden (UTC)", Kind::Moment),
            ("Laatste fout", Kind::Text),
        ],
    );
    for m in outbox::all(&state.db, &filter, EXPORT_MAX).await? {
        table.push(vec![
            Cell::Moment(m.created_at),
            m.to_address.into(),
            m.subject.into(),
            state_label(m.state).into(),
            Cell::Count(i64::from(m.attempts)),
            if m.state == OutboxState::Pending {
                Cell::Moment(m.next_attempt_at)
            } else {
                Cell::Empty
            },
            m.sent_at.into(),
            m.last_error.into(),
        ]);
    }
    Ok(export::download(&table, format))
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<OutboxQuery>,
) -> Result<Html<String>, AppError> {
    let mut errors = FormErrors::default();
    let counts = count_rows(mail::outbox_counts(&state.db).await?);
    let filter = filtered(&query, &mut errors);
    let found = outbox::page(&state.db, &filter, query.pagina, PAGE_SIZE).await?;
    let (total, page, pages) = (found.total, found.page, found.pages);
    let rows = found.mails.into_iter().map(row).collect();
    let query_string = [("staat", &query.staat), ("aan", &query.aan)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::auth::session::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    render(&OutboxPage {
        layout: ctx.layout("E-mails"),
        errors,
        query,
        counts,
        state_options: STATES.iter().map(|(_, label)| *label).collect(),
        rows,
        total,
        page,
        pages,
        query_string,
    })
}

/// Adapter: [`app::outbox::requeue`], back to the list with what became of it.
async fn requeue(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    let message = match app::outbox::requeue(&state, &caller, id).await? {
        Requeued::Queued { to } => format!("De e-mail aan {to} staat opnieuw in de wachtrij."),
        Requeued::NotFailed => {
            "Deze e-mail is niet mislukt; er is niets opnieuw te versturen.".to_owned()
        }
        Requeued::AlreadyQueued => {
            "Deze e-mail is intussen al opnieuw in de wachtrij gezet.".to_owned()
        }
    };
    Ok(FlashRedirect::new("/beheer/e-mails", message).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_dutch_name_that_parses_back() {
        for (state, label) in STATES {
            assert_eq!(state_label(state), label);
            assert_eq!(parse_state(label), Some(state));
        }
        assert_eq!(parse_state("pending"), None);
    }

    #[test]
    fn long_errors_are_shortened_on_a_character_boundary() {
        assert_eq!(shorten("kort", 10), "kort");
        assert_eq!(shorten("ëëëëë", 3), "ëëë…");
    }
}
