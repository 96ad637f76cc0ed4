//! Exports of the tables ABB sees: a [`Table`] of typed columns and rows, written as CSV or XLSX.
//!
//! CSV is written for Excel and LibreOffice as Flemish offices use them (nl-BE locale): UTF-8
//! **with** a byte-order mark (without it Excel reads UTF-8 as Windows-1252 and "Buddy’s" turns
//! into mojibake), **`;`** as separator and **`,`** as decimal mark (the nl-BE list separator and
//! decimal symbol, so Excel opens the file with a double click and reads amounts as numbers),
//! CRLF line ends, fields quoted when needed. Amounts are euros with two decimals and no
//! thousands separator (`12500,00`), dates ISO (`2022-07-01`, which both programs read as a
//! date), moments `2022-07-01 12:00` in UTC.
//!
//! No text cell can start a formula, whichever separator the file is opened with (a spreadsheet
//! in another locale splits on `,`, where our quotes no longer count because they do not open
//! the field): in a text, every place where a cell could begin after splitting on `;`, `,` or a
//! line break (the start, or right after one of those, past spaces and quotes) gets a `'` before
//! a `=`, `+`, `-`, `@`, TAB or CR. `x,=1+1,` is written `x,'=1+1,`.
//!
//! XLSX (through `rust_xlsxwriter`) keeps the types: amounts are numbers formatted
//! `€ #.##0,00`, dates and moments are real dates, counts are numbers, shares are percentages;
//! the header row is bold, frozen and filterable.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// What a column holds; decides how a cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole number.
    Count,
    /// Euro cents, written as euros.
    Money,
    Date,
    /// A moment (UTC).
    Moment,
    /// Basis points, written as a percentage.
    Share,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Count(i64),
    Money(i64),
    Date(NaiveDate),
    Moment(DateTime<Utc>),
    Share(i64),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map(Into::into).unwrap_or(Cell::Empty)
    }
}

impl From<NaiveDate> for Cell {
    fn from(date: NaiveDate) -> Self {
        Cell::Date(date)
    }
}

