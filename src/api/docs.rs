//! The browsable API documentation at `/api/v1/docs`, made from the same OpenAPI document as
//! `/api/v1/openapi.json`: [`docs`] reads it into typed groups, operations and schemas; the web
//! layer renders them as a server-rendered page (no scripts, no external assets, fits the CSP)
//! with the site's layout and registers the route (`crate::web::api_docs`).

use serde_json::Value;

pub struct Operation {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Row>,
    pub request: String,
    pub responses: Vec<Row>,
    pub public: bool,
}

/// A row of a small table: name, kind, description.
pub struct Row {
    pub name: String,
    pub kind: String,
    pub description: String,
}

pub struct Group {
    pub name: String,
    pub description: String,
    pub operations: Vec<Operation>,
}

pub struct Schema {
    pub name: String,
    pub description: String,
    pub properties: Vec<Row>,
}

pub struct ProblemKind {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
}

/// The documentation: what the page shows.
pub struct Docs {
    pub version: String,
    pub description: String,
    pub groups: Vec<Group>,
    pub schemas: Vec<Schema>,
    pub problems: Vec<ProblemKind>,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// A schema's type in a few words: `DossierOut`, `lijst van X`, `string (date)`.
fn kind_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let kinds: Vec<String> = options
            .iter()
            .map(kind_of)
            .filter(|k| k != "null")
            .collect();
        return format!("{} (of null)", kinds.join(" of "));
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            let main: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
            let mut s = main.join(" of ");
            if names.contains(&"null") {
                s.push_str(" (of null)");
            }
            s
        }
        _ => "object".to_owned(),
    };
    if base.starts_with("array") {
        return format!(
            "lijst van {}",
            schema.get("items").map(kind_of).unwrap_or_default()
        );
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base} ({format})"),
        None => base,
    }
}

fn operations(doc: &Value) -> Vec<(String, Operation)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let tag = op
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let parameters = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| Row {
                            name: text(p, "name"),
                            kind: format!(
                                "{} in {}{}",
                                p.get("schema").map(kind_of).unwrap_or_default(),
                                text(p, "in"),
                                if p.get("required").and_then(Value::as_bool) == Some(true) {
                                    ", verplicht"
                                } else {
                                    ""
                                }
                            ),
                            description: text(p, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let request = op
                .get("requestBody")
                .and_then(|b| b.get("content"))
                .and_then(Value::as_object)
                .map(|c| {
                    c.iter()
                        .map(|(ct, m)| {
                            format!(
                                "{} ({ct})",
                                m.get("schema").map(kind_of).unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| Row {
                            name: status.clone(),
                            kind: r
                                .get("content")
                                .and_then(Value::as_object)
                                .map(|c| {
                                    c.iter()
                                        .map(|(ct, m)| {
                                            format!(
                                                "{} ({ct})",
                                                m.get("schema").map(kind_of).unwrap_or_default()
                                            )
                                        })
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                })
                                .unwrap_or_default(),
                            description: text(r, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let upper = method.to_uppercase();
            out.push((
                tag,
                Operation {
                    anchor: format!(
                        "op-{}-{}",
                        method,
                        path.trim_matches('/').replace(['/', '{', '}', '.'], "-")
                    ),
                    method: upper,
                    path: path.clone(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    parameters,
                    request,
                    responses,
                    public: op.get("security").is_none(),
                },
            ));
        }
    }
    out
}

fn schemas(doc: &Value) -> Vec<Schema> {
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut properties = Vec::new();
            let collect = |s: &Value, properties: &mut Vec<Row>| {
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (prop, p) in props {
                        properties.push(Row {
                            name: prop.clone(),
                            kind: format!(
                                "{}{}",
                                kind_of(p),
                                if required.contains(&prop.as_str()) {
                                    ", verplicht"
                                } else {
                                    ""
                                }
                            ),
                            description: text(p, "description"),
                        });
                    }
                }
            };
            collect(schema, &mut properties);
            if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
                for part in parts {
                    if let Some(reference) = part.get("$ref").and_then(Value::as_str) {
                        properties.push(Row {
                            name: "…".into(),
                            kind: reference.rsplit('/').next().unwrap_or("").to_owned(),
                            description: "alle velden van dit schema".into(),
                        });
                    }
                    collect(part, &mut properties);
                }
            }
            Schema {
                name: name.clone(),
                description: text(schema, "description"),
                properties,
            }
        })
        .collect()
}

/// The route's entry in the OpenAPI document. The page is served by the web layer
/// (`crate::web::api_docs::page`, which renders [`docs`]); this function only carries the
/// description and is never routed.
#[utoipa::path(
    get, path = "/api/v1/docs", tag = "documentatie",
    summary = "Deze documentatie als webpagina",
    responses((status = 200, description = "HTML", content_type = "text/html", body = String))
)]
#[allow(dead_code)]
pub(crate) fn page() {}

/// The documentation read from the OpenAPI document, grouped by tag.
pub fn docs() -> Docs {
    let doc = super::openapi::document();
    let info = doc.get("info").cloned().unwrap_or_default();
    let tags: Vec<(String, String)> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|t| (text(t, "name"), text(t, "description")))
                .collect()
        })
        .unwrap_or_default();
    let mut ops = operations(&doc);
    let groups = tags
        .into_iter()
        .map(|(name, description)| {
            let mut operations = Vec::new();
            let mut rest = Vec::new();
            for (tag, op) in ops.drain(..) {
                if tag == name {
                    operations.push(op);
                } else {
                    rest.push((tag, op));
                }
            }
            ops = rest;
            Group {
                name,
                description,
                operations,
            }
        })
        .collect();
    Docs {
        version: text(&info, "version"),
        description: text(&info, "description"),
        groups,
        schemas: schemas(&doc),
        problems: super::problem::KINDS
            .iter()
            .map(|(status, slug, title)| ProblemKind {
                slug,
                status: *status,
                title,
            })
            .collect(),
    }
}
