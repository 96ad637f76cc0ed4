//! The route table, independent of how pages and the API answer: every route is added with an
//! [`Access`] rule and a [`BodyLimit`], listed in [`RouteTable::specs`] so the authorization
//! matrix test walks every route of the app. The web layer builds the router from it and
//! enforces both with its layers (`crate::web::routes::into_router`); the API and the pages add
//! their routes here alike.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use entity::app_user::UserRole;

use crate::state::AppState;

/// Who may reach a route at all. Finer decisions about one resource (this dossier, that
/// municipality) are made by the command through [`crate::app::Caller::may`].
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

/// How large a request body a route takes: what its largest legitimate form needs, no more.
/// A route gets [`BodyLimit::default_for`] its method unless it declares another with
/// [`RouteTable::limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// The sign-in and password forms, buttons, and requests without a body (GET): 8 KiB.
    Small,
    /// An ordinary form: 64 KiB, room for two texts of 5.000 characters even in a non-Latin
    /// script, percent-encoded.
    Form,
    /// A form with a text per item (a progress report's motivation per KPI, a call with its
    /// actions, a decision with an amount per action): 1 MiB.
    LargeForm,
    /// A JSON body of the API ([`crate::api::extract::JSON_LIMIT`]).
    Json,
    /// A file upload: `Config::max_upload_bytes` plus 64 KiB for the other fields, streamed to
    /// disk, at most `Config::max_concurrent_uploads` at the same time.
    Upload,
}

impl BodyLimit {
    /// The room an upload form has besides its file.
    pub const UPLOAD_FIELDS: usize = 64 * 1024;

    /// The limit in bytes, given the configured largest upload.
    pub fn bytes(self, max_upload_bytes: usize) -> usize {
        match self {
            BodyLimit::Small => 8 * 1024,
            BodyLimit::Form => 64 * 1024,
            BodyLimit::LargeForm => 1024 * 1024,
            BodyLimit::Json => crate::api::extract::JSON_LIMIT,
            BodyLimit::Upload => max_upload_bytes.saturating_add(Self::UPLOAD_FIELDS),
        }
    }

    /// The limit of a route that declares none: GET takes no body, the API takes JSON, other
    /// forms are ordinary forms.
    pub fn default_for(method: &Method, path: &str) -> Self {
        if *method == Method::GET || *method == Method::HEAD {
            BodyLimit::Small
        } else if crate::api::is_api_path(path) {
            BodyLimit::Json
        } else {
            BodyLimit::Form
        }
    }
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub limit: BodyLimit,
}

/// The routes with their rules; the router is built from them by `crate::web::routes::into_router`.
#[derive(Default)]
pub struct RouteTable {
    specs: Vec<RouteSpec>,
    routes: Vec<MethodRouter<AppState>>,
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

    /// Gives the route added last the body limit `limit` instead of its method's default.
    pub fn limit(mut self, limit: BodyLimit) -> Self {
        if let Some(last) = self.specs.last_mut() {
            last.limit = limit;
        }
        self
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Self {
        let limit = BodyLimit::default_for(&method, path);
        self.specs.push(RouteSpec {
            method,
            path,
            access,
            limit,
        });
        self.routes.push(route);
        self
    }

    pub fn merge(mut self, other: RouteTable) -> Self {
        self.specs.extend(other.specs);
        self.routes.extend(other.routes);
        self
    }

    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    /// The routes with their specs, in the order they were added, for the router.
    pub fn into_parts(self) -> impl Iterator<Item = (RouteSpec, MethodRouter<AppState>)> {
        self.specs.into_iter().zip(self.routes)
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

    #[test]
    fn a_route_gets_its_methods_body_limit_unless_it_declares_one() {
        async fn nothing() {}
        let table = RouteTable::new()
            .get("/a", Access::Public, nothing)
            .post("/a", Access::Public, nothing)
            .limit(BodyLimit::Small)
            .post("/b", Access::SignedIn, nothing)
            .patch("/api/v1/c", Access::SignedIn, nothing);
        let limits: Vec<BodyLimit> = table.specs().iter().map(|s| s.limit).collect();
        assert_eq!(
            limits,
            [
                BodyLimit::Small,
                BodyLimit::Small,
                BodyLimit::Form,
                BodyLimit::Json
            ]
        );
        assert_eq!(BodyLimit::Upload.bytes(100), 100 + 64 * 1024);
        assert!(BodyLimit::Small.bytes(0) < BodyLimit::Form.bytes(0));
        assert!(BodyLimit::Form.bytes(0) < BodyLimit::LargeForm.bytes(0));
    }
}
