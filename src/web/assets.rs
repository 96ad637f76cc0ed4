//! Static assets, compiled into the binary so the release build runs from any directory.

use axum::http::header;
use axum::response::IntoResponse;

use crate::web::{Access, RouteTable};

const APP_CSS: &str = include_str!("../../templates/static/app.css");

pub fn routes() -> RouteTable {
    RouteTable::new().get("/static/app.css", Access::Public, app_css)
}

async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}
