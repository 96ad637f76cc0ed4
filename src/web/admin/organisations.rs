//! Organisation codes for admins: the code the Flemish government's access management
//! (ACM/IDM) gives each municipality and partner organisation, which decides who someone
//! signing in through it works for. A list, and an edit page per organisation (checked by
//! `crate::org_codes::check_code`, unique, never one of ABB's codes, guarded by the row's
//! version, audited). Bulk changes: `samenleven import-org-codes`.

use crate::web::form::Form;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;

use entity::{municipality, partner_organisation};

use crate::audit::{self, AuditEntry};
use crate::auth::session::{CurrentUser, redirect_with_flash};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::form::FormErrors;
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

async fn list(State(state): State<AppState>, ctx: PageContext) -> Result<Html<String>, AppError> {
    let municipalities: Vec<OrgRow> = municipality::Entity::find()
        .filter(municipality::Column::ValidTo.is_null())
        .order_by_asc(municipality::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| OrgRow {
            href: format!("/beheer/organisaties/gemeenten/{}", m.id),
            name: m.name,
            identifier: format!("NIS {}", m.nis_code),
            org_code: m.org_code.unwrap_or_default(),
        })
        .collect();
    let partners: Vec<OrgRow> = partner_organisation::Entity::find()
        .order_by_asc(partner_organisation::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| OrgRow {
            href: format!("/beheer/organisaties/partners/{}", p.id),
            name: p.name,
            identifier: p.code,
            org_code: p.org_code.unwrap_or_default(),
        })
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

fn abb_codes(state: &AppState) -> Vec<String> {
    state
        .config
        .oidc
        .as_ref()
        .map(|o| o.abb_org_codes.clone())
        .unwrap_or_default()
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

/// One organisation as the edit page needs it.
struct Target {
    kind: &'static str,
    id: i64,
    name: String,
    identifier: String,
    org_code: Option<String>,
    version: i32,
}

impl Target {
    fn action(&self) -> String {
        format!("/beheer/organisaties/{}/{}", self.kind, self.id)
    }
}

async fn municipality_target(state: &AppState, id: i64) -> Result<Target, AppError> {
    let m = municipality::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        kind: "gemeenten",
        id: m.id,
        name: m.name,
        identifier: format!("NIS {}", m.nis_code),
        org_code: m.org_code,
        version: m.version,
    })
}

async fn partner_target(state: &AppState, id: i64) -> Result<Target, AppError> {
    let p = partner_organisation::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        kind: "partners",
        id: p.id,
        name: p.name,
        identifier: p.code,
        org_code: p.org_code,
        version: p.version,
    })
}

fn edit_page(
    ctx: &PageContext,
    target: &Target,
    errors: FormErrors,
    typed: Option<String>,
) -> Result<Html<String>, AppError> {
    render(&EditPage {
        layout: ctx.layout(format!("Organisatiecode van {}", target.name)),
        errors,
        action: target.action(),
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
    edit_page(
        &ctx,
        &municipality_target(&state, id).await?,
        FormErrors::default(),
        None,
    )
}

async fn edit_partner(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    edit_page(
        &ctx,
        &partner_target(&state, id).await?,
        FormErrors::default(),
        None,
    )
}

async fn save_municipality(
    State(state): State<AppState>,
    user: CurrentUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let target = municipality_target(&state, id).await?;
    save(&state, user, &ctx, target, form).await
}

async fn save_partner(
    State(state): State<AppState>,
    user: CurrentUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let target = partner_target(&state, id).await?;
    save(&state, user, &ctx, target, form).await
}

/// Who holds `code` now, other than `target`.
async fn holder_of(
    state: &AppState,
    code: &str,
    target: &Target,
) -> Result<Option<String>, AppError> {
    let municipality = municipality::Entity::find()
        .filter(municipality::Column::OrgCode.eq(code))
        .one(&state.db)
        .await?
        .filter(|m| !(target.kind == "gemeenten" && m.id == target.id))
        .map(|m| m.name);
    if municipality.is_some() {
        return Ok(municipality);
    }
    Ok(partner_organisation::Entity::find()
        .filter(partner_organisation::Column::OrgCode.eq(code))
        .one(&state.db)
        .await?
        .filter(|p| !(target.kind == "partners" && p.id == target.id))
        .map(|p| p.name))
}

async fn save(
    state: &AppState,
    CurrentUser(user): CurrentUser,
    ctx: &PageContext,
    target: Target,
    form: CodeForm,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let code = match crate::org_codes::check_code(&form.org_code) {
        Ok(code) => code,
        Err(message) => {
            errors.add("org_code", message);
            None
        }
    };
    if let Some(code) = &code {
        if abb_codes(state).contains(code) {
            errors.add(
                "org_code",
                format!(
                    "{code} is de organisatiecode van ABB zelf; kies de code van deze organisatie."
                ),
            );
        } else if let Some(other) = holder_of(state, code, &target).await? {
            errors.add(
                "org_code",
                format!("Organisatiecode {code} hoort al bij {other}. Haal ze daar eerst weg."),
            );
        }
    }
    if form.version.trim().parse::<i32>().ok() != Some(target.version) {
        errors.add(
            "org_code",
            "Iemand anders wijzigde deze organisatie intussen. Hieronder staat de huidige code; \
             pas ze opnieuw aan.",
        );
        let html = edit_page(ctx, &target, errors, None)?;
        return Ok((StatusCode::CONFLICT, html).into_response());
    }
    if !errors.is_empty() {
        let html = edit_page(ctx, &target, errors, Some(form.org_code))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = if target.kind == "gemeenten" {
        municipality::Entity::update_many()
            .col_expr(municipality::Column::OrgCode, Expr::value(code.clone()))
            .col_expr(
                municipality::Column::Version,
                Expr::value(target.version + 1),
            )
            .filter(municipality::Column::Id.eq(target.id))
            .filter(municipality::Column::Version.eq(target.version))
            .exec(&txn)
            .await?
            .rows_affected
    } else {
        partner_organisation::Entity::update_many()
            .col_expr(
                partner_organisation::Column::OrgCode,
                Expr::value(code.clone()),
            )
            .col_expr(
                partner_organisation::Column::Version,
                Expr::value(target.version + 1),
            )
            .filter(partner_organisation::Column::Id.eq(target.id))
            .filter(partner_organisation::Column::Version.eq(target.version))
            .exec(&txn)
            .await?
            .rows_affected
    };
    if updated != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Iemand anders wijzigde deze organisatie intussen. Laad de pagina opnieuw.".into(),
        ));
    }
    audit::record(
        &txn,
        AuditEntry::new(
            "organisation.org_code_changed",
            if target.kind == "gemeenten" {
                "municipality"
            } else {
                "partner_organisation"
            },
            Some(target.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(json!({ "org_code": target.org_code }))
        .after(json!({ "org_code": code })),
    )
    .await?;
    txn.commit().await?;
    let message = match &code {
        Some(code) => format!("De organisatiecode van {} is nu {code}.", target.name),
        None => format!("{} heeft geen organisatiecode meer.", target.name),
    };
    Ok(redirect_with_flash(
        "/beheer/organisaties",
        &message,
        state.config.secure_cookies(),
    ))
}
