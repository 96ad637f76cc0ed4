//! A small PDF 1.4 writer for the documents the app generates (the formal decision): A4 pages,
//! the standard fonts Helvetica and Helvetica-Bold in WinAnsiEncoding (so Dutch accents and €
//! need no embedded font), text wrapped with the fonts' AFM widths, page breaks, simple tables
//! with right-aligned amounts, and "pagina 1 van 2" on every page. Text streams are not
//! compressed, so a test (or a person) can read them.
//!
//! [`Layout`] places paragraphs, headings and tables top to bottom and starts a new page when
//! one is full; [`Layout::finish`] numbers the pages and writes the file with its cross-reference
//! table. Pure: no I/O, no clock.

use std::fmt::Write as _;

/// A4 in points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 2 cm.
pub const MARGIN: f32 = 56.69;
/// The width of a line of text between the margins.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where the footer's baseline sits, and the lowest the body may reach.
const FOOTER_BASELINE: f32 = 34.0;
const BODY_BOTTOM: f32 = MARGIN + 8.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.3;
/// Space inside a table cell, left and right.
const CELL_PADDING: f32 = 4.0;

/// One of the two standard fonts the writer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    /// The name of the font in each page's resources.
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// The width of WinAnsi byte `code` in 1/1000 of the font size.
    fn width_of(self, code: u8) -> u16 {
        match code {
            0..=31 => 0,
            _ => self.widths()[usize::from(code - 32)],
        }
    }
}

/// The WinAnsiEncoding byte of `c`: ASCII and Latin-1 as they are (a no-break space becomes
/// 0xA0), the Windows-1252 additions (€ is 0x80, the curly quotes, the dashes, …) at their
/// place, other white space a space, and anything the fonts cannot show a question mark.
pub fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '\u{202f}' | '\u{2007}' => 0xa0,
        '\t' | '\n' | '\r' | '\u{2009}' => b' ',
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201c}' => 0x93,
        '\u{201d}' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '\u{2010}' | '\u{2011}' => b'-',
        _ => b'?',
    }
}

/// `text` in WinAnsiEncoding ([`win_ansi`] per character).
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// The width of `text` in points, in `font` at `size`.
pub fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| u32::from(font.width_of(win_ansi(c))))
        .sum();
    units as f32 * size / 1000.0
}

/// Breaks `text` into lines no wider than `width` points: at spaces, and inside a word only
/// when the word alone is wider than a line. A newline in `text` always starts a new line; an
/// empty text gives one empty line.
pub fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, font, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: split it where it no longer fits.
            for c in word.chars() {
                let mut longer = line.clone();
                longer.push(c);
                if !line.is_empty() && text_width(&longer, font, size) > width {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = longer;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Escapes WinAnsi bytes for a PDF literal string: parentheses and backslashes get a backslash,
/// control bytes an octal escape; other bytes (accents and € included) stay as they are.
pub fn escape(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0..=31 | 127 => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// How a table column's text sits in its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its header, its share of the line's width and its alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    /// A share of [`TEXT_WIDTH`]; the shares of a table add up to (at most) 1.
    pub share: f32,
    pub align: Align,
}

impl Column {
    pub fn new(header: impl Into<String>, share: f32, align: Align) -> Self {
        Self {
            header: header.into(),
            share,
            align,
        }
    }
}

/// A table row: one text per column; a bold row (a total) gets a rule above it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<String>,
    pub bold: bool,
}

impl Row {
    pub fn new(cells: Vec<String>) -> Self {
        Self { cells, bold: false }
    }

    pub fn total(cells: Vec<String>) -> Self {
        Self { cells, bold: true }
    }
}

/// A simple table: a bold header row (repeated on every page the table runs onto, left out
/// when every header is empty) and rows whose cells wrap within their column.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub size: f32,
}

impl Table {
    fn has_header(&self) -> bool {
        self.columns.iter().any(|c| !c.header.is_empty())
    }
}

