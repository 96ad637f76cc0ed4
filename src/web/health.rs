//! `/healthz`: answers 200 when the database answers, 503 otherwise. For load balancers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::state::AppState;
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/healthz", Access::Public, healthz)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let backend = crate::db::backend_name(&state.db);
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": backend })),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}
