//! The home page: what Samenleven is, the calls, and the reference data it holds; a signed-in
//! user also gets a prominent link to where their work is.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::{DateTime, NaiveDate, Utc};
use entity::app_user::UserRole;
use entity::call::CallState;

use crate::error::AppError;
use crate::state::AppState;
use crate::store;
use crate::web::context::PageContext;
use crate::web::filters;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/", Access::Public, home)
}

pub struct CallRow {
    pub code: String,
    pub title: String,
    pub state_label: &'static str,
    /// The submission window.
    pub opens: DateTime<Utc>,
    /// The opening is assumed, not published.
    pub opens_illustrative: bool,
    pub closes: DateTime<Utc>,
    pub project_years: Vec<ProjectYearSpan>,
    /// The envelopes of the project years together, in cents.
    pub envelope: i64,
    pub action_count: usize,
}

/// A project year: its number and the months it runs.
pub struct ProjectYearSpan {
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub calls: Vec<CallRow>,
    pub municipalities_2019: u64,
    pub municipalities_2025: u64,
    pub regions: u64,
    /// Where the signed-in user's work is (`None` for anonymous visitors).
    pub next_step: Option<NextStep>,
}

/// The prominent link on the start page for a signed-in user.
pub struct NextStep {
    pub href: &'static str,
    pub label: &'static str,
}

/// Where a user with `role` continues from the start page.
pub fn next_step_for(role: Option<UserRole>) -> Option<NextStep> {
    match role? {
        UserRole::Official => Some(NextStep {
            href: "/gemeente",
            label: "Naar Mijn gemeente",
        }),
        UserRole::Reviewer | UserRole::Admin => Some(NextStep {
            href: "/beoordeling",
            label: "Naar de beoordeling",
        }),
    }
}

pub fn call_state_label(state: CallState) -> &'static str {
    match state {
        CallState::Draft => "in voorbereiding",
        CallState::Open => "open voor indiening",
        CallState::Closed => "afgesloten",
    }
}

async fn home(State(state): State<AppState>, ctx: PageContext) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let calls = store::calls::list_summaries(db)
        .await?
        .into_iter()
        .map(|s| CallRow {
            code: s.call.code.clone(),
            title: s.call.title.clone(),
            state_label: call_state_label(s.call.state),
            opens: s.call.submission_opens_at,
            opens_illustrative: s.call.submission_opens_illustrative,
            closes: s.call.submission_closes_at,
            project_years: s
                .project_years
                .iter()
                .map(|y| ProjectYearSpan {
                    number: y.year_number,
                    starts_on: y.starts_on,
                    ends_on: y.ends_on,
                })
                .collect(),
            envelope: s.total_envelope_cents(),
            action_count: s.action_count,
        })
        .collect();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let page = HomePage {
        layout: ctx.layout("Start"),
        calls,
        municipalities_2019: store::reference::municipalities_on(db, day(2024, 12, 31)).await?,
        municipalities_2025: store::reference::municipalities_on(db, day(2025, 1, 1)).await?,
        regions: store::reference::region_count(db).await?,
        next_step: next_step_for(ctx.user.as_ref().map(|u| u.user.role)),
    };
    render(&page)
}
