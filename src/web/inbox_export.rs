//! The reviewer inbox as CSV or XLSX (`/beoordeling/export`), with the page's filters: the
//! query string of `/beoordeling` plus `formaat`, read by the same [`InboxQuery`] into the same
//! [`crate::store::inbox::InboxFilter`], so the file holds exactly the rows the reviewer sees
//! (all pages).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::state::AppState;
use crate::store::inbox::{self, InboxRow};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::form::Query;
use crate::web::review::InboxQuery;
use crate::web::routes::STAFF;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/beoordeling/export", STAFF, export_inbox)
}

#[derive(Debug, Deserialize, Default)]
pub struct FormatQuery {
    #[serde(default)]
    pub formaat: String,
}

async fn export_inbox(
    State(state): State<AppState>,
    ctx: PageContext,
    CurrentUser(user): CurrentUser,
    Query(query): Query<InboxQuery>,
    Query(format): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let format = export::format_from(&format.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let reference = &ctx.reference;
    let call_id = match query.oproep {
        Some(id) => id,
        None => crate::store::calls::default_among(&reference.call_choices().await?)
            .ok_or(AppError::NotFound)?,
    };
    let call = reference.call(call_id).await?.ok_or(AppError::NotFound)?;
    let rows = inbox::all(
        &state.db,
        reference,
        &query.filter(call.id, user.user.id),
        state.clock.now(),
    )
    .await?;
    let mut table = Table::new(&format!("Dossiers {}", call.code), COLUMNS);
    for r in rows {
        table.push(row_cells(r));
    }
    Ok(export::download(&table, format))
}

/// The columns of the file, in the order of [`row_cells`].
const COLUMNS: &[(&str, Kind)] = &[
    ("Referentie", Kind::Text),
    ("Titel", Kind::Text),
    ("Trekker", Kind::Text),
    ("NIS-code", Kind::Count),
    ("Provincie", Kind::Text),
    ("Status", Kind::Text),
    ("Ingediend (UTC)", Kind::Moment),
    ("Te beslissen tegen (UTC)", Kind::Moment),
    ("Over termijn", Kind::Text),
    ("Blokkerende bevindingen", Kind::Count),
    ("Waarschuwingen", Kind::Count),
    ("Beoordelaar", Kind::Text),
    ("Gevraagd per projectjaar", Kind::Money),
];

/// One inbox row as the cells of [`COLUMNS`].
fn row_cells(r: InboxRow) -> Vec<Cell> {
    vec![
        r.reference.into(),
        r.title.into(),
        r.lead.into(),
        r.lead_nis
            .map(|n| Cell::Count(i64::from(n)))
            .unwrap_or(Cell::Empty),
        r.province.into(),
        crate::web::dossiers::state_label(r.state).into(),
        r.submitted_at.into(),
        r.review_due_at.into(),
        (if r.overdue { "ja" } else { "nee" }).into(),
        Cell::Count(i64::from(r.rule_failures)),
        Cell::Count(i64::from(r.rule_warnings)),
        r.reviewer.into(),
        Cell::Money(r.requested_cents),
    ]
}