/// Lays out a document on A4 pages, top to bottom.
#[derive(Debug)]
pub struct Layout {
    title: String,
    footer: String,
    pages: Vec<Vec<u8>>,
    /// The top of the next line on the current page.
    y: f32,
}

impl Layout {
    /// A document titled `title` (its metadata) with `footer` at the bottom left of every page.
    pub fn new(title: &str, footer: &str) -> Self {
        Self {
            title: title.to_owned(),
            footer: footer.to_owned(),
            pages: vec![Vec::new()],
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    /// How many pages the document has so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn ensure_room(&mut self, height: f32) {
        if self.y - height < BODY_BOTTOM && self.y < PAGE_HEIGHT - MARGIN {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut Vec<u8> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws `text` with its baseline at (`x`, `baseline`).
    fn text_at(&mut self, text: &str, font: Font, size: f32, x: f32, baseline: f32) {
        if text.is_empty() {
            return;
        }
        let mut op = format!(
            "BT /{} {size:.1} Tf {x:.2} {baseline:.2} Td (",
            font.resource()
        )
        .into_bytes();
        op.extend(escape(&encode(text)));
        op.extend_from_slice(b") Tj ET\n");
        self.page().extend(op);
    }

    /// A horizontal rule from `x` to `x + width` at height `y`.
    fn rule(&mut self, x: f32, y: f32, width: f32, thickness: f32) {
        let op = format!(
            "{thickness:.2} w {x:.2} {y:.2} m {:.2} {y:.2} l S\n",
            x + width
        );
        self.page().extend(op.into_bytes());
    }

    /// Empty space of `points`.
    pub fn gap(&mut self, points: f32) {
        self.y -= points;
        if self.y < BODY_BOTTOM {
            self.new_page();
        }
    }

    /// A heading: bold, kept on the page with at least two lines of what follows.
    pub fn heading(&mut self, text: &str, size: f32) {
        let lines = wrap(text, Font::Bold, size, TEXT_WIDTH);
        let height = lines.len() as f32 * size * LEADING;
        self.ensure_room(height + size + 2.0 * 10.0 * LEADING);
        if self.y < PAGE_HEIGHT - MARGIN {
            self.y -= size * 0.8;
        }
        for line in lines {
            self.line(&line, Font::Bold, size, MARGIN, Align::Left, TEXT_WIDTH);
        }
        self.y -= size * 0.25;
    }

    /// A paragraph wrapped to the text width (a newline in `text` starts a new line), then a
    /// little space.
    pub fn paragraph(&mut self, text: &str, font: Font, size: f32) {
        for line in wrap(text, font, size, TEXT_WIDTH) {
            self.line(&line, font, size, MARGIN, Align::Left, TEXT_WIDTH);
        }
        self.y -= size * 0.5;
    }

    /// One line of text in the box from `x` of `width`, on a new page when the page is full.
    fn line(&mut self, text: &str, font: Font, size: f32, x: f32, align: Align, width: f32) {
        let height = size * LEADING;
        self.ensure_room(height);
        let baseline = self.y - size;
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - text_width(text, font, size),
        };
        self.text_at(text, font, size, x, baseline);
        self.y -= height;
    }

    /// A table; a row never splits over two pages, and the header comes back on every page.
    pub fn table(&mut self, table: &Table) {
        let size = if table.size > 0.0 { table.size } else { 9.0 };
        let widths: Vec<f32> = table.columns.iter().map(|c| c.share * TEXT_WIDTH).collect();
        let header = Row {
            cells: table.columns.iter().map(|c| c.header.clone()).collect(),
            bold: true,
        };
        let header_height = self.row_height(&header, &widths, size);
        let mut first = true;
        for row in &table.rows {
            let height = self.row_height(row, &widths, size);
            let needed = if first && table.has_header() {
                header_height + height
            } else {
                height
            };
            let before = self.pages.len();
            self.ensure_room(needed);
            if table.has_header() && (first || self.pages.len() != before) {
                self.draw_row(&header, table, &widths, size, false);
                let y = self.y;
                self.rule(MARGIN, y, widths.iter().sum(), 0.8);
            }
            first = false;
            self.draw_row(row, table, &widths, size, row.bold);
        }
        self.y -= size * 0.8;
    }

    fn cell_lines(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
        wrap(text, font, size, (width - 2.0 * CELL_PADDING).max(size))
    }

    fn row_height(&self, row: &Row, widths: &[f32], size: f32) -> f32 {
        let font = if row.bold { Font::Bold } else { Font::Regular };
        let lines = row
            .cells
            .iter()
            .zip(widths)
            .map(|(text, w)| Self::cell_lines(text, font, size, *w).len())
            .max()
            .unwrap_or(1);
        lines as f32 * size * LEADING + 4.0
    }

    fn draw_row(&mut self, row: &Row, table: &Table, widths: &[f32], size: f32, rule: bool) {
        let font = if row.bold { Font::Bold } else { Font::Regular };
        let top = self.y;
        if rule {
            self.rule(MARGIN, top, widths.iter().sum(), 0.5);
        }
        let mut x = MARGIN;
        let mut lowest = top;
        for ((text, width), column) in row.cells.iter().zip(widths).zip(&table.columns) {
            self.y = top - 2.0;
            for line in Self::cell_lines(text, font, size, *width) {
                let baseline = self.y - size;
                let left = match column.align {
                    Align::Left => x + CELL_PADDING,
                    Align::Right => x + width - CELL_PADDING - text_width(&line, font, size),
                };
                self.text_at(&line, font, size, left, baseline);
                self.y -= size * LEADING;
            }
            lowest = lowest.min(self.y);
            x += width;
        }
        self.y = lowest - 2.0;
    }

    /// Numbers the pages ("pagina 1 van 2", bottom right, with the footer bottom left) and
    /// writes the PDF file.
    pub fn finish(mut self) -> Vec<u8> {
        let count = self.pages.len();
        let footer = self.footer.clone();
        for index in 0..count {
            let number = format!("pagina {} van {count}", index + 1);
            let mut op = Vec::new();
            for (text, x) in [
                (footer.as_str(), MARGIN),
                (
                    number.as_str(),
                    PAGE_WIDTH - MARGIN - text_width(&number, Font::Regular, 8.0),
                ),
            ] {
                if text.is_empty() {
                    continue;
                }
                op.extend(format!("BT /F1 8.0 Tf {x:.2} {FOOTER_BASELINE:.2} Td (").into_bytes());
                op.extend(escape(&encode(text)));
                op.extend_from_slice(b") Tj ET\n");
            }
            self.pages[index].extend(op);
        }
        write_file(&self.title, &self.pages)
    }
}

/// Writes the PDF file: catalog, page tree, the two fonts, the document information, and per
/// page its page object and content stream; then the cross-reference table and the trailer.
fn write_file(title: &str, pages: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", offsets.len()).into_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    // 1 catalog, 2 pages, 3 and 4 fonts, 5 information; page k: 6 + 2k, its content 7 + 2k.
    let first_page = 6;
    let mut kids = String::new();
    for k in 0..pages.len() {
        let _ = write!(kids, "{} 0 R ", first_page + 2 * k);
    }
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.trim_end(),
            pages.len()
        )
        .as_bytes(),
    );
    for font in [Font::Regular, Font::Bold] {
        object(
            &mut out,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
                font.base_font()
            )
            .as_bytes(),
        );
    }
    let mut info = b"<< /Title (".to_vec();
    info.extend(escape(&encode(title)));
    info.extend_from_slice(b") /Producer (Samenleven) >>");
    object(&mut out, &info);
    for (k, content) in pages.iter().enumerate() {
        object(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH:.2} {PAGE_HEIGHT:.2}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                first_page + 2 * k + 1
            )
            .as_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        object(&mut out, &stream);
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for offset in &offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend(table.into_bytes());
    out
}

