//! Account management for admins: list, create with an e-mailed invitation, deactivate and
//! reactivate, and re-bind an official to another municipality or partner organisation
//! (for example the successor after a merger). Every change is audited; concurrent edits are
//! detected through the account's version.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use entity::app_user::{self, UserRole};
use entity::auth_token::TokenPurpose;
use entity::{municipality, partner_organisation};

use crate::accounts::{self, AccountError, NewUser, RoleExt};
use crate::audit::{self, AuditEntry};
use crate::auth::session::redirect_with_flash;
use crate::auth::session::{self, CurrentUser};
use crate::auth::tokens;
use crate::domain::paging::Page;
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query};
use crate::web::login::InvitationMail;
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
    pub last_login: String,
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
    let municipalities = municipality::Entity::find()
        .order_by_asc(municipality::Column::Name)
        .all(&state.db)
        .await?;
    let partners = partner_organisation::Entity::find()
        .order_by_asc(partner_organisation::Column::Name)
        .all(&state.db)
        .await?;
    Ok((municipalities, partners))
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

/// The accounts the filters select, by name (the page and the export share it).
fn filtered(state: &AppState, query: &ListQuery) -> sea_orm::Select<app_user::Entity> {
    let mut select = app_user::Entity::find().order_by_asc(app_user::Column::Name);
    let q = query.q.trim().to_lowercase();
    if !q.is_empty() {
        select = select.filter(
            Condition::any()
                .add(Expr::cust_with_values(
                    format!("LOWER(name) LIKE {}", crate::store::placeholder(&state.db)),
                    [format!("%{q}%")],
                ))
                .add(app_user::Column::Email.contains(q.as_str())),
        );
    }
    if let Some(role) = UserRole::parse(&query.rol) {
        select = select.filter(app_user::Column::Role.eq(role));
    }
    select
}

async fn export_list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    use crate::export::{self, Kind, Table};
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let users = filtered(&state, &query).all(&state.db).await?;
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
    let select = filtered(&state, &query);
    let paginator = select.paginate(&state.db, PAGE_SIZE);
    let total = paginator.num_items().await?;
    let (page, pages) = query.pagina.within(total, PAGE_SIZE);
    let users = paginator.fetch_page(page - 1).await?;
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
            last_login: u
                .last_login_at
                .map(crate::domain::dutch::format_moment)
                .unwrap_or_else(|| "nooit".into()),
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
    pub municipalities: Vec<Choice>,
    pub partners: Vec<Choice>,
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

