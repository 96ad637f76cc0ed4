//! Organisation codes for admins: the code the Flemish government's access management
//! (ACM/IDM) gives each municipality and partner organisation, which decides who someone
//! signing in through it works for. A list, and an edit page per organisation (checked by
//! `crate::org_codes::check_code`, unique, never one of ABB's codes, guarded by the row's
//! version, audited). Bulk changes: `samenleven import-org-codes`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::organisations::{CodeInput, abb_codes};
use crate::app::{self, Caller};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organisations::{self, OrgKind, Organisation};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::FlashRedirect;
use crate::web::filters;
use crate::web::form::{Form, FormErrors};
use crate::web::pages::{Layout, render};
use crate::web::routes::ADMINS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beheer/organisaties", ADMINS, list)
        .get(
            "/beheer/organisaties/gemeenten/{id}",
            ADMINS,
            edit_municipality,
        )
        .post(
            "/beheer/organisaties/gemeenten/{id}",
            ADMINS,
            save_municipality,
        )
        .get("/beheer/organisaties/partners/{id}", ADMINS, edit_partner)
        .post("/beheer/organisaties/partners/{id}", ADMINS, save_partner)
}

pub struct OrgRow {
    pub href: String,
    pub name: String,
    pub identifier: String,
    pub org_code: String,
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
pub struct OrganisationsPage {
    pub layout: Layout,
    pub municipalities: Vec<OrgRow>,
    pub partners: Vec<OrgRow>,
    pub abb_codes: String,
    pub missing: usize,
}

/// The address of an organisation's edit page.
fn action(org: &Organisation) -> String {
    let kind = match org.kind {
        OrgKind::Municipality => "gemeenten",
        OrgKind::Partner => "partners",
    };
    format!("/beheer/organisaties/{kind}/{}", org.id)
}

fn row(org: Organisation) -> OrgRow {
    OrgRow {
        href: action(&org),
        name: org.name,
        identifier: org.identifier,
        org_code: org.org_code.unwrap_or_default(),
    }
}

async fn list(State(state): State<AppState>, ctx: PageContext) -> Result<Html<String>, AppError> {
    let municipalities: Vec<OrgRow> = organisations::municipalities(&state.db)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let partners: Vec<OrgRow> = organisations::partners(&state.db)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let missing = municipalities
        .iter()
        .chain(&partners)
        .filter(|r| r.org_code.is_empty())
        .count();
    render(&OrganisationsPage {
        layout: ctx.layout("Organisatiecodes"),
        municipalities,
        partners,
        abb_codes: abb_codes(&state).join(", "),
        missing,
    })
}

#[derive(Template)]
#[template(path = "admin/organisation_edit.html")]
pub struct EditPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub action: String,
    pub name: String,
    pub identifier: String,
    pub org_code: String,
    pub version: i32,
}

#[derive(Debug, Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    pub org_code: String,
    #[serde(default)]
    pub version: String,
}

async fn target(state: &AppState, kind: OrgKind, id: i64) -> Result<Organisation, AppError> {
    organisations::find(&state.db, kind, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn edit_page(
    ctx: &PageContext,
    target: &Organisation,
    errors: FormErrors,
    typed: Option<String>,
) -> Result<Html<String>, AppError> {
    render(&EditPage {
        layout: ctx.layout(format!("Organisatiecode van {}", target.name)),
        errors,
        action: action(target),
        name: target.name.clone(),
        identifier: target.identifier.clone(),
        org_code: typed.unwrap_or_else(|| target.org_code.clone().unwrap_or_default()),
        version: target.version,
    })
}

async fn edit_municipality(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let target = target(&state, OrgKind::Municipality, id).await?;
    edit_page(&ctx, &target, FormErrors::default(), None)
}

async fn edit_partner(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let target = target(&state, OrgKind::Partner, id).await?;
    edit_page(&ctx, &target, FormErrors::default(), None)
}

async fn save_municipality(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    save(&state, &caller, &ctx, OrgKind::Municipality, id, form).await
}

async fn save_partner(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    save(&state, &caller, &ctx, OrgKind::Partner, id, form).await
}

/// Adapter: the code form → [`app::organisations::set_org_code`]; on a stale form the page
/// again with the current code (409), on a refused code the form as typed (422).
async fn save(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    kind: OrgKind,
    id: i64,
    form: CodeForm,
) -> Result<Response, AppError> {
    let input = CodeInput {
        org_code: form.org_code,
        version: form.version,
    };
    match app::organisations::set_org_code(state, caller, kind, id, &input).await {
        Ok(message) => Ok(FlashRedirect::new("/beheer/organisaties", message).into_response()),
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add(
                "org_code",
                "Iemand anders wijzigde deze organisatie intussen. Hieronder staat de huidige \
                 code; pas ze opnieuw aan.",
            );
            let html = edit_page(ctx, &target(state, kind, id).await?, errors, None)?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let target = target(state, kind, id).await?;
            let html = edit_page(ctx, &target, errors, Some(input.org_code))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
