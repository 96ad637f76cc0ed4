//! Dossier pages: starting a dossier, the overview with its task list (or the read-only dossier
//! for whoever may not change it), the printable view. Adapters of [`crate::app::dossier`].

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use entity::application::ApplicationState;

use crate::app::{self, Caller};
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
use crate::store::applications::DossierWithParties;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::Form;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

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

pub use crate::app::dossier::Notices;

#[derive(Template)]
#[template(path = "dossier/full.html")]
pub struct FullPage {
    pub layout: Layout,
    pub view: FullView,
    pub printable: bool,
    pub notices: Notices,
    /// A member's answer to its invitation, with the link to give or change it (h1, issue 22).
    pub consent: Option<crate::web::cooperation::ConsentBlock>,
}

/// The state in Dutch: the state machine's one label ([`crate::domain::workflow::DossierState::label`]).
pub fn state_label(state: ApplicationState) -> &'static str {
    crate::domain::workflow::DossierState::from(state).label()
}

/// Loads dossier `id` for `user` doing `action`, or answers 404/403 (audited) through the
/// policy ([`app::dossier::with_parties`]). Ids that are not numbers are simply not found.
pub async fn load_for(
    state: &AppState,
    user: &SessionUser,
    id: i64,
    action: Action,
    ip: Option<String>,
) -> Result<DossierWithParties, AppError> {
    let caller = Caller::user(user, ip, state.clock.now());
    Ok(app::dossier::with_parties(state, &caller, id, action).await?)
}

/// Whether the applicant may still change the dossier: the domain's rule
/// ([`crate::domain::parts::is_editable`]).
pub fn is_editable(state: ApplicationState) -> bool {
    crate::domain::parts::is_editable(state.into())
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, id, Action::ViewDossier, ctx.ip.clone()).await?;
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
                app::dossier::notices(&state, &content.dossier.application, may_edit).await?
            },
            consent: crate::web::cooperation::consent_block(&state, &user, &content).await?,
        });
    }
    let statuses = statuses(&content, &report);
    let notices = app::dossier::notices(&state, &content.dossier.application, may_edit).await?;
    render(&OverviewPage {
        layout: ctx.layout(format!("Dossier {}", content.dossier.application.reference)),
        dossier: header(&content, may_edit),
        tasks: tasks(
            content.dossier.application.id,
            &statuses,
            content.dossier.application.state,
            notices.reopened.as_deref(),
        ),
        eligibility: report
            .eligibility
            .iter()
            .flat_map(|v| v.results.iter())
            .map(shown)
            .collect(),
        can_withdraw: may_withdraw(content.dossier.application.state),
        members: content.dossier.member_names.clone(),
        notices,
    })
}

async fn print(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, id, Action::ViewDossier, ctx.ip.clone()).await?;
    let content = drafts::load_cached(&state.db, &ctx.reference, dossier).await?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    render(&FullPage {
        layout: ctx.layout(format!("Dossier {}", content.dossier.application.reference)),
        view: full_view(&content, &report),
        printable: true,
        notices: Notices::default(),
        consent: None,
    })
}

/// A dossier may be withdrawn by its applicant until ABB decides.
pub use crate::app::dossier::may_withdraw;

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub call_id: String,
}

/// Adapter: the "start a dossier" button → [`app::dossier::start`] → the new dossier's page.
async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let Ok(call_id) = form.call_id.trim().parse::<i64>() else {
        caller.may(&state, Action::StartDossier, None).await?;
        return Err(AppError::BadRequest("Kies een oproep.".into()));
    };
    let inserted = app::dossier::start(&state, &caller, call_id).await?;
    Ok(FlashRedirect::new(
        format!("/dossiers/{}", inserted.id),
        format!(
            "Dossier {} is aangemaakt. Alles wat u invult, wordt bewaard.",
            inserted.reference
        ),
    )
    .into_response())
}

pub use crate::store::is_unique_violation;