/// Current municipalities (valid today) as choices, by NIS code.
fn municipality_choices(all: &[municipality::Model], selected: &str) -> Vec<Choice> {
    let today = Utc::now().date_naive();
    let mut choices = vec![Choice {
        value: String::new(),
        label: "— geen —".into(),
        selected: selected.is_empty(),
    }];
    choices.extend(
        all.iter()
            .filter(|m| m.valid_from <= today && m.valid_to.is_none_or(|t| t >= today))
            .map(|m| Choice {
                value: m.nis_code.to_string(),
                label: format!("{} ({})", m.name, m.nis_code),
                selected: m.nis_code.to_string() == selected,
            }),
    );
    choices
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
        municipalities: municipality_choices(&municipalities, &form.municipality),
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

async fn create(
    State(state): State<AppState>,
    CurrentUser(admin): CurrentUser,
    ctx: PageContext,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    if form.name.trim().is_empty() {
        errors.add("name", "Vul de naam in.");
    }
    let municipality_nis = match form.municipality.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("municipality", "Kies een gemeente uit de lijst.");
                None
            }
        },
    };
    let partner_code = Some(form.partner.trim().to_owned()).filter(|p| !p.is_empty());
    let txn = crate::db::begin_write(&state.db).await?;
    let result = if errors.is_empty() {
        accounts::insert_user(
            &txn,
            NewUser {
                email: form.email.clone(),
                name: form.name.clone(),
                role: form.role.clone(),
                municipality_nis,
                partner_code,
                password: None,
            },
            None,
        )
        .await
    } else {
        Err(AccountError::Hash)
    };
    let user = match result {
        Ok(user) => user,
        Err(err) => {
            txn.rollback().await?;
            match err {
                AccountError::InvalidEmail(_) => errors.add("email", "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be."),
                AccountError::DuplicateEmail(_) => errors.add("email", "Er bestaat al een account met dit e-mailadres."),
                AccountError::UnknownRole(_) => errors.add("role", "Kies een rol."),
                AccountError::UnknownMunicipality(_) => errors.add("municipality", "Kies een gemeente uit de lijst."),
                AccountError::UnknownPartner(_) => errors.add("partner", "Kies een partnerorganisatie uit de lijst."),
                AccountError::OfficialNeedsOrganisation => errors.add("municipality", "Een gemeentelijk ambtenaar hoort bij precies één gemeente of partnerorganisatie."),
                AccountError::StaffHasNoOrganisation => errors.add("role", "Een medewerker van ABB hoort niet bij een gemeente of partnerorganisatie."),
                AccountError::Db(db) => return Err(db.into()),
                AccountError::WeakPassword | AccountError::Hash => {}
            }
            let page = new_user_page(&state, &ctx, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = Utc::now();
    let token = tokens::issue(&txn, user.id, TokenPurpose::Invite, now).await?;
    let organisation = session::organisation_name(&txn, &user)
        .await?
        .unwrap_or_else(|| "het Agentschap Binnenlands Bestuur".into());
    let link = format!("{}/wachtwoord-instellen/{token}", state.config.public_url);
    let body = mail::render_text(&InvitationMail {
        name: &user.name,
        organisation: &organisation,
        link: &link,
        days: tokens::lifetime(TokenPurpose::Invite).num_days(),
    })?;
    mail::enqueue(
        &txn,
        OutgoingMail {
            to: user.email.clone(),
            subject: "Uw account voor Samenleven".into(),
            body_text: body,
            related: Some(("app_user".into(), user.id.to_string())),
        },
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry::new("user.created", "app_user", Some(user.id.to_string()))
            .by(Some(admin.user.id), admin.label())
            .from_ip(ctx.ip.clone())
            .after(serde_json::json!({
                "email": user.email, "name": user.name, "role": user.role.code(),
                "municipality_id": user.municipality_id,
                "partner_organisation_id": user.partner_organisation_id,
            })),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beheer/gebruikers/{}", user.id),
        &format!(
            "Account aangemaakt; {} kreeg een uitnodiging per e-mail.",
            user.email
        ),
        state.config.secure_cookies(),
    ))
}

#[derive(Template)]
#[template(path = "admin/user_show.html")]
pub struct UserPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub user: UserRow,
    pub version: i32,
    pub is_official: bool,
    pub municipalities: Vec<Choice>,
    pub partners: Vec<Choice>,
}

async fn load_user(state: &AppState, id: &str) -> Result<app_user::Model, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    app_user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn user_page(
    state: &AppState,
    ctx: &PageContext,
    user: &app_user::Model,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let (municipalities, partners) = organisation_names(state).await?;
    let selected_nis = user
        .municipality_id
        .and_then(|id| municipalities.iter().find(|m| m.id == id))
        .map(|m| m.nis_code.to_string())
        .unwrap_or_default();
    let selected_partner = user
        .partner_organisation_id
        .and_then(|id| partners.iter().find(|p| p.id == id))
        .map(|p| p.code.clone())
        .unwrap_or_default();
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
            last_login: user
                .last_login_at
                .map(crate::domain::dutch::format_moment)
                .unwrap_or_else(|| "nooit".into()),
        },
        version: user.version,
        is_official: user.role == UserRole::Official,
        municipalities: municipality_choices(&municipalities, &selected_nis),
        partners: partner_choices(&partners, &selected_partner),
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = load_user(&state, &id).await?;
    user_page(&state, &ctx, &user, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub version: i32,
}

