//! Account management for admins: list, create with an e-mailed invitation, deactivate and
//! reactivate, and re-bind an official to another municipality or partner organisation
//! (for example the successor after a merger). Every change is audited; concurrent edits are
//! detected through the account's version.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use entity::app_user::{self, UserRole};
use entity::{municipality, partner_organisation};

use crate::accounts::RoleExt;
use crate::app::users::{NewUserInput, RebindInput};
use crate::app::{self, Caller};
use crate::domain::paging::Page;
use crate::domain::picker;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::users::{self, UserFilter};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query};
use crate::web::pages::{Layout, render};
use crate::web::routes::ADMINS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beheer/gebruikers", ADMINS, list)
        .get("/beheer/gebruikers/export", ADMINS, export_list)
        .get("/beheer/gebruikers/nieuw", ADMINS, new_page)
        .post("/beheer/gebruikers", ADMINS, create)
        .get("/beheer/gebruikers/{id}", ADMINS, show)
        .post("/beheer/gebruikers/{id}/status", ADMINS, set_status)
        .post("/beheer/gebruikers/{id}/koppeling", ADMINS, rebind)
}

const PAGE_SIZE: u64 = 50;

pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role_label: &'static str,
    pub organisation: String,
    pub active: bool,
    /// `None`: never signed in.
    pub last_login: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub rows: Vec<UserRow>,
    pub q: String,
    pub role: String,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub rol: String,
    #[serde(default)]
    pub pagina: Page,
    /// `csv` or `xlsx` for the export.
    #[serde(default)]
    pub formaat: String,
}

/// Names of municipalities and partner organisations by id, for display.
async fn organisation_names(
    state: &AppState,
) -> Result<(Vec<municipality::Model>, Vec<partner_organisation::Model>), AppError> {
    Ok(users::organisations(&state.db).await?)
}

fn organisation_of(
    user: &app_user::Model,
    municipalities: &[municipality::Model],
    partners: &[partner_organisation::Model],
) -> String {
    if let Some(id) = user.municipality_id {
        return municipalities
            .iter()
            .find(|m| m.id == id)
            .map(|m| format!("{} ({})", m.name, m.nis_code))
            .unwrap_or_default();
    }
    if let Some(id) = user.partner_organisation_id {
        return partners
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default();
    }
    "ABB".to_owned()
}

/// The filter the query asks for (the page and the export share it).
fn filtered(query: &ListQuery) -> UserFilter {
    let q = query.q.trim().to_lowercase();
    UserFilter {
        text: Some(q).filter(|q| !q.is_empty()),
        role: UserRole::parse(&query.rol),
    }
}

async fn export_list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    use crate::export::{self, Kind, Table};
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let users = users::all(&state.db, &filtered(&query)).await?;
    let (municipalities, partners) = organisation_names(&state).await?;
    let mut table = Table::new(
        "Gebruikers",
        &[
            ("Naam", Kind::Text),
            ("E-mail", Kind::Text),
            ("Rol", Kind::Text),
            ("Organisatie", Kind::Text),
            ("Status", Kind::Text),
            ("Laatst aangemeld (UTC)", Kind::Moment),
        ],
    );
    for u in &users {
        table.push(vec![
            u.name.clone().into(),
            u.email.clone().into(),
            u.role.label().into(),
            organisation_of(u, &municipalities, &partners).into(),
            (if u.active { "actief" } else { "gedeactiveerd" }).into(),
            u.last_login_at.into(),
        ]);
    }
    Ok(export::download(&table, format))
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let found = users::page(&state.db, &filtered(&query), query.pagina, PAGE_SIZE).await?;
    let (total, page, pages, users) = (found.total, found.page, found.pages, found.users);
    let (municipalities, partners) = organisation_names(&state).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            role_label: u.role.label(),
            organisation: organisation_of(u, &municipalities, &partners),
            active: u.active,
            last_login: u.last_login_at,
        })
        .collect();
    render(&UsersPage {
        layout: ctx.layout("Gebruikers"),
        rows,
        q: query.q,
        role: query.rol,
        total,
        page,
        pages,
    })
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
pub struct NewUserPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub email: String,
    pub name: String,
    pub roles: Vec<Choice>,
    pub municipalities: MunicipalityPicker,
    pub partners: Vec<Choice>,
}

/// A municipality search field: what it holds (typed, or the current municipality's label) and
/// the suggestions of its `datalist` (every current municipality, [`picker::label`]).
pub struct MunicipalityPicker {
    pub typed: String,
    pub options: Vec<String>,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub partner: String,
}

fn role_choices(selected: &str) -> Vec<Choice> {
    [UserRole::Official, UserRole::Reviewer, UserRole::Admin]
        .into_iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: r.code() == selected,
        })
        .collect()
}

/// The municipality search field holding `typed`, with every municipality valid today as a
/// suggestion.
fn municipality_picker(
    all: &[municipality::Model],
    typed: String,
    today: chrono::NaiveDate,
) -> MunicipalityPicker {
    MunicipalityPicker {
        typed,
        options: all
            .iter()
            .filter(|m| m.valid_from <= today && m.valid_to.is_none_or(|t| t >= today))
            .map(|m| picker::label(&m.name, m.nis_code))
            .collect(),
    }
}

