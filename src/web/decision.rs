//! The formal decision of a dossier, for whoever may view the dossier: the page
//! `/dossiers/{id}/beslissing` (printable on A4, with "Download als PDF") and the PDF
//! `/dossiers/{id}/beslissing.pdf`. Both render the one [`DecisionDocument`] that
//! [`app::decision_document::load`] builds; [`pdf`] lays it out with [`crate::pdf`].

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::{self, Caller};
use crate::domain::decision_document::{
    CallText, DecisionDocument, Grants, ILLUSTRATIVE_MARK, ISSUER,
};
use crate::domain::dutch::join_names;
use crate::error::AppError;
use crate::pdf::{Align, Column, Font, Layout, Row, Table};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::extract::Id;
use crate::web::filters;
use crate::web::pages::{Layout as PageLayout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/beslissing", Access::SignedIn, page)
        .get("/dossiers/{id}/beslissing.pdf", Access::SignedIn, download)
}

/// Where the decision of dossier `id` is read.
pub fn href(id: i64) -> String {
    format!("/dossiers/{id}/beslissing")
}

#[derive(Template)]
#[template(path = "decision/show.html")]
pub struct DecisionPage {
    pub layout: PageLayout,
    pub doc: DecisionDocument,
    pub members: String,
    pub pdf_href: String,
    pub mark: &'static str,
    pub issuer: &'static str,
}

/// The decision of dossier `id` as a page.
async fn page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let doc = app::decision_document::load(&state, &caller, id).await?;
    render(&DecisionPage {
        layout: ctx.layout(doc.heading()),
        members: join_names(doc.addressee.members()),
        pdf_href: format!("{}.pdf", href(id)),
        mark: ILLUSTRATIVE_MARK,
        issuer: ISSUER,
        doc,
    })
}

/// The decision of dossier `id` as a PDF download.
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    let doc = app::decision_document::load(&state, &caller, id).await?;
    let mut response = pdf(&doc).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", doc.file_name()))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

const BODY: f32 = 10.0;

/// A text of the call with its illustrative mark, as the page shows it.
fn call_text(layout: &mut Layout, title: &str, text: &CallText) {
    layout.heading(title, 12.0);
    layout.paragraph(text.shown(), Font::Regular, BODY);
    if text.marked() {
        layout.paragraph(&format!("[{ILLUSTRATIVE_MARK}]"), Font::Bold, 8.5);
    }
}

/// The decision as a PDF: the same parts, in the same order, as the page.
pub fn pdf(doc: &DecisionDocument) -> Vec<u8> {
    let mut l = Layout::new(
        &doc.heading(),
        &format!("{ISSUER} · beslissing {}", doc.reference),
    );
    pdf_head(&mut l, doc);
    l.heading("Beslissing", 12.0);
    l.paragraph(&doc.outcome_sentence(), Font::Regular, BODY);
    if let Some(g) = &doc.grants {
        pdf_amounts(&mut l, g);
    }
    l.heading("Motivering", 12.0);
    l.paragraph(&doc.motivation, Font::Regular, BODY);
    if !doc.payments.is_empty() {
        pdf_payments(&mut l, doc);
    }
    call_text(&mut l, "Rechtsgrond", &doc.legal_basis);
    call_text(&mut l, "Beroep", &doc.appeal_route);
    l.heading("Ondertekening", 12.0);
    l.paragraph(&format!("Voor het {ISSUER},"), Font::Regular, BODY);
    l.paragraph(doc.signatory_role.shown(), Font::Bold, BODY);
    if doc.signatory_role.marked() {
        l.paragraph(&format!("[{ILLUSTRATIVE_MARK}]"), Font::Bold, 8.5);
    }
    l.finish()
}

