//! The page of the browsable API documentation (`/api/v1/docs`): the typed documentation of
//! [`crate::api::docs`] in the site's layout. The API itself never renders pages, so the web
//! layer registers this route (with the same access rule: public).

use askama::Template;
use axum::response::Html;

use crate::api::docs::{self, Group, ProblemKind, Schema};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/api/v1/docs", Access::Public, page)
}

#[derive(Template)]
#[template(path = "api/docs.html")]
pub struct DocsPage {
    pub layout: Layout,
    pub version: String,
    pub description: String,
    pub groups: Vec<Group>,
    pub schemas: Vec<Schema>,
    pub problems: Vec<ProblemKind>,
}

pub async fn page(ctx: PageContext) -> Result<Html<String>, AppError> {
    let docs = docs::docs();
    render(&DocsPage {
        layout: ctx.layout("API-documentatie"),
        version: docs.version,
        description: docs.description,
        groups: docs.groups,
        schemas: docs.schemas,
        problems: docs.problems,
    })
}
