//! The OpenAPI 3.1 description, generated from the handlers' `#[utoipa::path]` annotations and
//! the types' schemas, served at `/api/v1/openapi.json`. A test checks that it describes exactly
//! the `/api/v1` routes of the route table.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldProblem, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Samenleven API",
        version = "1.0.0",
        description = "De JSON-API van Samenleven, het aanvraag- en opvolgingsplatform van de provisie Samenleven. Meld u aan met een persoonlijke API-sleutel (aan te maken op de pagina Mijn account → API-sleutels) in de kop `Authorization: Bearer <sleutel>`; de sleutel handelt als uw account, met uw rol en organisatie. Fouten zijn RFC 9457-probleemdocumenten (`application/problem+json`) met een Nederlandse melding per veld in `errors`. Bedragen in eurocent, aandelen in basispunten. Cijfers met `fictitious: true` zijn demogegevens."
    ),
    paths(
        super::me,
        super::list_calls,
        super::call_detail,
        super::list_municipalities,
        super::eligibility,
        super::advice,
        super::dossiers::list,
        super::dossiers::create,
        super::dossiers::detail,
        super::dossiers::update,
        super::dossiers::upload,
        super::dossiers::submit,
        super::reports::list,
        super::reports::detail,
        super::reports::update,
        super::reports::submit,
        super::reports::upload,
        serve,
        super::docs::page,
    ),
    components(schemas(Problem, FieldProblem, super::types::StateCode, super::types::AttachmentKindCode)),
    modifiers(&BearerAuth),
    tags(
        (name = "account", description = "Wie de API-sleutel gebruikt"),
        (name = "oproepen", description = "Oproepen en hun subsidiabele acties"),
        (name = "gemeenten", description = "Gemeenten, cijfers, oordelen en de samenwerkingsadviseur"),
        (name = "dossiers", description = "Dossiers: lezen, starten, invullen, bijlagen, indienen"),
        (name = "rapporten", description = "Rapporten over de resultaten van een goedgekeurd dossier: lezen, invullen, indienen"),
        (name = "documentatie", description = "Deze beschrijving"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Een persoonlijke API-sleutel (begint met `slapi_`)."))
                    .build(),
            ),
        );
    }
}

/// The document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "documentatie",
    summary = "De OpenAPI-beschrijving",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object))
)]
pub async fn serve() -> Json<serde_json::Value> {
    Json(document())
}
