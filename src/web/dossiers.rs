//! Dossier pages. For now the read-only dossier view; the application journey builds on it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use entity::application::ApplicationState;

use crate::policy;
use crate::store::drafts;
use crate::web::dossier_view::{
    DossierHeader, ShownResult, TaskItem, header, shown, statuses, tasks,
};
use crate::web::full_view::{FullView, full_view};
use crate::web::routes::OFFICIALS;

use crate::auth::session::{CurrentUser, SessionUser};
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store;
use crate::store::applications::DossierWithParties;
use crate::web::context::PageContext;
use crate::web::form::Form;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable, guard};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/dossiers", OFFICIALS, start)
        .get("/dossiers/{id}", Access::SignedIn, show)
        .get("/dossiers/{id}/afdrukken", Access::SignedIn, print)
}

#[derive(Template)]
#[template(path = "dossier/overview.html")]
pub struct OverviewPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub tasks: Vec<TaskItem>,
    pub eligibility: Vec<ShownResult>,
    pub can_withdraw: bool,
    pub members: Vec<String>,
    pub notices: Notices,
}

/// What ABB asked or wrote, shown to the applicant (never the internal notes).
#[derive(Default)]
pub struct Notices {
    pub change_request: Option<String>,
    pub messages: Vec<String>,
}

async fn notices(state: &AppState, app: &entity::application::Model) -> Result<Notices, AppError> {
    let change_request = match crate::web::review::open_change_request(&state.db, app.id).await? {
        Some(cr) if app.state == ApplicationState::ChangesRequested => {
            let sections: Vec<String> = serde_json::from_str(&cr.sections).unwrap_or_default();
            let names: Vec<&str> = crate::web::review::SECTIONS
                .iter()
                .filter(|(c, _)| sections.iter().any(|s| s == c))
                .map(|(_, n)| *n)
                .collect();
            Some(format!(
                "ABB vraagt aanpassingen aan: {}. {}",
                names.join(", "),
                cr.message
            ))
        }
        _ => None,
    };
    let messages = entity::message::Entity::find()
        .filter(entity::message::Column::ApplicationId.eq(app.id))
        .filter(entity::message::Column::Internal.eq(false))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| {
            format!(
                "{}: {}",
                crate::domain::dutch::format_moment_day(m.created_at),
                m.body
            )
        })
        .collect();
    Ok(Notices {
        change_request,
        messages,
    })
}

#[derive(Template)]
#[template(path = "dossier/full.html")]
pub struct FullPage {
    pub layout: Layout,
    pub view: FullView,
    pub printable: bool,
    pub notices: Notices,
}

/// The state in Dutch, as the state machine names it.
pub fn state_label(state: ApplicationState) -> &'static str {
    crate::domain::workflow::DossierState::from(state).label()
}

/// Loads dossier `id` for `user` doing `action`, or answers 404/403 (audited) through the
/// policy. Ids that are not numbers are simply not found.
pub async fn load_for(
    state: &AppState,
    user: &SessionUser,
    id: &str,
    action: Action,
    ip: Option<String>,
) -> Result<DossierWithParties, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let dossier = store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    guard(
        state,
        user,
        action,
        Some((&id.to_string(), &dossier.parties)),
        ip,
    )
    .await?;
    Ok(dossier)
}

/// Whether the applicant may still change the dossier: while it is a draft, or when ABB asked
/// for changes.
pub fn is_editable(state: ApplicationState) -> bool {
    matches!(
        state,
        ApplicationState::Draft | ApplicationState::ChangesRequested
    )
}

/// Refuses a change to a dossier that is locked (submitted, decided, withdrawn).
pub fn ensure_editable(dossier: &DossierWithParties) -> Result<(), AppError> {
    if is_editable(dossier.application.state) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "Dossier {} is {} en kan niet meer gewijzigd worden.",
            dossier.application.reference,
            state_label(dossier.application.state)
        )))
    }
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let may_edit =
        policy::decide(&user.actor(), Action::EditDossier, Some(&dossier.parties)).is_ok();
    let content = drafts::load_cached(&state.db, &ctx.reference, dossier).await?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    if !(may_edit && is_editable(content.dossier.application.state)) {
        let view = full_view(&content, &report);
        let is_staff = user.user.role != entity::app_user::UserRole::Official;
        return render(&FullPage {
            layout: ctx.layout(format!("Dossier {}", content.dossier.application.reference)),
            view,
            printable: false,
            notices: if is_staff {
                Notices::default()
            } else {
                notices(&state, &content.dossier.application).await?
            },
        });
    }
    let statuses = statuses(&content, &report);
    render(&OverviewPage {
        layout: ctx.layout(format!("Dossier {}", content.dossier.application.reference)),
        dossier: header(&content, may_edit),
        tasks: tasks(content.dossier.application.id, &statuses),
        eligibility: report
            .eligibility
            .iter()
            .flat_map(|v| v.results.iter())
            .map(shown)
            .collect(),
        can_withdraw: may_withdraw(content.dossier.application.state),
        members: content.dossier.member_names.clone(),
        notices: notices(&state, &content.dossier.application).await?,
    })
}

async fn print(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let content = drafts::load_cached(&state.db, &ctx.reference, dossier).await?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    render(&FullPage {
        layout: ctx.layout(format!("Dossier {}", content.dossier.application.reference)),
        view: full_view(&content, &report),
        printable: true,
        notices: Notices::default(),
    })
}

/// A dossier may be withdrawn by its applicant until ABB decides.
pub fn may_withdraw(state: ApplicationState) -> bool {
    use crate::domain::workflow::{Party, Transition, next};
    next(
        crate::domain::workflow::DossierState::from(state),
        Transition::Withdraw,
        Party::Applicant,
    )
    .is_ok()
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub call_id: String,
}

/// Starts a dossier for the official's own organisation in an open call: alone for a
/// municipality that may apply alone, or under the separate agreement for a partner
/// organisation. "One application per municipality per call" is enforced by the database, so
/// of two simultaneous starts exactly one wins.
async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    guard(&state, &user, Action::StartDossier, None, ctx.ip.clone()).await?;
    let call_id: i64 = form
        .call_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Kies een oproep.".into()))?;
    let by = crate::store::sections::By::of(&user, ctx.ip.clone());
    let inserted = store::applications::start(&state.db, &user, call_id, &by, Utc::now()).await?;
    let reference = inserted.reference.clone();
    let mut response = Redirect::to(&format!("/dossiers/{}", inserted.id)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::session::flash_cookie(
            &format!("Dossier {reference} is aangemaakt. Alles wat u invult, wordt bewaard."),
            state.config.secure_cookies(),
        ),
    );
    Ok(response)
}

pub use crate::store::is_unique_violation;