impl From<DateTime<Utc>> for Cell {
    fn from(at: DateTime<Utc>) -> Self {
        Cell::Moment(at)
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub kind: Kind,
}

/// A table to export: a name (the sheet name and the file name), columns and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: &str, columns: &[(&str, Kind)]) -> Self {
        Self {
            name: name.to_owned(),
            columns: columns
                .iter()
                .map(|(h, k)| Column {
                    header: (*h).to_owned(),
                    kind: *k,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// The export format named in a query (`formaat=csv` or `formaat=xlsx`).
pub fn format_from(text: &str) -> Option<ExportFormat> {
    match text.trim() {
        "csv" => Some(ExportFormat::Csv),
        "xlsx" => Some(ExportFormat::Xlsx),
        _ => None,
    }
}

const BOM: &str = "\u{feff}";

fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => neutralise_formulas(t),
        Cell::Count(n) => n.to_string(),
        Cell::Money(c) => euros(*c),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Moment(m) => m.format("%Y-%m-%d %H:%M").to_string(),
        Cell::Share(bp) => {
            let abs = bp.unsigned_abs();
            format!(
                "{}{},{:02}%",
                if *bp < 0 { "-" } else { "" },
                abs / 100,
                abs % 100
            )
        }
    }
}

/// What a spreadsheet may take for the start of a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` with a `'` before every formula character that could begin a cell once the line is
/// split on `;`, `,` or a line break: at the start and after each of those, past spaces and
/// quotes (which a parser strips from the start of a field).
fn neutralise_formulas(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut cell_start = true;
    for c in text.chars() {
        if cell_start && FORMULA_STARTS.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        cell_start = match c {
            ';' | ',' | '\n' | '\r' => true,
            ' ' | '"' => cell_start,
            _ => false,
        };
    }
    out
}

/// A field quoted when it holds a quote, a line break or the separator.
fn csv_field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The table as CSV bytes (see the module documentation for the choices).
pub fn to_csv(table: &Table) -> Vec<u8> {
    let mut out = String::from(BOM);
    let header: Vec<String> = table.columns.iter().map(|c| csv_field(&c.header)).collect();
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for row in &table.rows {
        let fields: Vec<String> = row.iter().map(|c| csv_field(&csv_text(c))).collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Excel allows 31 characters in a sheet name and none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Export".to_owned()
    } else {
        clean
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

/// The table as an XLSX workbook with one sheet.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("[$€-813] #,##0.00");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let moment = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let share = Format::new().set_num_format("0.00%");
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&table.name))?;
    for (col, column) in table.columns.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, &column.header, &bold)?;
        let width = match column.kind {
            Kind::Text => 28.0,
            Kind::Money => 16.0,
            Kind::Moment => 17.0,
            _ => 12.0,
        };
        sheet.set_column_width(col, width)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (col, cell) in row.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match cell {
                Cell::Empty => {}
                Cell::Text(t) => {
                    sheet.write_string(r, col, t)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Money(c) => {
                    sheet.write_number_with_format(r, col, *c as f64 / 100.0, &money)?;
                }
                Cell::Date(d) => {
                    sheet.write_date_with_format(r, col, &excel_date(*d)?, &date)?;
                }
                Cell::Moment(m) => {
                    // Spreadsheets have no time zones: the moment as Brussels reads it.
                    let m = crate::domain::time::to_brussels(*m);
                    let value = excel_date(m.date())?.and_hms(
                        u16::try_from(m.hour()).unwrap_or(0),
                        u8::try_from(m.minute()).unwrap_or(0),
                        u8::try_from(m.second()).unwrap_or(0),
                    )?;
                    sheet.write_datetime_with_format(r, col, &value, &moment)?;
                }
                Cell::Share(bp) => {
                    sheet.write_number_with_format(r, col, *bp as f64 / 10_000.0, &share)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(0);
    let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, last_col)?;
    workbook.save_to_buffer()
}

/// A file name without characters that trouble a download: letters, digits, `-` and `_`.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-').to_owned();
    if stem.is_empty() {
        "export".to_owned()
    } else {
        stem
    }
}

/// The table as a download in `format`.
pub fn download(table: &Table, format: ExportFormat) -> Response {
    let stem = file_stem(&table.name);
    let (body, content_type, extension) = match format {
        ExportFormat::Csv => (to_csv(table), "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => match to_xlsx(table) {
            Ok(bytes) => (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(err) => {
                return crate::error::AppError::internal(anyhow::anyhow!(
                    "xlsx export failed: {err}"
                ))
                .into_response();
            }
        },
    };
    let disposition = format!("attachment; filename=\"{stem}.{extension}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(
            "Betalingen: lijst/2024",
            &[
                ("Gemeente", Kind::Text),
                ("Bedrag", Kind::Money),
                ("Datum", Kind::Date),
                ("Aantal", Kind::Count),
                ("Aandeel", Kind::Share),
            ],
        );
        t.push(vec![
            "Buddy’s; \"zeg\"".into(),
            Cell::Money(1_250_001),
            Cell::Date(NaiveDate::from_ymd_opt(2022, 7, 1).unwrap()),
            Cell::Count(3),
            Cell::Share(6_667),
        ]);
        t.push(vec![
            "=SUM(A1)".into(),
            Cell::Money(-5),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
        t
    }

    #[test]
    fn csv_opens_in_a_flemish_excel_with_semicolons_decimal_commas_and_a_bom() {
        let text = String::from_utf8(to_csv(&sample())).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Gemeente;Bedrag;Datum;Aantal;Aandeel");
        assert_eq!(
            lines[1],
            "\"Buddy’s; \"\"zeg\"\"\";12500,01;2022-07-01;3;66,67%"
        );
        assert_eq!(lines[2], "'=SUM(A1);-0,05;;;", "no formula runs");
    }

    /// Splits `csv` the way a spreadsheet does when told the separator is `separator`.
    fn cells_split_on(csv: &[u8], separator: u8) -> Vec<String> {
        let text = String::from_utf8(csv.to_vec()).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn no_cell_starts_a_formula_whichever_separator_the_csv_is_opened_with() {
        let mut t = Table::new("Auditlog", &[("Wie", Kind::Text), ("Bedrag", Kind::Money)]);
        for nasty in [
            "x,=1+1,",
            "x;=1+1;",
            "a,+cmd|' /C calc'!A0",
            "b;@SUM(A1)",
            "c,-2+3",
            "d,\t=1",
            "e;\r=1",
            "=1+1",
            "\t=1",
            "\r=1",
            "-1",
            "@x",
            "f\n=1",
            "g\"=1,\"=2",
        ] {
            t.push(vec![nasty.into(), Cell::Money(1_250)]);
        }
        let csv = to_csv(&t);
        for separator in [b';', b','] {
            let cells = cells_split_on(&csv, separator);
            assert!(cells.len() >= 2 * t.rows.len(), "{cells:?}");
            for cell in cells {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "separator {}: cell {cell:?} could start a formula",
                    char::from(separator)
                );
            }
        }
        // Opened as written (`;`), the text is intact behind the neutralising quote.
        let cells = cells_split_on(&csv, b';');
        assert!(cells.contains(&"x,'=1+1,".to_owned()), "{cells:?}");
        assert!(cells.contains(&"'=1+1".to_owned()), "{cells:?}");
    }

    /// Where LibreOffice is installed (`apt-get install libreoffice-calc-nogui`), it converts
    /// our XLSX to CSV: the file opens in a real spreadsheet program with its values intact.
    /// Elsewhere the test says so and checks nothing more.
    #[test]
    fn libreoffice_opens_the_xlsx_when_it_is_installed() {
        let Ok(status) = std::process::Command::new("soffice")
            .arg("--version")
            .output()
        else {
            eprintln!("soffice not installed: LibreOffice conversion not checked");
            return;
        };
        assert!(status.status.success());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.xlsx");
        std::fs::write(&path, to_xlsx(&sample()).unwrap()).unwrap();
        let out = std::process::Command::new("soffice")
            // 44: comma, 34: double quote, 76: UTF-8.
            .args([
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(&path)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let csv = std::fs::read_to_string(dir.path().join("sample.csv")).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "Gemeente,Bedrag,Datum,Aantal,Aandeel");
        assert!(lines[1].contains("Buddy’s"), "{csv}");
        assert!(
            lines[1].contains("12,500.01") || lines[1].contains("12.500,01"),
            "{csv}"
        );
        assert!(lines[1].contains("01/07/2022"), "a date: {csv}");
        assert!(
            lines[1].contains("66.67%") || lines[1].contains("66,67%"),
            "{csv}"
        );
        assert!(
            lines[2].starts_with("=SUM(A1)"),
            "text, not a formula: {csv}"
        );
    }

    #[test]
    fn xlsx_is_a_zip_workbook_with_a_clean_sheet_name() {
        let bytes = to_xlsx(&sample()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(sheet_name("Betalingen: lijst/2024"), "Betalingen lijst2024");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(file_stem("Oproepen 2025/26"), "oproepen-2025-26");
    }
}