/// Helvetica, WinAnsi codes 32 to 255 (Adobe AFM, 1/1000 em; 0 where WinAnsi has no glyph).
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 578, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold, as [`HELVETICA`].
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The PDF as text, each byte read as Latin-1 (so WinAnsi accents stay one character).
    fn latin1(bytes: &[u8]) -> String {
        bytes.iter().map(|b| char::from(*b)).collect()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn dutch_accents_and_the_euro_sign_get_their_win_ansi_bytes() {
        assert_eq!(win_ansi('€'), 0x80);
        assert_eq!(win_ansi('é'), 0xe9);
        assert_eq!(win_ansi('ë'), 0xeb);
        assert_eq!(win_ansi('ï'), 0xef);
        assert_eq!(win_ansi('ü'), 0xfc);
        assert_eq!(win_ansi('–'), 0x96);
        assert_eq!(win_ansi('\u{2019}'), 0x92);
        assert_eq!(win_ansi('\u{a0}'), 0xa0);
        assert_eq!(win_ansi('\u{202f}'), 0xa0);
        assert_eq!(win_ansi('A'), b'A');
        assert_eq!(
            win_ansi('漢'),
            b'?',
            "what the fonts cannot show is a question mark"
        );
        assert_eq!(
            encode("€ 1,00 ë"),
            vec![0x80, b' ', b'1', b',', b'0', b'0', b' ', 0xeb]
        );
    }

    #[test]
    fn widths_come_from_the_helvetica_metrics() {
        assert_eq!(text_width("AV", Font::Regular, 1000.0), 1334.0);
        assert_eq!(text_width("i", Font::Regular, 1000.0), 222.0);
        assert_eq!(text_width("i", Font::Bold, 1000.0), 278.0);
        assert_eq!(text_width("€", Font::Regular, 10.0), 5.56);
        assert_eq!(
            text_width("é", Font::Regular, 10.0),
            text_width("e", Font::Regular, 10.0),
            "an accented letter is as wide as its letter"
        );
        assert_eq!(text_width("W", Font::Bold, 1000.0), 944.0);
    }

    #[test]
    fn wrapped_lines_fit_keep_every_word_and_split_only_a_word_longer_than_a_line() {
        let text = "De gemeente ontvangt een voorschot van tachtig procent bij de start van elk \
                    projectjaar en het saldo na goedkeuring van het jaarrapport.";
        let lines = wrap(text, Font::Regular, 10.0, 150.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(
                text_width(line, Font::Regular, 10.0) <= 150.0,
                "{line:?} fits"
            );
        }
        assert_eq!(lines.join(" "), text);
        let long = wrap(
            "Samenwerkingsovereenkomstenbeheerder",
            Font::Bold,
            12.0,
            60.0,
        );
        assert!(long.len() > 1);
        assert_eq!(long.concat(), "Samenwerkingsovereenkomstenbeheerder");
        assert_eq!(
            wrap("één\ntwee", Font::Regular, 10.0, 400.0),
            vec!["één", "twee"]
        );
        assert_eq!(wrap("", Font::Regular, 10.0, 400.0), vec![String::new()]);
    }

    #[test]
    fn parentheses_backslashes_and_control_bytes_are_escaped_in_strings() {
        assert_eq!(escape(b"(a\\b)"), b"\\(a\\\\b\\)".to_vec());
        assert_eq!(escape(b"a\nb"), b"a\\012b".to_vec());
        assert_eq!(escape(&[0x80, 0xe9]), vec![0x80, 0xe9]);
    }

    #[test]
    fn the_file_has_a_header_objects_at_the_offsets_of_its_cross_reference_table_and_a_trailer() {
        let mut layout = Layout::new("Beslissing (test)", "Beslissing PS-1");
        layout.heading("Beslissing", 16.0);
        layout.paragraph(
            "Subsidie van € 20.000,00 voor één actie (Willebroek).",
            Font::Regular,
            10.0,
        );
        let pdf = layout.finish();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));

        let text = latin1(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|rest| rest.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref names an offset");
        // Offsets count bytes of the file (the text above has two bytes per accent).
        let table = latin1(&pdf[start..]);
        assert!(
            table.starts_with("xref\n0 "),
            "startxref points at the table"
        );
        let mut rows = table.lines().skip(1);
        let header: Vec<usize> = rows
            .next()
            .unwrap()
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        let objects = header[1];
        assert_eq!(
            objects, 8,
            "catalog, pages, 2 fonts, info, 1 page and its content + entry 0"
        );
        assert_eq!(rows.next(), Some("0000000000 65535 f "));
        for number in 1..objects {
            let row = rows.next().unwrap();
            assert_eq!(row.len(), 19, "each entry is 20 bytes with its newline");
            let offset: usize = row[..10].parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{number} 0 obj\n").as_bytes()),
                "object {number} is where the table says"
            );
        }
        assert!(text.contains(&format!("/Size {objects} /Root 1 0 R")));
        assert!(text.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"));
        assert!(text.contains("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding"));
        assert!(text.contains("/Title (Beslissing \\(test\\))"));
        assert!(text.contains(
            "(Subsidie van \u{80} 20.000,00 voor \u{e9}\u{e9}n actie \\(Willebroek\\).) Tj"
        ));

        // The content stream's length is what its dictionary says.
        let dict = find(&pdf, b"<< /Length ").unwrap();
        let rest = latin1(&pdf[dict + 11..dict + 30]);
        let length: usize = rest[..rest.find(' ').unwrap()].parse().unwrap();
        let data = find(&pdf[dict..], b"stream\n").unwrap() + dict + 7;
        assert_eq!(&pdf[data + length..data + length + 10], b"\nendstream");
    }

    #[test]
    fn a_long_text_runs_onto_numbered_pages() {
        let mut layout = Layout::new("Lang", "Beslissing PS-2");
        for i in 0..120 {
            layout.paragraph(
                &format!("Alinea {i} van een lange beslissing."),
                Font::Regular,
                10.0,
            );
        }
        let pages = layout.page_count();
        assert!(pages >= 3, "{pages} pages");
        let text = latin1(&layout.finish());
        assert!(text.contains(&format!("/Count {pages}")));
        for page in 1..=pages {
            assert!(text.contains(&format!("(pagina {page} van {pages}) Tj")));
        }
        assert_eq!(text.matches("(Beslissing PS-2) Tj").count(), pages);
        assert!(text.contains("(Alinea 0 van") && text.contains("(Alinea 119 van"));
    }

    #[test]
    fn amounts_are_right_aligned_and_a_table_repeats_its_header_on_the_next_page() {
        let table = Table {
            columns: vec![
                Column::new("Actie", 0.6, Align::Left),
                Column::new("Bedrag", 0.4, Align::Right),
            ],
            rows: (0..80)
                .map(|i| Row::new(vec![format!("Actie {i}"), "€ 1.250,00".into()]))
                .chain(std::iter::once(Row::total(vec![
                    "Totaal".into(),
                    "€ 100.000,00".into(),
                ])))
                .collect(),
            size: 9.0,
        };
        let mut layout = Layout::new("Tabel", "");
        layout.table(&table);
        assert!(layout.page_count() >= 2);
        let pages = layout.page_count();
        let text = latin1(&layout.finish());
        assert_eq!(
            text.matches("(Bedrag) Tj").count(),
            pages,
            "the header on every page"
        );
        let right = MARGIN + TEXT_WIDTH - CELL_PADDING;
        for (amount, font) in [("€ 1.250,00", Font::Regular), ("€ 100.000,00", Font::Bold)] {
            let shown = latin1(&escape(&encode(amount)));
            let at = text
                .find(&format!("({shown}) Tj"))
                .expect("the amount is drawn");
            let op = &text[text[..at].rfind("BT ").unwrap()..at];
            let x: f32 = op.split(' ').nth(4).unwrap().parse().unwrap();
            let end = x + text_width(amount, font, 9.0);
            assert!(
                (end - right).abs() < 0.01,
                "{amount} ends at {end}, not {right}"
            );
        }
    }
}