/// The issuer, the facts (reference, date, addressee, members, dossier), the title and what
/// the reader must know first (a demo call, a reopened decision).
fn pdf_head(l: &mut Layout, doc: &DecisionDocument) {
    l.paragraph(ISSUER, Font::Bold, 12.0);
    l.paragraph(
        &format!("provisie Samenleven · {}", doc.call_title),
        Font::Regular,
        9.0,
    );
    let mut facts = vec![
        ("Referentie", doc.reference.clone()),
        ("Datum", crate::domain::time::date_long(doc.decided_on)),
        ("Aan", doc.addressee.line()),
    ];
    let members = doc.addressee.members();
    if !members.is_empty() {
        facts.push(("Deelnemende gemeenten", join_names(members)));
    }
    facts.push(("Dossier", doc.title.clone()));
    facts.push(("Uitkomst", doc.outcome.label().to_owned()));
    l.table(&Table {
        columns: vec![
            Column::new("", 0.25, Align::Left),
            Column::new("", 0.75, Align::Left),
        ],
        rows: facts
            .into_iter()
            .map(|(k, v)| Row::new(vec![k.to_owned(), v]))
            .collect(),
        size: BODY,
    });
    l.heading(&doc.heading(), 16.0);
    if doc.fictitious_call {
        l.paragraph(
            "Demo-oproep met fictieve parameters: geen echte beslissing.",
            Font::Bold,
            BODY,
        );
    }
    if let Some(sentence) = doc.reopened_sentence() {
        l.paragraph(&format!("Heropend. {sentence}"), Font::Bold, BODY);
    }
}

/// The amounts per action and project year, the incentive and the totals.
fn pdf_amounts(l: &mut Layout, g: &Grants) {
    l.heading("Toegekende subsidie per actie en per projectjaar", 12.0);
    let amount = 0.135;
    let amounts = 2 + g.years.len();
    let mut columns = vec![
        Column::new("Actie", 1.0 - amount * amounts as f32, Align::Left),
        Column::new("Gevraagd per projectjaar", amount, Align::Right),
    ];
    columns.extend(
        g.years
            .iter()
            .map(|y| Column::new(format!("Projectjaar {y}"), amount, Align::Right)),
    );
    columns.push(Column::new("Totaal", amount, Align::Right));
    let mut rows: Vec<Row> = g
        .lines
        .iter()
        .map(|line| {
            let mut cells = vec![
                format!("{} {}", line.code, line.title),
                line.requested.to_string(),
            ];
            cells.extend(line.per_year.iter().map(ToString::to_string));
            cells.push(line.total.to_string());
            Row::new(cells)
        })
        .collect();
    if g.has_incentive() {
        let mut cells = vec!["Incentive voor de samenwerking".to_owned(), "—".to_owned()];
        cells.extend(g.incentive_by_year.iter().map(ToString::to_string));
        cells.push(g.incentive_total.to_string());
        rows.push(Row::new(cells));
    }
    let mut cells = vec!["Totaal toegekend".to_owned(), "—".to_owned()];
    cells.extend(g.year_totals.iter().map(ToString::to_string));
    cells.push(g.total.to_string());
    rows.push(Row::total(cells));
    l.table(&Table {
        columns,
        rows,
        size: 8.0,
    });
}

