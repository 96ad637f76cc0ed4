//! What every page handler needs to build its layout: the user, the CSRF token, the flash
//! message, the path, and whether the demo banner shows.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::csrf::CsrfToken;
use crate::auth::session::{ClientIp, Flash, SessionUser};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::reference_cache::Reference;
use crate::web::pages::{Layout, UserBadge, nav_for};

#[derive(Debug, Clone)]
pub struct PageContext {
    pub user: Option<SessionUser>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub path: String,
    pub ip: Option<String>,
    pub demo: bool,
    /// The reference data as of this request, for handlers that read calls, municipalities or
    /// the directory.
    pub reference: Reference,
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = parts.extensions.get::<SessionUser>().cloned();
        let csrf_token = CsrfToken::from_request_parts(parts, state)
            .await
            .map(|t| t.0)
            .unwrap_or_default();
        let flash = parts.extensions.get::<Flash>().and_then(|f| f.0.clone());
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        // Read once per request: the session middleware already did for signed-in requests.
        let reference = match parts.extensions.get::<Reference>() {
            Some(reference) => reference.clone(),
            None => state.reference().await?,
        };
        let demo = reference.fictitious().await?;
        Ok(Self {
            user,
            csrf_token,
            flash,
            path: parts.uri.path().to_owned(),
            ip,
            demo,
            reference,
        })
    }
}

impl PageContext {
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        use crate::accounts::RoleExt;
        Layout {
            title: title.into(),
            nav: nav_for(self.user.as_ref().map(|u| u.user.role), &self.path),
            user: self.user.as_ref().map(|u| UserBadge {
                name: u.user.name.clone(),
                role_label: u.user.role.label(),
                organisation: u.organisation.clone(),
            }),
            csrf_token: self.csrf_token.clone(),
            flash: self.flash.clone(),
            demo: self.demo,
        }
    }
}
