//! The authorization matrix: every route of the router, for every role, answers as its access
//! rule and the policy say. A route added without an access rule cannot exist (the route table
//! demands one); a route whose behaviour does not match its rule fails here.

use reqwest::Method;
use samenleven::web::{Access, routes};

use crate::helpers::{ADMIN, Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, count, spawn_app, user_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    OfficialA,
    OfficialB,
    Reviewer,
    Admin,
}

impl Who {
    fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::OfficialA => Some(OFFICIAL_A),
            Who::OfficialB => Some(OFFICIAL_B),
            Who::Reviewer => Some(REVIEWER),
            Who::Admin => Some(ADMIN),
        }
    }

    fn role(self) -> Option<entity::app_user::UserRole> {
        use entity::app_user::UserRole;
        match self {
            Who::Anonymous => None,
            Who::OfficialA | Who::OfficialB => Some(UserRole::Official),
            Who::Reviewer => Some(UserRole::Reviewer),
            Who::Admin => Some(UserRole::Admin),
        }
    }
}

/// What a resource-level rule adds for one route and user, beyond the route's access rule.
fn resource_rule(path: &str, who: Who) -> Option<u16> {
    match who {
        // Official A leads the fixture dossier: a lead does not answer as a member.
        Who::OfficialA if path.ends_with("/deelname") => Some(403),
        // The dossier fixture is led by Antwerpen (official A): B may not learn it exists,
        // on any page of it.
        Who::OfficialB if path.starts_with("/dossiers/{id}") => Some(404),
        _ => None,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_rule_says() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(11002).await;
    let some_user = user_id(&app.db, OFFICIAL_B).await;
    let table = routes();
    assert!(table.specs().len() >= 15, "the table lists the routes");

    let mut failures = Vec::new();
    for spec in table.specs() {
        let path = spec
            .path
            .replace(
                "{id}",
                &if spec.path.starts_with("/beheer/gebruikers") {
                    some_user.to_string()
                } else {
                    dossier.to_string()
                },
            )
            .replace("{token}", "ongeldig");
        for who in [
            Who::Anonymous,
            Who::OfficialA,
            Who::OfficialB,
            Who::Reviewer,
            Who::Admin,
        ] {
            let mut browser = match who.email() {
                Some(email) => app.signed_in(email).await,
                None => {
                    let mut b = Browser::new(&app.address);
                    b.get("/aanmelden").await;
                    b
                }
            };
            let response = if spec.method != Method::GET && spec.path.starts_with("/api/") {
                browser
                    .client
                    .request(spec.method.clone(), format!("{}{}", app.address, path))
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap()
            } else if spec.method == Method::GET {
                browser
                    .client
                    .get(format!("{}{}", app.address, path))
                    .send()
                    .await
                    .unwrap()
            } else {
                browser.post(&path, &[]).await
            };
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let allowed = samenleven::web::routes::allows(spec.access, who.role());
            // Session cookies never authenticate the API: it answers as to anyone anonymous.
            let api = spec.path.starts_with("/api/");
            let ok = match (allowed, who, resource_rule(spec.path, who)) {
                _ if api => (spec.access == Access::Public && status < 500) || status == 401,
                (false, Who::Anonymous, _) => status == 303 && location.starts_with("/aanmelden"),
                (false, _, _) => status == 403,
                (true, _, Some(expected)) => status == expected,
                (true, _, None) => {
                    status != 403
                        && status < 500
                        && !(spec.access != Access::Public
                            && location.starts_with("/aanmelden?volgende="))
                }
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: {status} {location}",
                    spec.method, spec.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected answers:\n{}",
        failures.join("\n")
    );
    assert!(
        count(&app.db, "audit_log WHERE action = 'access.denied'").await > 0,
        "refusals are audited"
    );
}

#[test]
fn routes_are_only_added_through_the_route_table() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("web/routes.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(".route(")
                    || text.contains(".nest(")
                    || text.contains("route_service(")
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes added outside web/routes.rs: {offenders:?}"
    );
}

/// What a resource-level rule adds for one API route and user, with a token.
fn api_resource_rule(path: &str, who: Who) -> Option<u16> {
    match who {
        // The fixture dossier is Antwerpen's (official A): B may not learn it exists.
        Who::OfficialB if path.starts_with("/api/v1/dossiers/{id}") => Some(404),
        // Municipality {nis} is Antwerpen: B may not read its verdict or advice.
        Who::OfficialB if path.starts_with("/api/v1/municipalities/{nis}") => Some(403),
        _ => None,
    }
}

#[tokio::test]
async fn every_api_route_answers_every_role_with_a_token_as_its_rule_says() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(11002).await;
    let table = routes();
    let api_specs: Vec<_> = table
        .specs()
        .iter()
        .filter(|s| s.path.starts_with("/api/"))
        .collect();
    assert!(api_specs.len() >= 10, "the API's routes are in the table");
    let mut tokens = Vec::new();
    for who in [Who::OfficialA, Who::OfficialB, Who::Reviewer, Who::Admin] {
        let email = who.email().unwrap_or_default();
        tokens.push((who, crate::api_v1::token_for(&app, email).await));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for spec in api_specs {
        let path = spec
            .path
            .replace("{id}", &dossier.to_string())
            .replace("{nis}", "11002");
        for who in [
            Who::Anonymous,
            Who::OfficialA,
            Who::OfficialB,
            Who::Reviewer,
            Who::Admin,
        ] {
            let mut request = client
                .request(spec.method.clone(), format!("{}{}", app.address, path))
                .header("if-match", "*");
            if spec.method != Method::GET {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            }
            if let Some((_, token)) = tokens.iter().find(|(w, _)| *w == who) {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let is_problem = response
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            let allowed = samenleven::web::routes::allows(spec.access, who.role());
            let ok = match (allowed, who, api_resource_rule(spec.path, who)) {
                (false, Who::Anonymous, _) => status == 401 && is_problem,
                (false, _, _) => status == 403 && is_problem,
                (true, _, Some(expected)) => status == expected && is_problem,
                (true, _, None) => {
                    status != 401 && status != 403 && status < 500 && (status < 400 || is_problem)
                }
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: {status}",
                    spec.method, spec.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected answers:\n{}",
        failures.join("\n")
    );
    assert!(
        count(&app.db, "audit_log WHERE action = 'access.denied'").await > 0,
        "refusals are audited"
    );
}