/// The payment schedule with its total.
fn pdf_payments(l: &mut Layout, doc: &DecisionDocument) {
    l.heading("Betalingen", 12.0);
    l.paragraph(&doc.schedule_explanation(), Font::Regular, BODY);
    let mut rows: Vec<Row> = doc
        .payments
        .iter()
        .map(|p| Row::new(vec![p.label(), p.amount.to_string(), p.when()]))
        .collect();
    rows.push(Row::total(vec![
        "Totaal".into(),
        doc.payments_total().to_string(),
        String::new(),
    ]));
    l.table(&Table {
        columns: vec![
            Column::new("Betaling", 0.3, Align::Left),
            Column::new("Bedrag", 0.18, Align::Right),
            Column::new("Wanneer", 0.52, Align::Left),
        ],
        rows,
        size: 9.0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cents;
    use crate::domain::decision::Outcome;
    use crate::domain::decision_document::{Addressee, Source, SourceAction, SourcePayment, build};
    use crate::domain::payments::{PaymentState, Tranche};
    use crate::domain::types::BasisPoints;
    use chrono::NaiveDate;

    fn latin1(bytes: &[u8]) -> String {
        bytes.iter().map(|b| char::from(*b)).collect()
    }

    fn document(outcome: Outcome) -> DecisionDocument {
        let day = |m, d| NaiveDate::from_ymd_opt(2022, m, d).unwrap();
        let euros = |e| Cents::from_euros(e).unwrap();
        build(Source {
            application_id: 3,
            reference: "PS-2022-2024-0003".into(),
            title: "Samen sterker".into(),
            call_title: "Provisie Samenleven 2022-2024".into(),
            fictitious_call: false,
            addressee: Addressee::Cooperation {
                lead: "Willebroek".into(),
                members: vec!["Puurs-Sint-Amands".into()],
            },
            decided_on: day(9, 23),
            outcome,
            motivation: "Sterk plan (één actie).".into(),
            reopened: None,
            years: vec![1],
            actions: vec![SourceAction {
                id: 1,
                code: "2.1".into(),
                title: "Oefenkansen Nederlands".into(),
                requested: euros(25_000),
            }],
            lines: vec![(1, 1, euros(20_000))],
            incentive_by_year: vec![euros(10_000)],
            payments: vec![SourcePayment {
                year: 1,
                tranche: Tranche::Advance,
                amount: euros(24_000),
                state: PaymentState::Scheduled,
                due_on: Some(day(10, 1)),
                paid_on: None,
            }],
            year_starts: vec![(1, day(10, 1))],
            year_report_due: vec![],
            advance_share: BasisPoints::new(8000).unwrap(),
            legal_basis: CallText {
                text: Some("Het beleidsplan.".into()),
                illustrative: true,
            },
            appeal_route: CallText {
                text: Some("Beroep bij de Raad van State.".into()),
                illustrative: true,
            },
            signatory_role: CallText::default(),
        })
    }

    #[test]
    fn the_pdf_holds_the_amounts_the_schedule_the_appeal_and_the_marks() {
        let text = latin1(&pdf(&document(Outcome::PartlyApproved)));
        assert!(text.starts_with("%PDF-1.4"));
        for expected in [
            "(PS-2022-2024-0003) Tj",
            "(Gemeente Willebroek, trekker van de samenwerking) Tj",
            "(Puurs-Sint-Amands) Tj",
            "(23 september 2022) Tj",
            "(\u{80} 20.000,00) Tj",
            "(\u{80} 30.000,00) Tj",
            "(Incentive voor de samenwerking) Tj",
            "(Voorschot projectjaar 1) Tj",
            "(\u{80} 24.000,00) Tj",
            "(Saldo projectjaar 1) Tj",
            "(\u{80} 6.000,00) Tj",
            "(Beroep) Tj",
            "(Sterk plan \\(\u{e9}\u{e9}n actie\\).) Tj",
            "(gedeeltelijk goedgekeurd) Tj",
            "([illustratief: nog door ABB te bevestigen]) Tj",
            "(Nog niet vastgelegd voor deze oproep.) Tj",
            "(pagina 1 van ",
        ] {
            assert!(text.contains(expected), "{expected:?} in the PDF");
        }
    }

    #[test]
    fn a_rejection_in_pdf_has_its_motivation_and_appeal_but_no_amounts() {
        let text = latin1(&pdf(&document(Outcome::Rejected)));
        assert!(text.contains("(Beroep) Tj"));
        assert!(text.contains("(Rechtsgrond) Tj"));
        assert!(text.contains("Sterk plan"));
        assert!(!text.contains("\u{80} 20.000,00"), "no amounts");
        assert!(!text.contains("(Betalingen) Tj"), "no payments");
    }
}
