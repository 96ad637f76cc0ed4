//! The JSON API: tokens, problem details, the OpenAPI description, ETags, and the whole
//! "script" flow from the open call to a submitted dossier.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::attachments::{BOUNDARY, file, multipart_body, text};
use crate::helpers::{
    ADMIN, DEMO_PASSWORD, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, count, spawn_app, user_id,
};

const ANTWERPEN: i32 = 11002;
const WILLEBROEK: i32 = 12040;
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A token for the demo account `email`, made as the account page makes it.
pub(crate) async fn token_for(app: &TestApp, email: &str) -> String {
    let id = user_id(&app.db, email).await;
    samenleven::store::api_tokens::create(&app.db, id, "test", chrono::Utc::now())
        .await
        .expect("token")
        .1
}

/// A client for the API with a bearer token.
pub(crate) struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub(crate) async fn new(app: &TestApp, email: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
            token: token_for(app, email).await,
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.request(Method::GET, path).send().await.unwrap()).await
    }

    pub(crate) async fn send_json(
        &self,
        method: Method,
        path: &str,
        etag: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self.request(method, path).json(body);
        if let Some(tag) = etag {
            request = request.header("if-match", tag);
        }
        request.send().await.unwrap()
    }

    async fn upload(&self, dossier: i64, kind: &str, name: &str, data: &[u8]) -> reqwest::Response {
        self.request(
            Method::POST,
            &format!("/api/v1/dossiers/{dossier}/attachments"),
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(&[
            text("kind", kind),
            file(name, "application/octet-stream", data),
        ]))
        .send()
        .await
        .unwrap()
    }
}

pub(crate) async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// Checks that `response` is a problem document with `status`, and returns it.
pub(crate) async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    for key in ["type", "title", "detail", "instance"] {
        assert!(body[key].is_string(), "{key} in {body}");
    }
    body
}

pub(crate) fn etag_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_owned()
}

pub(crate) async fn open_call(api: &Api) -> Value {
    let (status, calls) = api.get("/api/v1/calls").await;
    assert_eq!(status, 200);
    let open = calls
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["open_for_submission"] == true)
        .expect("an open call")
        .clone();
    let (status, call) = api.get(&format!("/api/v1/calls/{}", open["id"])).await;
    assert_eq!(status, 200);
    call
}

pub(crate) async fn create_draft(api: &Api, call_id: &Value) -> (i64, String) {
    let response = api
        .send_json(
            Method::POST,
            "/api/v1/dossiers",
            None,
            &json!({"call_id": call_id}),
        )
        .await;
    assert_eq!(response.status(), 201, "draft created");
    let tag = etag_of(&response);
    let body: Value = response.json().await.unwrap();
    (body["id"].as_i64().unwrap(), tag)
}