/// Updates a user only if nobody changed it since `version` was read; `false` on a conflict.
async fn update_if_current<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    changes: Vec<(app_user::Column, sea_orm::sea_query::SimpleExpr)>,
) -> Result<bool, sea_orm::DbErr> {
    let mut update = app_user::Entity::update_many()
        .col_expr(app_user::Column::Version, Expr::value(version + 1))
        .filter(app_user::Column::Id.eq(id))
        .filter(app_user::Column::Version.eq(version));
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

const CONFLICT: &str =
    "Iemand anders wijzigde dit account intussen. Bekijk de huidige gegevens en probeer opnieuw.";

async fn set_status(
    State(state): State<AppState>,
    CurrentUser(admin): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let user = load_user(&state, &id).await?;
    let activate = form.active == "true";
    if user.id == admin.user.id && !activate {
        let mut errors = FormErrors::default();
        errors.add("active", "U kunt uw eigen account niet deactiveren.");
        let page = user_page(&state, &ctx, &user, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let txn = crate::db::begin_write(&state.db).await?;
    if !update_if_current(
        &txn,
        user.id,
        form.version,
        vec![(app_user::Column::Active, Expr::value(activate))],
    )
    .await?
    {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("active", CONFLICT);
        let page = user_page(&state, &ctx, &load_user(&state, &id).await?, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    if !activate {
        session::end_all(&txn, user.id).await?;
        crate::web::api_tokens::revoke_all_and_tell(
            &txn,
            &state,
            &user,
            crate::web::api_tokens::RevokedBecause::Deactivated,
            (Some(admin.user.id), admin.label()),
            ctx.ip.clone(),
            chrono::Utc::now(),
        )
        .await?;
    }
    audit::record(
        &txn,
        AuditEntry::new(
            if activate {
                "user.activated"
            } else {
                "user.deactivated"
            },
            "app_user",
            Some(user.id.to_string()),
        )
        .by(Some(admin.user.id), admin.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({ "active": user.active }))
        .after(serde_json::json!({ "active": activate })),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beheer/gebruikers/{}", user.id),
        if activate {
            "Account geactiveerd."
        } else {
            "Account gedeactiveerd; alle sessies zijn beëindigd en alle API-sleutels ingetrokken."
        },
        state.config.secure_cookies(),
    ))
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

async fn rebind(
    State(state): State<AppState>,
    CurrentUser(admin): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<RebindForm>,
) -> Result<Response, AppError> {
    let user = load_user(&state, &id).await?;
    let mut errors = FormErrors::default();
    if user.role != UserRole::Official {
        errors.add(
            "municipality",
            "Alleen een gemeentelijk ambtenaar hoort bij een gemeente of partnerorganisatie.",
        );
    }
    let municipality_id = match form.municipality.trim() {
        "" => None,
        nis => match municipality::Entity::find()
            .filter(municipality::Column::NisCode.eq(nis.parse::<i32>().unwrap_or(-1)))
            .filter(municipality::Column::ValidTo.is_null())
            .one(&state.db)
            .await?
        {
            Some(m) => Some(m.id),
            None => {
                errors.add("municipality", "Kies een bestaande gemeente uit de lijst.");
                None
            }
        },
    };
    let partner_id = match form.partner.trim() {
        "" => None,
        code => match partner_organisation::Entity::find()
            .filter(partner_organisation::Column::Code.eq(code))
            .one(&state.db)
            .await?
        {
            Some(p) => Some(p.id),
            None => {
                errors.add("partner", "Kies een partnerorganisatie uit de lijst.");
                None
            }
        },
    };
    if errors.is_empty() && municipality_id.is_some() == partner_id.is_some() {
        errors.add(
            "municipality",
            "Kies precies één gemeente of één partnerorganisatie.",
        );
    }
    if !errors.is_empty() {
        let page = user_page(&state, &ctx, &user, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let changed = update_if_current(
        &txn,
        user.id,
        form.version,
        vec![
            (
                app_user::Column::MunicipalityId,
                Expr::value(municipality_id),
            ),
            (
                app_user::Column::PartnerOrganisationId,
                Expr::value(partner_id),
            ),
        ],
    )
    .await?;
    if !changed {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("municipality", CONFLICT);
        let page = user_page(&state, &ctx, &load_user(&state, &id).await?, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    // A re-bound official starts over: old sessions carried the old organisation.
    session::end_all(&txn, user.id).await?;
    audit::record(
        &txn,
        AuditEntry::new("user.rebound", "app_user", Some(user.id.to_string()))
            .by(Some(admin.user.id), admin.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({
                "municipality_id": user.municipality_id,
                "partner_organisation_id": user.partner_organisation_id,
            }))
            .after(serde_json::json!({
                "municipality_id": municipality_id,
                "partner_organisation_id": partner_id,
            })),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/beheer/gebruikers/{}", user.id),
        "Koppeling gewijzigd.",
        state.config.secure_cookies(),
    ))
}
