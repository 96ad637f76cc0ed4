//! Importing population figures (total residents and residents of non-EU15 origin) from a CSV of
//! the statistics office. Every row is checked first; one bad row rejects the whole file, with
//! the line number of every bad row, and nothing is written.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::{municipality, population_figure};

/// One problem in one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// Why a file was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRejection {
    pub errors: Vec<RowError>,
}

impl fmt::Display for ImportRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Het bestand is geweigerd; er is niets geïmporteerd. {} fout(en):",
            self.errors.len()
        )?;
        for e in &self.errors {
            writeln!(f, "  regel {}: {}", e.line, e.message)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub year: i32,
    pub inserted: usize,
    pub updated: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Bevolkingscijfers {} geïmporteerd: {} nieuw, {} bijgewerkt.",
            self.year, self.inserted, self.updated
        )
    }
}

/// A checked row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    municipality_id: i64,
    residents: Option<i64>,
    non_eu15: Option<i64>,
}

/// Imports `csv_text` for reference year `year`, keeping `source` with every figure.
/// Returns `Ok(Err(rejection))` when the file has bad rows (nothing written).
pub async fn import_population(
    db: &DatabaseConnection,
    csv_text: &str,
    year: i32,
    source: &str,
) -> Result<Result<ImportSummary, ImportRejection>, DbErr> {
    let mut general = Vec::new();
    if !(1990..=2100).contains(&year) {
        general.push(RowError {
            line: 0,
            message: format!("referentiejaar {year} is niet aannemelijk"),
        });
    }
    if source.trim().len() < 3 {
        general.push(RowError {
            line: 0,
            message: "geef de bron van de cijfers op (--source)".into(),
        });
    }
    if !general.is_empty() {
        return Ok(Err(ImportRejection { errors: general }));
    }

    // Municipalities that existed on 1 January of the reference year, by NIS code.
    let first_of_year = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let valid: HashMap<i32, i64> = municipality::Entity::find()
        .filter(municipality::Column::ValidFrom.lte(first_of_year))
        .all(db)
        .await?
        .into_iter()
        .filter(|m| m.valid_to.is_none_or(|to| to >= first_of_year))
        .map(|m| (m.nis_code, m.id))
        .collect();

    let rows = match parse_rows(csv_text, &valid, year) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(ImportRejection { errors })),
    };

    let txn = crate::db::begin_write(db).await?;
    let existing: HashMap<i64, population_figure::Model> = population_figure::Entity::find()
        .filter(population_figure::Column::ReferenceYear.eq(year))
        .all(&txn)
        .await?
        .into_iter()
        .map(|f| (f.municipality_id, f))
        .collect();
    let now = Utc::now();
    let (mut inserted, mut updated) = (0, 0);
    for row in rows {
        match existing.get(&row.municipality_id) {
            Some(f) => {
                let mut active: population_figure::ActiveModel = f.clone().into();
                if let Some(r) = row.residents {
                    active.residents = Set(Some(r));
                    active.residents_source = Set(Some(source.to_owned()));
                }
                if let Some(n) = row.non_eu15 {
                    active.non_eu15_residents = Set(Some(n));
                    active.non_eu15_source = Set(Some(source.to_owned()));
                    active.non_eu15_fictitious = Set(false);
                }
                active.imported_at = Set(now);
                active.version = Set(f.version + 1);
                active.update(&txn).await?;
                updated += 1;
            }
            None => {
                population_figure::ActiveModel {
                    municipality_id: Set(row.municipality_id),
                    reference_year: Set(year),
                    residents: Set(row.residents),
                    residents_source: Set(row.residents.map(|_| source.to_owned())),
                    non_eu15_residents: Set(row.non_eu15),
                    non_eu15_source: Set(row.non_eu15.map(|_| source.to_owned())),
                    non_eu15_fictitious: Set(false),
                    imported_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                inserted += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(Ok(ImportSummary {
        year,
        inserted,
        updated,
    }))
}

/// A CSV upload as the importers read it: byte-order mark dropped, fields trimmed, rows of any
/// length; the header row and every line after it with its line number (the header is line 1).
pub(crate) struct CsvFile {
    headers: csv::StringRecord,
    records: Vec<(usize, Result<csv::StringRecord, String>)>,
}

impl CsvFile {
    /// Reads `text`; with `detect_semicolon`, a header line holding `;` makes `;` the
    /// delimiter (what a spreadsheet in a Belgian locale writes), else `,`. An unreadable
    /// header refuses the file.
    pub(crate) fn read(text: &str, detect_semicolon: bool) -> Result<Self, Vec<RowError>> {
        let text = text.trim_start_matches('\u{feff}');
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = if detect_semicolon && first_line.contains(';') {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| header_error(format!("kopregel onleesbaar: {e}")))?
            .clone();
        let records = reader
            .records()
            .enumerate()
            .map(|(index, r)| (index + 2, r.map_err(|e| format!("regel onleesbaar: {e}"))))
            .collect();
        Ok(Self { headers, records })
    }

    /// The position of column `name` (case does not matter).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The position of column `name`, or the file's refusal naming it.
    pub(crate) fn required(&self, name: &str) -> Result<usize, Vec<RowError>> {
        self.column(name)
            .ok_or_else(|| header_error(format!("kolom '{name}' ontbreekt in de kopregel")))
    }

    /// Calls `row` with every line that is not empty, in order; an unreadable line and a line
    /// `row` refuses (its problems) become a [`RowError`] on that line.
    pub(crate) fn each_row(
        &self,
        mut row: impl FnMut(usize, &csv::StringRecord) -> Result<(), String>,
    ) -> Vec<RowError> {
        let mut errors = Vec::new();
        for (line, record) in &self.records {
            let result = match record {
                Err(message) => Err(message.clone()),
                Ok(r) if r.iter().all(str::is_empty) => Ok(()),
                Ok(r) => row(*line, r),
            };
            if let Err(message) = result {
                errors.push(RowError {
                    line: *line,
                    message,
                });
            }
        }
        errors
    }
}

/// A refusal of the whole file, on the header line.
pub(crate) fn header_error(message: String) -> Vec<RowError> {
    vec![RowError { line: 1, message }]
}

fn parse_rows(
    csv_text: &str,
    municipalities: &HashMap<i32, i64>,
    year: i32,
) -> Result<Vec<Row>, Vec<RowError>> {
    let file = CsvFile::read(csv_text, false)?;
    let nis_col = file.required("nis_code")?;
    let residents_col = file.column("residents");
    let non_eu15_col = file.column("non_eu15_residents");
    if residents_col.is_none() && non_eu15_col.is_none() {
        return Err(header_error(
            "de kopregel heeft geen kolom 'residents' of 'non_eu15_residents'".into(),
        ));
    }

    let mut rows = Vec::new();
    let mut seen: HashSet<i32> = HashSet::new();
    let mut errors = file.each_row(|_, record| {
        let mut problems = Vec::new();
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        let nis_text = field(Some(nis_col));
        let municipality_id = match parse_nis(nis_text) {
            None => {
                problems.push(format!("'{nis_text}' is geen NIS-code van vijf cijfers"));
                None
            }
            Some(nis) => match municipalities.get(&nis) {
                None => {
                    problems.push(format!(
                        "NIS-code {nis} is geen Vlaamse gemeente op 1 januari {year}"
                    ));
                    None
                }
                Some(_) if !seen.insert(nis) => {
                    problems.push(format!("NIS-code {nis} komt meer dan eens voor"));
                    None
                }
                Some(id) => Some(*id),
            },
        };
        let residents = parse_count(field(residents_col), "residents", &mut problems);
        let non_eu15 = parse_count(field(non_eu15_col), "non_eu15_residents", &mut problems);
        if residents.is_none() && non_eu15.is_none() && problems.is_empty() {
            problems.push("geen enkel cijfer ingevuld".into());
        }
        if let (Some(r), Some(n)) = (residents, non_eu15)
            && n > r
        {
            problems.push(format!(
                "meer inwoners van niet-EU15-herkomst ({n}) dan inwoners ({r})"
            ));
        }
        match (problems.is_empty(), municipality_id) {
            (true, Some(municipality_id)) => {
                rows.push(Row {
                    municipality_id,
                    residents,
                    non_eu15,
                });
                Ok(())
            }
            _ => Err(problems.join("; ")),
        }
    });
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            message: "het bestand bevat geen gegevens".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_nis(text: &str) -> Option<i32> {
    (text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| *n >= 10000)
}

/// An optional non-negative whole number; empty means "not given".
fn parse_count(text: &str, column: &str, problems: &mut Vec<String>) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        Ok(_) => {
            problems.push(format!(
                "{column}: een aantal kan niet negatief zijn ({text})"
            ));
            None
        }
        Err(_) => {
            problems.push(format!("{column}: '{text}' is geen geheel getal"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashMap<i32, i64> {
        HashMap::from([(11002, 1), (44021, 2), (12040, 3)])
    }

    #[test]
    fn a_good_file_gives_one_row_per_line() {
        let rows = parse_rows(
            "nis_code,residents,non_eu15_residents\n11002,529247,201000\n44021,,71234\n",
            &known(),
            2020,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].residents, None);
        assert_eq!(rows[1].non_eu15, Some(71234));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let errors = parse_rows(
            "nis_code,residents,non_eu15_residents\n\
             11002,529247,201000\n\
             1100,10,1\n\
             99999,10,1\n\
             44021,-5,1\n\
             12040,10,veel\n\
             11002,1,1\n\
             44021,10,20\n",
            &known(),
            2020,
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8]);
        assert!(errors[0].message.contains("vijf cijfers"));
        assert!(errors[1].message.contains("geen Vlaamse gemeente"));
        assert!(errors[2].message.contains("negatief"));
        assert!(errors[3].message.contains("geen geheel getal"));
        assert!(errors[4].message.contains("meer dan eens"));
        assert!(
            errors[5]
                .message
                .contains("meer inwoners van niet-EU15-herkomst")
        );
    }

    #[test]
    fn a_header_without_figures_is_refused() {
        let errors = parse_rows("nis_code,naam\n11002,Antwerpen\n", &known(), 2020).unwrap_err();
        assert_eq!(errors[0].line, 1);
        let errors = parse_rows("", &known(), 2020).unwrap_err();
        assert_eq!(errors[0].line, 1);
    }

    #[test]
    fn an_empty_file_is_refused() {
        let errors = parse_rows("nis_code,residents\n", &known(), 2020).unwrap_err();
        assert!(errors[0].message.contains("geen gegevens"));
    }
}