/// Today (UTC) by the application's clock.
fn today(state: &AppState) -> chrono::NaiveDate {
    state.clock.today()
}

fn partner_choices(all: &[partner_organisation::Model], selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "— geen —".into(),
        selected: selected.is_empty(),
    }];
    choices.extend(all.iter().map(|p| Choice {
        value: p.code.clone(),
        label: p.name.clone(),
        selected: p.code == selected,
    }));
    choices
}

async fn new_user_page(
    state: &AppState,
    ctx: &PageContext,
    form: NewUserForm,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let (municipalities, partners) = organisation_names(state).await?;
    render(&NewUserPage {
        layout: ctx.layout("Nieuwe gebruiker"),
        errors,
        roles: role_choices(&form.role),
        municipalities: municipality_picker(&municipalities, form.municipality, today(state)),
        partners: partner_choices(&partners, &form.partner),
        email: form.email,
        name: form.name,
    })
}

async fn new_page(
    State(state): State<AppState>,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    new_user_page(
        &state,
        &ctx,
        NewUserForm {
            role: "official".into(),
            ..Default::default()
        },
        FormErrors::default(),
    )
    .await
}

/// Adapter: the new-account form → [`app::users::create`].
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    let input = NewUserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        municipality: form.municipality.clone(),
        partner: form.partner.clone(),
    };
    match app::users::create(&state, &caller, &input).await {
        Ok(user) => Ok(FlashRedirect::new(
            format!("/beheer/gebruikers/{}", user.id),
            format!(
                "Account aangemaakt; {} kreeg een uitnodiging per e-mail.",
                user.email
            ),
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = new_user_page(&state, &ctx, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/user_show.html")]
pub struct UserPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub user: UserRow,
    pub version: i32,
    pub is_official: bool,
    pub municipalities: MunicipalityPicker,
    pub partners: Vec<Choice>,
}

async fn load_user(state: &AppState, id: i64) -> Result<app_user::Model, AppError> {
    users::find(&state.db, id).await?.ok_or(AppError::NotFound)
}

async fn user_page(
    state: &AppState,
    ctx: &PageContext,
    user: &app_user::Model,
    errors: FormErrors,
    typed: Option<&RebindInput>,
) -> Result<Html<String>, AppError> {
    let (municipalities, partners) = organisation_names(state).await?;
    let current = user
        .municipality_id
        .and_then(|id| municipalities.iter().find(|m| m.id == id))
        .map(|m| picker::label(&m.name, m.nis_code))
        .unwrap_or_default();
    let selected_partner = user
        .partner_organisation_id
        .and_then(|id| partners.iter().find(|p| p.id == id))
        .map(|p| p.code.clone())
        .unwrap_or_default();
    let (typed_municipality, selected_partner) = match typed {
        Some(input) => (input.municipality.clone(), input.partner.clone()),
        None => (current, selected_partner),
    };
    render(&UserPage {
        layout: ctx.layout(format!("Gebruiker {}", user.name)),
        errors,
        user: UserRow {
            id: user.id,
            name: user.name.clone(),
            email: user.email.clone(),
            role_label: user.role.label(),
            organisation: organisation_of(user, &municipalities, &partners),
            active: user.active,
            last_login: user.last_login_at,
        },
        version: user.version,
        is_official: user.role == UserRole::Official,
        municipalities: municipality_picker(&municipalities, typed_municipality, today(state)),
        partners: partner_choices(&partners, &selected_partner),
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let user = load_user(&state, id).await?;
    user_page(&state, &ctx, &user, FormErrors::default(), None).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub version: i32,
}

const CONFLICT: &str =
    "Iemand anders wijzigde dit account intussen. Bekijk de huidige gegevens en probeer opnieuw.";

/// Adapter: the activate/deactivate form → [`app::users::set_status`].
async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let user = load_user(&state, id).await?;
    let activate = form.active == "true";
    match app::users::set_status(&state, &caller, user.id, activate, form.version).await {
        Ok(()) => Ok(FlashRedirect::new(
            format!("/beheer/gebruikers/{}", user.id),
            if activate {
                "Account geactiveerd."
            } else {
                "Account gedeactiveerd; alle sessies zijn beëindigd en alle API-sleutels ingetrokken."
            },
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = user_page(&state, &ctx, &user, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add("active", CONFLICT);
            let page =
                user_page(&state, &ctx, &load_user(&state, id).await?, errors, None).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RebindForm {
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub version: i32,
}

/// Adapter: the re-binding form → [`app::users::rebind`].
async fn rebind(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<RebindForm>,
) -> Result<Response, AppError> {
    let user = load_user(&state, id).await?;
    let input = RebindInput {
        municipality: form.municipality,
        partner: form.partner,
        version: form.version,
    };
    match app::users::rebind(&state, &caller, user.id, &input).await {
        Ok(()) => Ok(FlashRedirect::new(
            format!("/beheer/gebruikers/{}", user.id),
            "Koppeling gewijzigd.",
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = user_page(&state, &ctx, &user, errors, Some(&input)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add("municipality", CONFLICT);
            let fresh = load_user(&state, id).await?;
            let page = user_page(&state, &ctx, &fresh, errors, None).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
