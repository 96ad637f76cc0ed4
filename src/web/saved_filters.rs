//! A reviewer's saved inbox filters (`/beoordeling`): save the current filters under a name,
//! delete one. Adapters of [`crate::app::saved_filters`]; the inbox lists them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::{self, Caller};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::form::Form;
use crate::web::review::{InboxQuery, inbox_view};
use crate::web::routes::STAFF;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/beoordeling/bewaarde-filters", STAFF, save)
        .post(
            "/beoordeling/bewaarde-filters/{id}/verwijderen",
            STAFF,
            delete,
        )
}

#[derive(Debug, Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    pub naam: String,
    /// The inbox's query string when the reviewer pressed "Filter bewaren".
    #[serde(default)]
    pub query: String,
}

/// The inbox query `raw` as the inbox reads it, and its canonical query string (only the
/// inbox's own parameters, without the page number).
fn canonical(raw: &str) -> (InboxQuery, String) {
    let query: InboxQuery = serde_urlencoded::from_str(raw).unwrap_or_default();
    let text = match query.oproep {
        Some(call) => query.query_string(call),
        None => query
            .query_string(0)
            .split('&')
            .filter(|pair| !pair.starts_with("oproep="))
            .collect::<Vec<_>>()
            .join("&"),
    };
    (query, text)
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<SaveForm>,
) -> Result<Response, AppError> {
    let (query, text) = canonical(&form.query);
    match app::saved_filters::save(&state, &caller, &form.naam, &text).await {
        Ok(saved) => {
            let verb = if saved.replaced {
                "bijgewerkt"
            } else {
                "bewaard"
            };
            Ok(FlashRedirect::new(
                format!("/beoordeling?{text}"),
                format!("Filter \"{}\" {verb}.", saved.name),
            )
            .into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let page = inbox_view(&state, &caller, &ctx, query, form.naam, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    app::saved_filters::delete(&state, &caller, id).await?;
    Ok(FlashRedirect::new("/beoordeling", "Filter verwijderd.").into_response())
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn a_saved_query_keeps_only_the_inboxs_own_parameters() {
        let (_, text) = canonical("oproep=3&zoek=Gent&pagina=4&iets=anders&bevindingen=1");
        assert_eq!(text, "oproep=3&zoek=Gent&bevindingen=1");
        let (_, text) = canonical("status=submitted");
        assert_eq!(text, "status=submitted");
        let (_, text) = canonical("%%%");
        assert_eq!(text, "");
    }
}
