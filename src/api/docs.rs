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

/// Every operation of the document with its first tag, in the document's order.
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
            out.push((tag, operation(path, method, op)));
        }
    }
    out
}

/// One operation: its anchor, summary, parameters, request body and responses.
fn operation(path: &str, method: &str, op: &Value) -> Operation {
    Operation {
        anchor: format!(
            "op-{}-{}",
            method,
            path.trim_matches('/').replace(['/', '{', '}', '.'], "-")
        ),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(op, "summary"),
        description: text(op, "description"),
        parameters: parameters(op),
        request: op.get("requestBody").map(content_kinds).unwrap_or_default(),
        responses: responses(op),
        public: op.get("security").is_none(),
    }
}

/// The rows of an operation's parameters: name, kind and place, description.
fn parameters(op: &Value) -> Vec<Row> {
    op.get("parameters")
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
        .unwrap_or_default()
}

/// The rows of an operation's responses: status, content, description.
fn responses(op: &Value) -> Vec<Row> {
    op.get("responses")
        .and_then(Value::as_object)
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| Row {
                    name: status.clone(),
                    kind: content_kinds(r),
                    description: text(r, "description"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The kinds of a request body's or a response's `content`: `DossierOut (application/json)`.
fn content_kinds(body: &Value) -> String {
    body.get("content")
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
        .unwrap_or_default()
}

/// The named schemas of the document's components.
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
        .map(|(name, schema)| Schema {
            name: name.clone(),
            description: text(schema, "description"),
            properties: properties(schema),
        })
        .collect()
}

/// A schema's properties, those of its `allOf` parts after them (a referenced part as one row).
fn properties(schema: &Value) -> Vec<Row> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties = Vec::new();
    own_properties(schema, &required, &mut properties);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            if let Some(reference) = part.get("$ref").and_then(Value::as_str) {
                properties.push(Row {
                    name: "…".into(),
                    kind: reference.rsplit('/').next().unwrap_or("").to_owned(),
                    description: "alle velden van dit schema".into(),
                });
            }
            own_properties(part, &required, &mut properties);
        }
    }
    properties
}

/// The rows of the `properties` of one schema (or part), marked `verplicht` when required.
fn own_properties(s: &Value, required: &[&str], properties: &mut Vec<Row>) {
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
pub(crate) fn page() {
    // Never called: the attribute above is all there is to it.
}

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
