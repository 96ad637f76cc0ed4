//! The shared page layout and the small building blocks every page struct uses.

use askama::Template;
use axum::response::Html;

use entity::app_user::UserRole;

use crate::error::AppError;

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
}

impl ErrorPage {
    pub fn new(heading: &str, message: String, reference: Option<String>) -> Self {
        Self {
            layout: Layout::public(heading, "", false),
            heading: heading.to_owned(),
            message,
            reference,
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
