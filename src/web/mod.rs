//! The HTTP layer: one router built in one place from each area's route table, plus the
//! middleware every request passes through (tracing, timeout, security headers, session, CSRF);
//! each route limits its own body ([`routes::BodyLimit`]).

pub mod account;
pub mod admin;
pub mod allocation;
pub mod api_docs;
pub mod api_tokens;
pub mod assets;
pub mod attachments;
pub mod bank_account;
pub mod chart;
pub mod charts;
pub mod context;
pub mod cooperation;
pub mod dashboard;
pub mod decision;
pub mod dossier_view;
pub mod dossiers;
pub mod extract;
pub mod filters;
pub mod followup;
pub mod followup_review;
pub mod form;
pub mod four_eyes;
pub mod full_view;
pub mod health;
pub mod home;
pub mod inbox_export;
pub mod login;
pub mod messages;
pub mod municipality;
pub mod oidc;
pub mod pages;
pub mod payments;
pub mod review;
pub mod routes;
pub mod saved_filters;
pub mod sections;
pub mod submission;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::auth::session::SessionUser;
use crate::error::AppError;
use crate::policy::{Action, DossierParties};
use crate::state::AppState;

pub use routes::{Access, BodyLimit, RouteSpec, RouteTable};

/// Content-Security-Policy: only our own scripts, styles and forms; no inline code; no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Every route of the application, with its access rule.
pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(home::routes())
        .merge(health::routes())
        .merge(assets::routes())
        .merge(login::routes())
        .merge(oidc::routes())
        .merge(account::routes())
        .merge(dossiers::routes())
        .merge(municipality::routes())
        .merge(bank_account::routes())
        .merge(sections::routes())
        .merge(submission::routes())
        .merge(messages::routes())
        .merge(attachments::routes())
        .merge(cooperation::routes())
        .merge(review::routes())
        .merge(saved_filters::routes())
        .merge(decision::routes())
        .merge(admin::routes())
        .merge(allocation::routes())
        .merge(dashboard::routes())
        .merge(inbox_export::routes())
        .merge(followup::routes())
        .merge(followup_review::routes())
        .merge(four_eyes::routes())
        .merge(payments::routes())
        .merge(api_tokens::routes())
        .merge(crate::api::routes())
        .merge(api_docs::routes())
}

/// Builds the whole application. `main`, the tests and the benchmarks all use this router.
pub fn app(state: AppState) -> Router {
    // Each route limits its own body (`web::routes::BodyLimit`); the extractors' own ceiling is
    // the largest of those, an upload.
    let body_limit = BodyLimit::Upload.bytes(state.config.max_upload_bytes);
    routes::into_router(routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::csrf::middleware,
        ))
        .layer(middleware::from_fn(pages::error_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::session::middleware,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), provide_state))
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(security_header("content-security-policy", CONTENT_SECURITY_POLICY))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("referrer-policy", "same-origin"))
        .layer(security_header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(security_header("cache-control", "no-store"))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(middleware::from_fn(crate::api::problem::ensure_problem))
}

/// Makes the state reachable from layers that are built before the state exists.
async fn provide_state(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(state);
    next.run(request).await
}

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Asks the policy whether `user` may do `action` (on a dossier with `parties`); a refusal is
/// audited and becomes 403, or 404 where the user may not even learn the dossier exists. The
/// same check as a command's ([`crate::app::Caller::may_on`]), for handlers not yet behind one.
pub async fn guard(
    state: &AppState,
    user: &SessionUser,
    action: Action,
    parties: Option<(&str, &DossierParties)>,
    ip: Option<String>,
) -> Result<(), AppError> {
    crate::app::Caller::user(user, ip, state.clock.now())
        .may_on(state, action, parties.map(|(id, p)| (id.to_owned(), p)))
        .await
        .map_err(AppError::from)
}
