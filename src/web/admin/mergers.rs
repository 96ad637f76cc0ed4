//! The municipal mergers of 1 January 2025 for admins: what they are, what applying them would
//! change (a dry run of [`crate::mergers::apply_mergers`]), and a button to apply them. The work
//! itself lives in [`crate::mergers`]; this page only shows and triggers it.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::session::{self, CurrentUser};
use crate::error::AppError;
use crate::mergers::{self, Merger, MergerActor, MergerError, MergerReport};
use crate::state::AppState;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::form::Form;
use crate::web::form::FormErrors;
use crate::web::pages::{Layout, render};
use crate::web::routes::ADMINS;

/// The year of the mergers this page handles.
const YEAR: i32 = 2025;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beheer/fusies", ADMINS, show)
        .post("/beheer/fusies", ADMINS, apply)
}

#[derive(Template)]
#[template(path = "admin/mergers.html")]
pub struct MergersPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub year: i32,
    pub mergers: Vec<MergerRow>,
    pub preview: MergerReport,
}

pub struct MergerRow {
    pub successor: String,
    pub predecessors: String,
    pub continuing: bool,
}

impl From<&Merger> for MergerRow {
    fn from(m: &Merger) -> Self {
        Self {
            successor: m.successor.to_string(),
            predecessors: m
                .predecessors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            continuing: m.continuing,
        }
    }
}

fn merger_error(err: MergerError) -> AppError {
    match err {
        MergerError::Db(db) => db.into(),
        other => AppError::BadRequest(other.to_string()),
    }
}

fn actor(user: &session::SessionUser, ctx: &PageContext) -> MergerActor {
    MergerActor {
        user_id: Some(user.user.id),
        label: user.label(),
        ip: ctx.ip.clone(),
    }
}

async fn page(
    state: &AppState,
    ctx: &PageContext,
    user: &session::SessionUser,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let list = mergers::mergers(&state.db, YEAR)
        .await
        .map_err(merger_error)?;
    let preview = mergers::apply_mergers(&state.db, YEAR, &actor(user, ctx), true)
        .await
        .map_err(merger_error)?;
    render(&MergersPage {
        layout: ctx.layout(format!("Fusies van {YEAR}")),
        errors,
        year: YEAR,
        mergers: list.iter().map(MergerRow::from).collect(),
        preview,
    })
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    page(&state, &ctx, &user, FormErrors::default()).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ApplyForm {
    #[serde(default)]
    pub year: String,
}

async fn apply(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Form(form): Form<ApplyForm>,
) -> Result<Response, AppError> {
    let year = form.year.trim().parse::<i32>().ok();
    let result = match year {
        Some(year) => mergers::apply_mergers(&state.db, year, &actor(&user, &ctx), false).await,
        None => Err(MergerError::UnknownYear(0)),
    };
    let report = match result {
        Ok(report) => report,
        Err(MergerError::Db(err)) => return Err(err.into()),
        Err(err) => {
            let mut errors = FormErrors::default();
            match year {
                Some(_) => errors.add("year", err.to_string()),
                None => errors.add("year", "Geef het jaar van de fusies op, bijvoorbeeld 2025."),
            }
            let html = page(&state, &ctx, &user, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
        }
    };
    let mut response = Redirect::to("/beheer/fusies").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session::flash_cookie(&report.summary(), state.config.secure_cookies()),
    );
    Ok(response)
}
