//! The route table. Every route is added with an [`Access`] rule, which is enforced by a layer
//! on that route and listed in [`RouteTable::specs`], so the authorization matrix test walks
//! every route of the app. Adding a route without an access rule is impossible by construction:
//! there is no other way to add one (a test checks that no module calls `Router::route` itself).

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use entity::app_user::UserRole;

use crate::audit::{self, AuditEntry};
use crate::auth::session::{ClientIp, SessionUser, login_redirect};
use crate::state::AppState;
use crate::web::pages::ErrorPage;

/// Who may reach a route at all. Finer decisions about one resource (this dossier, that
/// municipality) are made in the handler through [`crate::web::guard`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users with one of these roles.
    Roles(&'static [UserRole]),
}

pub const OFFICIALS: Access = Access::Roles(&[UserRole::Official]);
pub const STAFF: Access = Access::Roles(&[UserRole::Reviewer, UserRole::Admin]);
pub const ADMINS: Access = Access::Roles(&[UserRole::Admin]);

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

#[derive(Default)]
pub struct RouteTable {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl RouteTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, post(handler))
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, access, axum::routing::put(handler))
    }

    pub fn patch<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PATCH, path, access, axum::routing::patch(handler))
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, access, axum::routing::delete(handler))
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Self {
        let route = route.route_layer(middleware::from_fn(move |req: Request, next: Next| {
            enforce(access, req, next)
        }));
        self.router = self.router.route(path, route);
        self.specs.push(RouteSpec {
            method,
            path,
            access,
        });
        self
    }

    pub fn merge(mut self, other: RouteTable) -> Self {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Whether a user with `role` (None: anonymous) passes `access`.
pub fn allows(access: Access, role: Option<UserRole>) -> bool {
    match (access, role) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Roles(roles), Some(role)) => roles.contains(&role),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_rules_admit_exactly_their_roles() {
        assert!(allows(Access::Public, None));
        assert!(!allows(Access::SignedIn, None));
        assert!(allows(Access::SignedIn, Some(UserRole::Official)));
        assert!(allows(ADMINS, Some(UserRole::Admin)));
        assert!(!allows(ADMINS, Some(UserRole::Reviewer)));
        assert!(allows(STAFF, Some(UserRole::Reviewer)));
        assert!(!allows(STAFF, Some(UserRole::Official)));
        assert!(!allows(OFFICIALS, Some(UserRole::Admin)));
    }
}
