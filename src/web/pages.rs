//! The shared page layout and the small building blocks every page struct uses.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, Response};

use entity::app_user::UserRole;

use crate::auth::session::SessionUser;
use crate::error::{AppError, ShownError};
use crate::store::reference_cache::Reference;

/// What the layout template needs from every page: title, navigation for the user's role,
/// the signed-in user, the CSRF token for the logout form, a flash message, and whether the
/// demo banner (fictitious figures) must show.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub user: Option<UserBadge>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub demo: bool,
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct UserBadge {
    pub name: String,
    pub role_label: &'static str,
    pub organisation: Option<String>,
}

impl Layout {
    /// A layout for an anonymous visitor.
    pub fn public(title: impl Into<String>, current_path: &str, demo: bool) -> Self {
        Self {
            title: title.into(),
            nav: nav_for(None, current_path),
            demo,
            ..Self::default()
        }
    }
}

/// The navigation per role. `role` is `None` for anonymous visitors.
pub fn nav_for(role: Option<UserRole>, current_path: &str) -> Vec<NavItem> {
    let items: &[(&'static str, &'static str)] = match role {
        None => &[("/", "Start"), ("/aanmelden", "Aanmelden")],
        Some(UserRole::Official) => &[
            ("/", "Start"),
            ("/gemeente", "Mijn gemeente"),
            ("/dossiers", "Dossiers"),
            ("/account", "Mijn account"),
        ],
        Some(UserRole::Reviewer) => &[
            ("/", "Start"),
            ("/beoordeling", "Beoordeling"),
            ("/beoordeling/toewijzing", "Toewijzing"),
            ("/opvolging", "Opvolging"),
            ("/opvolging/betalingen", "Betalingen"),
            ("/beoordeling/dashboard", "Dashboard"),
            ("/account", "Mijn account"),
        ],
        Some(UserRole::Admin) => &[
            ("/", "Start"),
            ("/beoordeling", "Beoordeling"),
            ("/beoordeling/toewijzing", "Toewijzing"),
            ("/opvolging", "Opvolging"),
            ("/opvolging/betalingen", "Betalingen"),
            ("/beoordeling/dashboard", "Dashboard"),
            ("/beheer/oproepen", "Oproepen"),
            ("/beheer/gebruikers", "Gebruikers"),
            ("/beheer/organisaties", "Organisaties"),
            ("/beheer/audit", "Auditlog"),
            ("/beheer/e-mails", "E-mails"),
            ("/beheer/fusies", "Fusies"),
            ("/account", "Mijn account"),
        ],
    };
    items
        .iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            current: *href == current_path,
        })
        .collect()
}

/// Renders a page; a template error becomes an internal error (logged, never shown).
pub fn render<T: Template>(page: &T) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub reference: Option<String>,
    pub back_href: String,
    pub back_label: &'static str,
}

impl ErrorPage {
    pub fn new(heading: &str, message: String, reference: Option<String>) -> Self {
        Self {
            layout: Layout::public(heading, "", false),
            heading: heading.to_owned(),
            message,
            reference,
            back_href: "/".to_owned(),
            back_label: "Terug naar de startpagina",
        }
    }

    /// The error page as HTML; if even that fails, a minimal plain page.
    pub fn render_or_plain(&self) -> String {
        self.render().unwrap_or_else(|err| {
            tracing::error!(error = %err, "error page failed to render");
            format!(
                "<!DOCTYPE html><html lang=\"nl\"><title>Fout</title><h1>{}</h1>",
                self.heading
            )
        })
    }
}

/// Where an error page on `path` (answered with `status`) links back to: the dossier the user
/// was working on, or the list it belongs to, or the start page.
pub fn back_link(path: &str, status: StatusCode) -> (String, &'static str) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match segments.as_slice() {
        ["dossiers", id, _, ..] if numeric(id) && status != StatusCode::NOT_FOUND => {
            (format!("/dossiers/{id}"), "Terug naar het dossier")
        }
        ["dossiers", ..] => ("/dossiers".to_owned(), "Naar de dossiers"),
        ["beoordeling", id, _, ..] if numeric(id) && status != StatusCode::NOT_FOUND => {
            (format!("/beoordeling/{id}"), "Terug naar het dossier")
        }
        ["beoordeling", ..] => ("/beoordeling".to_owned(), "Naar de beoordeling"),
        _ => ("/".to_owned(), "Terug naar de startpagina"),
    }
}

/// Renders an error page again inside the user's own layout: the signed-in header (name, menu,
/// "Afmelden") and a link back to where the user was (the dossier when there is one). Pages
/// under `/api/` are left alone (they answer problem documents).
pub async fn error_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        return next.run(request).await;
    }
    let user = request.extensions().get::<SessionUser>().cloned();
    let reference = request.extensions().get::<Reference>().cloned();
    let mut response = next.run(request).await;
    let Some(shown) = response.extensions_mut().remove::<ShownError>() else {
        return response;
    };
    let demo = match &reference {
        Some(reference) => reference.fictitious().await.unwrap_or(false),
        None => false,
    };
    let layout = match &user {
        Some(user) => {
            use crate::accounts::RoleExt;
            Layout {
                title: shown.heading.clone(),
                nav: nav_for(Some(user.user.role), &path),
                user: Some(UserBadge {
                    name: user.user.name.clone(),
                    role_label: user.user.role.label(),
                    organisation: user.organisation.clone(),
                }),
                csrf_token: user.csrf_token.clone(),
                flash: None,
                demo,
            }
        }
        None => Layout::public(shown.heading.clone(), &path, demo),
    };
    let (back_href, back_label) = back_link(&path, response.status());
    let page = ErrorPage {
        layout,
        heading: shown.heading,
        message: shown.message,
        reference: shown.reference,
        back_href,
        back_label,
    };
    *response.body_mut() = Body::from(page.render_or_plain());
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_inside_a_dossier_links_back_to_the_dossier() {
        assert_eq!(
            back_link("/dossiers/7/indienen", StatusCode::CONFLICT),
            ("/dossiers/7".to_owned(), "Terug naar het dossier")
        );
        assert_eq!(
            back_link("/beoordeling/7/beslissing", StatusCode::FORBIDDEN),
            ("/beoordeling/7".to_owned(), "Terug naar het dossier")
        );
    }

    #[test]
    fn a_dossier_not_found_links_to_the_list_and_other_pages_to_the_start() {
        assert_eq!(
            back_link("/dossiers/7/algemeen", StatusCode::NOT_FOUND).0,
            "/dossiers"
        );
        assert_eq!(
            back_link("/dossiers/7", StatusCode::CONFLICT).0,
            "/dossiers"
        );
        assert_eq!(back_link("/nergens", StatusCode::NOT_FOUND).0, "/");
    }
}
