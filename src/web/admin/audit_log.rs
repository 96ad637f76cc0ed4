//! Browsing the audit log (admins): filter by action, resource, actor and period; paginated.
//! Read-only: there is no route or function that changes an entry.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::domain::paging::Page;
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::state::AppState;
use crate::store::audit_log::{self, AuditFilter};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::Query;
use crate::web::pages::{Layout, render};
use crate::web::routes::ADMINS;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/beheer/audit", ADMINS, list).get(
        "/beheer/audit/export",
        ADMINS,
        export_list,
    )
}

/// The most rows one export holds.
const EXPORT_MAX: u64 = 100_000;

const PAGE_SIZE: u64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub actie: String,
    #[serde(default)]
    pub type_: String,
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub wie: String,
    #[serde(default)]
    pub van: String,
    #[serde(default)]
    pub tot: String,
    #[serde(default)]
    pub pagina: Page,
    /// `csv` or `xlsx` for the export.
    #[serde(default)]
    pub formaat: String,
}

pub struct AuditRow {
    /// Shown in Brussels time.
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub ip: String,
    pub before: String,
    pub after: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub query: AuditQuery,
    pub rows: Vec<AuditRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub query_string: String,
}

fn parse_day(text: &str, field: &str, errors: &mut FormErrors) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                field,
                "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2022-07-01.",
            );
            None
        }
    }
}

/// The filter the query asks for (the page and the export share it); unreadable dates become
/// field errors.
fn filtered(query: &AuditQuery, errors: &mut FormErrors) -> AuditFilter {
    let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    // A day is a day in Brussels, as the page shows the moments.
    let midnight =
        |day: NaiveDate| crate::domain::time::brussels_to_utc(day.and_time(chrono::NaiveTime::MIN));
    AuditFilter {
        action_prefix: given(&query.actie),
        resource_type: given(&query.type_),
        resource_id: given(&query.object),
        actor_contains: given(&query.wie),
        from: parse_day(&query.van, "van", errors).map(midnight),
        until: parse_day(&query.tot, "tot", errors)
            .and_then(|d| d.succ_opt())
            .map(midnight),
    }
}

async fn export_list(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let mut errors = FormErrors::default();
    let filter = filtered(&query, &mut errors);
    if let Some(e) = errors.items.first() {
        return Err(AppError::BadRequest(e.message.clone()));
    }
    let mut table = Table::new(
        "Auditlog",
        &[
            ("Tijdstip (UTC)", Kind::Moment),
            ("Wie", Kind::Text),
            ("Handeling", Kind::Text),
            ("Soort object", Kind::Text),
            ("Object", Kind::Text),
            ("IP-adres", Kind::Text),
            ("Voor", Kind::Text),
            ("Na", Kind::Text),
            ("Details", Kind::Text),
        ],
    );
    for e in audit_log::all(&state.db, &filter, EXPORT_MAX).await? {
        table.push(vec![
            Cell::Moment(e.at),
            e.actor_label.into(),
            e.action.into(),
            e.resource_type.into(),
            e.resource_id.into(),
            e.ip.into(),
            e.before.into(),
            e.after.into(),
            e.details.into(),
        ]);
    }
    Ok(export::download(&table, format))
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    let mut errors = FormErrors::default();
    let filter = filtered(&query, &mut errors);
    let found = audit_log::page(&state.db, &filter, query.pagina, PAGE_SIZE).await?;
    let (total, page, pages) = (found.total, found.page, found.pages);
    let rows = found
        .entries
        .into_iter()
        .map(|e| AuditRow {
            at: e.at,
            actor: e.actor_label,
            action: e.action,
            resource: match e.resource_id {
                Some(id) => format!("{} {id}", e.resource_type),
                None => e.resource_type,
            },
            ip: e.ip.unwrap_or_default(),
            before: e.before.unwrap_or_default(),
            after: e.after.unwrap_or_default(),
            details: e.details.unwrap_or_default(),
        })
        .collect();
    let query_string = [
        ("actie", &query.actie),
        ("type_", &query.type_),
        ("object", &query.object),
        ("wie", &query.wie),
        ("van", &query.van),
        ("tot", &query.tot),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", crate::auth::session::urlencode(v)))
    .collect::<Vec<_>>()
    .join("&");
    render(&AuditPage {
        layout: ctx.layout("Auditlog"),
        errors,
        query,
        rows,
        total,
        page,
        pages,
        query_string,
    })
}
