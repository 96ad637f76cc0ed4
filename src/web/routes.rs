//! The route table. Every route is added with an [`Access`] rule and a [`BodyLimit`], both
//! enforced by layers on that route and listed in [`RouteTable::specs`], so the authorization
//! matrix test walks every route of the app. Adding a route without an access rule is impossible
//! by construction: there is no other way to add one (a test checks that no module calls
//! `Router::route` itself).
//!
//! The layers of one route, outside in: the body limit (a `Content-Length` beyond it is refused
//! at once with 413, before anything reads the body, and a body without a length is cut off at
//! the limit), the access rule (an anonymous visitor is sent to the login page without the body
//! being read), and for uploads a slot among `Config::max_concurrent_uploads` (503 with
//! `Retry-After` when all are taken).

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};

use crate::audit::{self, AuditEntry};
use crate::auth::session::{ClientIp, SessionUser, login_redirect};
use crate::domain::attachments::format_size;
use crate::state::AppState;
use crate::web::pages::ErrorPage;

pub use crate::routing::{
    ADMINS, Access, BodyLimit, OFFICIALS, RouteSpec, RouteTable, STAFF, allows,
};

/// The router: every route of `table` with its layers (see the module documentation).
pub fn into_router(table: RouteTable) -> Router<AppState> {
    let mut router = Router::new();
    for (spec, mut route) in table.into_parts() {
        let RouteSpec {
            path,
            access,
            limit,
            ..
        } = spec;
        if limit == BodyLimit::Upload {
            route = route.route_layer(middleware::from_fn(upload_slot));
        }
        route = route
            .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                enforce(access, req, next)
            }))
            .route_layer(middleware::from_fn(move |req: Request, next: Next| {
                limit_body(limit, req, next)
            }));
        router = router.route(path, route);
    }
    router
}

/// The declared length of a request's body, if it has one.
fn content_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Refuses a body longer than the route's `limit` by its length, before anything reads it, and
/// cuts off a body without a length at the limit (the extractors then answer 413).
async fn limit_body(limit: BodyLimit, request: Request, next: Next) -> Response {
    let max_upload = request
        .extensions()
        .get::<AppState>()
        .map(|s| s.config.max_upload_bytes)
        .unwrap_or(0);
    let max = limit.bytes(max_upload);
    let api = crate::api::is_api_path(request.uri().path());
    if content_length(&request).is_some_and(|length| length > max as u64) {
        return too_large(api, max);
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, max)));
    let response = next.run(request).await;
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !api && !ours {
        // An extractor's plain-text refusal: the Dutch page instead.
        return too_large(api, max);
    }
    response
}

/// 413: a Dutch page, or a problem document under `/api/`.
fn too_large(api: bool, max: usize) -> Response {
    let size = format_size(u64::try_from(max).unwrap_or(u64::MAX));
    if api {
        return crate::api::problem::ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Wat u verstuurde is groter dan toegelaten ({size} voor dit adres)."),
        )
        .into_response();
    }
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Html(
            ErrorPage::new(
                "Te groot om te versturen",
                format!(
                    "Wat u verstuurde is groter dan toegelaten ({size} voor dit formulier). Ga \
                     terug, maak de tekst of het bestand kleiner en verstuur het opnieuw."
                ),
                None,
            )
            .render_or_plain(),
        ),
    )
        .into_response()
}

/// Holds one of the upload slots while an upload is received; without a free slot, 503 with
/// `Retry-After`, before the body is read.
async fn upload_slot(request: Request, next: Next) -> Response {
    let Some(state) = request.extensions().get::<AppState>().cloned() else {
        return next.run(request).await;
    };
    let Ok(slot) = state.upload_slots.clone().try_acquire_owned() else {
        let api = crate::api::is_api_path(request.uri().path());
        tracing::warn!(path = %request.uri().path(), "every upload slot is taken");
        return busy(api);
    };
    let response = next.run(request).await;
    drop(slot);
    response
}

/// Seconds a client waits before it tries an upload again when every slot is taken.
const RETRY_UPLOAD_AFTER: &str = "10";

fn busy(api: bool) -> Response {
    let message = "Er worden nu veel bestanden tegelijk ontvangen. Probeer het over enkele \
                   ogenblikken opnieuw: ga terug en verstuur het formulier nog eens.";
    let mut response = if api {
        crate::api::problem::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(ErrorPage::new("Even geduld", message.into(), None).render_or_plain()),
        )
            .into_response()
    };
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_UPLOAD_AFTER),
    );
    response
}

async fn enforce(access: Access, request: Request, next: Next) -> Response {
    let user = request.extensions().get::<SessionUser>().cloned();
    if allows(access, user.as_ref().map(|u| u.user.role)) {
        return next.run(request).await;
    }
    let api = crate::api::is_api_path(request.uri().path());
    let Some(user) = user else {
        if api {
            return crate::api::problem::ApiError::unauthorized(
                "Meld u aan met een API-sleutel: `Authorization: Bearer <sleutel>`.",
            )
            .into_response();
        }
        return login_redirect(request.uri().path_and_query().map(|p| p.as_str()));
    };
    let state = request.extensions().get::<AppState>().cloned();
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .and_then(|c| c.0.clone());
    if let Some(state) = state {
        let entry = AuditEntry::new(
            "access.denied",
            "route",
            Some(request.uri().path().to_owned()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ip)
        .details(format!("{} {}", request.method(), request.uri().path()));
        if let Err(err) = audit::record(&state.db, entry).await {
            tracing::error!(error = %err, "could not audit a refused request");
        }
    }
    if api {
        return crate::api::problem::ApiError::forbidden().into_response();
    }
    forbidden_page()
}

pub fn forbidden_page() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(
            ErrorPage::new(
                "Geen toegang",
                "U hebt geen toegang tot deze pagina met uw account.".into(),
                None,
            )
            .render_or_plain(),
        ),
    )
        .into_response()
}
