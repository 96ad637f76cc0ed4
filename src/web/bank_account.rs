//! `/gemeente/rekening`: the bank account the official's own organisation is paid on. An
//! adapter over [`app::bank_account`]: the page shows the account and a form; a form with an
//! error comes back as typed (422), a form read before someone else's change comes back with
//! the current account (409).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::bank_account::{AccountInput, OwnAccount};
use crate::app::{self, Caller};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organisations::{OrgKind, Organisation};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::FlashRedirect;
use crate::web::filters;
use crate::web::form::{Form, FormErrors};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;

pub const PATH: &str = "/gemeente/rekening";

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get(PATH, OFFICIALS, page)
        .post(PATH, OFFICIALS, save)
}

/// The account as it is stored.
pub struct Shown {
    pub iban: String,
    pub holder: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: Option<String>,
}

#[derive(Template)]
#[template(path = "organisation/bank_account.html")]
pub struct BankAccountPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub organisation: String,
    pub current: Option<Shown>,
    /// The form's fields, as stored or as typed.
    pub iban: String,
    pub holder: String,
    pub version: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct AccountForm {
    #[serde(default)]
    pub iban: String,
    #[serde(default)]
    pub holder: String,
    #[serde(default)]
    pub version: String,
}

fn page_for(
    ctx: &PageContext,
    own: &OwnAccount,
    errors: FormErrors,
    typed: Option<&AccountForm>,
) -> Result<Html<String>, AppError> {
    let current = own.account.as_ref().map(|a| Shown {
        iban: crate::domain::iban::Iban::parse(&a.row.iban)
            .map(|i| i.to_string())
            .unwrap_or_else(|_| a.row.iban.clone()),
        holder: a.row.holder.clone(),
        updated_at: a.row.updated_at,
        updated_by: a.updated_by_name.clone(),
    });
    let (iban, holder) = match typed {
        Some(form) => (form.iban.clone(), form.holder.clone()),
        None => match &current {
            Some(c) => (c.iban.clone(), c.holder.clone()),
            None => (String::new(), default_holder(&own.organisation)),
        },
    };
    render(&BankAccountPage {
        layout: ctx.layout(format!("Rekeningnummer van {}", own.organisation.name)),
        errors,
        organisation: own.organisation.name.clone(),
        iban,
        holder,
        version: own
            .account
            .as_ref()
            .map(|a| a.row.version.to_string())
            .unwrap_or_default(),
        current,
    })
}

/// A sensible first guess of the holder: the organisation as banks name it.
fn default_holder(organisation: &Organisation) -> String {
    match organisation.kind {
        OrgKind::Municipality => format!("Gemeente {}", organisation.name),
        OrgKind::Partner => organisation.name.clone(),
    }
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    let own = app::bank_account::own(&state, &caller).await?;
    page_for(&ctx, &own, FormErrors::default(), None)
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<AccountForm>,
) -> Result<Response, AppError> {
    let input = AccountInput {
        iban: form.iban.clone(),
        holder: form.holder.clone(),
        version: form.version.clone(),
    };
    match app::bank_account::set(&state, &caller, &input).await {
        Ok(message) => Ok(FlashRedirect::new(PATH, message).into_response()),
        Err(app::Error::Stale) => {
            let own = app::bank_account::own(&state, &caller).await?;
            let mut errors = FormErrors::default();
            errors.add(
                "iban",
                "Iemand anders wijzigde het rekeningnummer intussen. Hierboven staat het huidige; \
                 vul het formulier opnieuw in als het toch anders moet.",
            );
            let html = page_for(&ctx, &own, errors, None)?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let own = app::bank_account::own(&state, &caller).await?;
            let html = page_for(&ctx, &own, errors, Some(&form))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