pub(crate) fn filled(call: &Value) -> Value {
    let actions: Vec<Value> = call["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| ["4.3", "3.1a"].contains(&a["code"].as_str().unwrap()))
        .enumerate()
        .map(|(i, a)| {
            json!({
                "action_code": a["code"],
                "priority": i + 1,
                "baseline_reach": 0,
                "planned_reach": 1,
                "own_contribution_cents": a["unit_cost_cents"],
                "description": "Taalcoaching en ontmoeting met vaste partners.",
                "kpis": [{
                    "indicator": "Deelnemers die het traject afronden",
                    "unit": "personen",
                    "baseline": 0,
                    "target": 12.5,
                    "target_date": call["period_end"],
                    "measurement": "Aanwezigheidslijsten",
                }],
            })
        })
        .collect();
    json!({
        "general": {
            "title": "Samen sterker in Antwerpen",
            "summary": "Taal, ontmoeting en werk voor nieuwkomers.",
            "contact_name": "Els Verbeke",
            "contact_email": "samenleven@antwerpen.test",
            "contact_phone": "03 123 45 67",
            "first_project_year": 1,
            "last_project_year": 1,
        },
        "actions": actions,
        "declarations": {"truthful": true, "mandate": true, "cofinancing": true},
    })
}

#[tokio::test]
async fn a_script_lists_the_call_checks_eligibility_creates_fills_uploads_and_submits() {
    let app = spawn_app().await;
    let api = Api::new(&app, OFFICIAL_A).await;

    let (status, me) = api.get("/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["municipality_nis_code"], ANTWERPEN);
    let call = open_call(&api).await;
    assert!(
        call["actions"].as_array().unwrap().len() >= 20,
        "22 actions"
    );

    let (status, verdict) = api
        .get(&format!(
            "/api/v1/municipalities/{ANTWERPEN}/eligibility?call_id={}",
            call["id"]
        ))
        .await;
    assert_eq!(status, 200, "{verdict}");
    assert_eq!(verdict["verdict"]["decision"], "eligible_alone");
    assert!(!verdict["verdict"]["results"].as_array().unwrap().is_empty());
    assert!(verdict["verdict"]["fictitious"].is_boolean());
    let (status, list) = api.get("/api/v1/municipalities").await;
    assert_eq!(status, 200);
    assert!(list["items"].as_array().unwrap().len() > 250);

    let (id, tag) = create_draft(&api, &call["id"]).await;
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &filled(&call),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let (_, dossier) = api.get(&format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(dossier["title"], "Samen sterker in Antwerpen");
    assert_eq!(dossier["actions"].as_array().unwrap().len(), 2);
    assert_eq!(dossier["actions"][0]["kpis"].as_array().unwrap().len(), 2);
    assert_eq!(dossier["sections"]["attachments"], "not_started");
    assert_eq!(dossier["checks"]["ready_to_submit"], false);

    // Not ready yet: the submission says what is missing.
    let body = problem(
        api.request(Method::POST, &format!("/api/v1/dossiers/{id}/submit"))
            .header("if-match", dossier["etag"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "sections.attachments")
    );

    let response = api.upload(id, "council_decision", "besluit.pdf", PDF).await;
    assert_eq!(response.status(), 201);
    let response = api.upload(id, "budget_sheet", "begroting.pdf", PDF).await;
    assert_eq!(response.status(), 201);
    let tag = etag_of(&response);
    let response = api
        .request(Method::POST, &format!("/api/v1/dossiers/{id}/submit"))
        .header("if-match", &tag)
        .send()
        .await
        .unwrap();
    let (status, submitted) = read(response).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["state"], "submitted");

    assert_eq!(
        count(&app.db, "application WHERE state = 'submitted'").await,
        1
    );
    assert_eq!(count(&app.db, "application_snapshot").await, 1);
    assert!(count(&app.db, "audit_log WHERE action = 'application.submitted'").await == 1);
    assert!(
        count(&app.db, "email_outbox").await >= 1,
        "confirmation queued"
    );
    assert_eq!(
        count(&app.db, "api_token WHERE last_used_at IS NOT NULL").await,
        1,
        "the token's use is recorded"
    );
    // Locked now: further changes are conflicts.
    problem(
        api.send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some("*"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    // ABB sees it in its list, the other municipality does not even see it exists.
    let reviewer = Api::new(&app, REVIEWER).await;
    let (_, list) = reviewer.get("/api/v1/dossiers?state=submitted").await;
    assert_eq!(list["total"], 1);
    let other = Api::new(&app, OFFICIAL_B).await;
    problem(
        other
            .request(Method::GET, &format!("/api/v1/dossiers/{id}"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let (_, list) = other.get("/api/v1/dossiers").await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_session_cookie_does_not_authenticate_the_api() {
    let app = spawn_app().await;
    let browser = app.signed_in(OFFICIAL_A).await;
    let response = browser
        .client
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap();
    let body = problem(response, 401).await;
    assert_eq!(body["instance"], "/api/v1/me");
    // Nor does it let a cross-site form post to the API.
    let response = browser
        .client
        .post(format!("{}/api/v1/dossiers", app.address))
        .header("content-type", "application/json")
        .body("{\"call_id\": 1}")
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
    assert_eq!(count(&app.db, "application").await, 0);
}

#[tokio::test]
async fn missing_unknown_and_revoked_tokens_get_401_and_refusals_are_audited() {
    let app = spawn_app().await;
    let anonymous = app
        .client
        .get(format!("{}/api/v1/calls", app.address))
        .send()
        .await
        .unwrap();
    assert!(anonymous.headers().contains_key("www-authenticate"));
    problem(anonymous, 401).await;
    let unknown = app
        .client
        .get(format!("{}/api/v1/calls", app.address))
        .bearer_auth("slapi_bestaat-niet")
        .send()
        .await
        .unwrap();
    problem(unknown, 401).await;
    let api = Api::new(&app, OFFICIAL_A).await;
    assert_eq!(api.get("/api/v1/calls").await.0, 200);
    let id = user_id(&app.db, OFFICIAL_A).await;
    let token_id = count(&app.db, "api_token").await;
    samenleven::store::api_tokens::revoke(&app.db, id, token_id, chrono::Utc::now())
        .await
        .unwrap()
        .expect("revoked");
    let body = problem(
        api.request(Method::GET, "/api/v1/calls")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("ingetrokken"));
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'api_token.refused' AND details = 'revoked'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'api_token.refused' AND details = 'unknown'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_user_creates_a_token_that_is_shown_once_and_revokes_it_on_the_account_page() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let (status, html) = browser.get("/account/api-sleutels").await;
    assert_eq!(status, 200);
    assert!(html.contains("nog geen API-sleutels"));
    let response = browser
        .post(
            "/account/api-sleutels",
            &[("name", "  "), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Geef de sleutel een naam")
    );
    let response = browser
        .post(
            "/account/api-sleutels",
            &[("name", "Zaaksysteem"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let start = html.find("slapi_").expect("the token is shown");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(
        count(&app.db, &format!("api_token WHERE token_hash = '{token}'")).await,
        0,
        "only a hash is stored"
    );
    let me = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let (_, html) = browser.get("/account/api-sleutels").await;
    assert!(!html.contains(&token), "shown only once");
    assert!(html.contains("Zaaksysteem"));
    // A token can only be revoked by its owner.
    let mut other = app.signed_in(OFFICIAL_B).await;
    other.get("/account/api-sleutels").await;
    let token_id = count(&app.db, "api_token").await;
    let response = other
        .post(&format!("/account/api-sleutels/{token_id}/intrekken"), &[])
        .await;
    assert_eq!(response.status(), 404);
    let response = browser
        .post(&format!("/account/api-sleutels/{token_id}/intrekken"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let refused = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(refused, 401).await;
    for action in [
        "api_token.created",
        "api_token.revoked",
        "api_token.refused",
    ] {
        assert_eq!(
            count(&app.db, &format!("audit_log WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }
    // The forms are CSRF-protected like the others.
    let response = browser
        .post_raw("/account/api-sleutels", &[("name", "zonder token")])
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn bad_bodies_are_problems_never_server_errors() {
    let app = spawn_app().await;
    let api = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&api).await;
    let (id, tag) = create_draft(&api, &call["id"]).await;
    let path = format!("/api/v1/dossiers/{id}");
    let raw = |body: &'static str, content_type: &'static str| {
        api.request(Method::PATCH, &path)
            .header("if-match", &tag)
            .header("content-type", content_type)
            .body(body)
    };
    problem(
        raw("{\"general\": ", "application/json")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    problem(raw("{}", "text/plain").send().await.unwrap(), 415).await;
    let body = problem(
        raw("{\"general\": {\"title\": 5}}", "application/json")
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "general.title");
    assert_eq!(
        body["errors"][0]["message"],
        "Verkeerd type: verwacht tekst."
    );
    let body = problem(
        raw("{\"algemeen\": {}}", "application/json")
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "algemeen");
    let huge = format!(
        "{{\"general\": {{\"title\": \"{}\"}}}}",
        "x".repeat(400 * 1024)
    );
    let response = api
        .request(Method::PATCH, &path)
        .header("if-match", &tag)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    problem(response, 413).await;
    // Field validation is the forms': every bad field gets its Dutch message, nothing is saved.
    let mut body = filled(&call);
    body["general"]["contact_email"] = json!("geen-adres");
    body["actions"][0]["planned_reach"] = json!(-3);
    body["actions"][1]["kpis"][0]["target_date"] = json!("morgen");
    body["declarations"]["mandate"] = json!(false);
    let response = api.send_json(Method::PATCH, &path, Some(&tag), &body).await;
    let refused = problem(response, 422).await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for expected in [
        "general.contact_email",
        "actions[0].planned_reach",
        "actions[1].kpis[0].target_date",
        "declarations.mandate",
    ] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("e-mailadres")
    );
    assert_eq!(
        count(&app.db, "application_action").await,
        0,
        "nothing saved"
    );
    // Bad ids and unknown paths are not found, as problems.
    for bad in [
        "/api/v1/dossiers/abc",
        "/api/v1/dossiers/-1",
        "/api/v1/calls/99999999999999999999",
        "/api/v1/calls/abc",
        "/api/v1/bestaat-niet",
    ] {
        problem(api.request(Method::GET, bad).send().await.unwrap(), 404).await;
    }
    problem(
        api.request(Method::DELETE, &path).send().await.unwrap(),
        405,
    )
    .await;
    let (status, _) = api.get("/api/v1/dossiers?page=0").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_change_needs_a_current_if_match_so_two_clients_cannot_overwrite_each_other() {
    let app = spawn_app().await;
    let first = Api::new(&app, OFFICIAL_A).await;
    let second = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&first).await;
    let (id, tag) = create_draft(&first, &call["id"]).await;
    let path = format!("/api/v1/dossiers/{id}");
    let change = |title: &str| {
        let mut body = filled(&call);
        body["general"]["title"] = json!(title);
        json!({"general": body["general"]})
    };
    problem(
        first
            .send_json(Method::PATCH, &path, None, &change("Zonder"))
            .await,
        428,
    )
    .await;
    let response = first
        .send_json(Method::PATCH, &path, Some(&tag), &change("Eerste"))
        .await;
    assert_eq!(response.status(), 200);
    let new_tag = etag_of(&response);
    assert_ne!(new_tag, tag);
    // The second client read the dossier before the first saved.
    problem(
        second
            .send_json(Method::PATCH, &path, Some(&tag), &change("Tweede"))
            .await,
        412,
    )
    .await;
    let (_, dossier) = second.get(&path).await;
    assert_eq!(dossier["title"], "Eerste");
    assert_eq!(dossier["etag"], json!(new_tag));
    problem(
        second
            .request(Method::POST, &format!("{path}/submit"))
            .send()
            .await
            .unwrap(),
        428,
    )
    .await;
    // A change made on the pages moves the ETag as well.
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let action = crate::journey::add_action(&app, &mut browser, &id.to_string(), "4.3").await;
    assert!(!action.is_empty());
    problem(
        first
            .send_json(Method::PATCH, &path, Some(&new_tag), &change("Derde"))
            .await,
        412,
    )
    .await;
}

#[tokio::test]
async fn each_role_gets_what_the_policy_allows() {
    let app = spawn_app().await;
    let a = Api::new(&app, OFFICIAL_A).await;
    let b = Api::new(&app, OFFICIAL_B).await;
    let reviewer = Api::new(&app, REVIEWER).await;
    let admin = Api::new(&app, ADMIN).await;
    let call = open_call(&a).await;
    // Officials see their own municipality's verdict and advice, staff every municipality's.
    let eligibility = format!("/api/v1/municipalities/{ANTWERPEN}/eligibility");
    assert_eq!(a.get(&eligibility).await.0, 200);
    problem(
        b.request(Method::GET, &eligibility).send().await.unwrap(),
        403,
    )
    .await;
    assert_eq!(reviewer.get(&eligibility).await.0, 200);
    let (status, advice) = b
        .get(&format!("/api/v1/municipalities/{WILLEBROEK}/advice"))
        .await;
    assert_eq!(status, 200, "{advice}");
    assert!(advice["status"].is_string());
    assert_eq!(
        admin
            .get(&format!("/api/v1/municipalities/{WILLEBROEK}/advice"))
            .await
            .0,
        200
    );
    // Only officials start dossiers; a municipality that may not apply alone is told why.
    problem(
        reviewer
            .send_json(
                Method::POST,
                "/api/v1/dossiers",
                None,
                &json!({"call_id": call["id"]}),
            )
            .await,
        403,
    )
    .await;
    let refused = problem(
        b.send_json(
            Method::POST,
            "/api/v1/dossiers",
            None,
            &json!({"call_id": call["id"]}),
        )
        .await,
        409,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("niet zelfstandig")
    );
    let (id, tag) = create_draft(&a, &call["id"]).await;
    // ABB reads the draft but never edits it; B may not learn it exists.
    assert_eq!(reviewer.get(&format!("/api/v1/dossiers/{id}")).await.0, 200);
    problem(
        admin
            .send_json(
                Method::PATCH,
                &format!("/api/v1/dossiers/{id}"),
                Some(&tag),
                &json!({}),
            )
            .await,
        403,
    )
    .await;
    problem(
        b.send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &json!({}),
        )
        .await,
        404,
    )
    .await;
    let (_, list) = reviewer.get("/api/v1/dossiers").await;
    assert_eq!(list["total"], 0, "drafts stay the applicant's");
    let (_, list) = a
        .get(&format!(
            "/api/v1/dossiers?call_id={}&state=draft&per_page=1",
            call["id"]
        ))
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_api_routes() {
    let app = spawn_app().await;
    let (status, doc) = read(app.get("/api/v1/openapi.json").await).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let mut routed: Vec<String> = samenleven::web::routes()
        .specs()
        .iter()
        .filter(|s| s.path.starts_with("/api/"))
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let (status, html) = app.get_html("/api/v1/docs").await;
    assert_eq!(status, 200);
    assert!(html.contains("PATCH /api/v1/dossiers/{id}"));
    assert!(html.contains("id=\"probleem-verouderde-versie\""));
    assert!(!html.contains("<script"), "no scripts on the docs page");
}
