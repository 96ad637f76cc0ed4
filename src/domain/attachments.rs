//! Attachments of a dossier: which kinds exist, which are required, which files are accepted.
//!
//! Pure functions: the kinds and their Dutch labels, the rule that a dossier needs a council or
//! college decision and a budget sheet ([`missing_required`]), recognising a file's type from
//! its content ([`sniff`]: PDF, XLSX or ODS, never trusting the name or the declared type), and
//! how sizes and names are shown.
//!
//! Decisions:
//! - a spreadsheet with macros (`xl/vbaProject.bin`, an `.xlsm` renamed) is not an XLSX;
//! - ZIP files are read through their central directory, which must be intact; ZIP64 (files of
//!   4 GB and more) is not supported, uploads are far smaller;
//! - an ODS must start with the stored `mimetype` entry holding exactly
//!   `application/vnd.oasis.opendocument.spreadsheet`, as OpenDocument requires.

use super::dutch::format_count;

/// What an attachment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// The decision of the municipal council or the college to apply.
    CouncilDecision,
    /// The budget, as a spreadsheet.
    BudgetSheet,
    /// Anything else the applicant adds.
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 3] = [
        AttachmentKind::CouncilDecision,
        AttachmentKind::BudgetSheet,
        AttachmentKind::Other,
    ];

    /// The kinds every dossier needs before it can be submitted.
    pub const REQUIRED: [AttachmentKind; 2] =
        [AttachmentKind::CouncilDecision, AttachmentKind::BudgetSheet];

    /// The value stored in `attachment.kind` and sent by the form.
    pub fn code(self) -> &'static str {
        match self {
            AttachmentKind::CouncilDecision => "council_decision",
            AttachmentKind::BudgetSheet => "budget_sheet",
            AttachmentKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AttachmentKind::CouncilDecision => "Beslissing van de gemeenteraad of het college",
            AttachmentKind::BudgetSheet => "Begroting (rekenblad)",
            AttachmentKind::Other => "Andere bijlage",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The Dutch label of a stored kind; unknown codes are shown as they are.
pub fn kind_label(code: &str) -> String {
    AttachmentKind::parse(code)
        .map(|k| k.label().to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The required kinds not among `kinds` (the stored `attachment.kind` codes of a dossier), as
/// Dutch labels in a fixed order. Empty when the dossier has every required attachment.
pub fn missing_required<S: AsRef<str>>(kinds: &[S]) -> Vec<&'static str> {
    AttachmentKind::REQUIRED
        .into_iter()
        .filter(|required| !kinds.iter().any(|k| k.as_ref() == required.code()))
        .map(AttachmentKind::label)
        .collect()
}

/// A file type Samenleven accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Xlsx,
    Ods,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Ods => ODS_MIMETYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Xlsx => "xlsx",
            FileType::Ods => "ods",
        }
    }

    /// The type of a stored content type, if it is one we accept.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [FileType::Pdf, FileType::Xlsx, FileType::Ods]
            .into_iter()
            .find(|t| t.content_type() == content_type)
    }
}

const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Recognises a PDF, XLSX or ODS file by its content; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let names = zip_entry_names(bytes)?;
    if starts_with_ods_mimetype(bytes) && names.first().is_some_and(|n| n == "mimetype") {
        return Some(FileType::Ods);
    }
    let has_content_types = names.iter().any(|n| n == "[Content_Types].xml");
    let has_workbook = names.iter().any(|n| n.starts_with("xl/"));
    let has_macros = names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("xl/vbaProject.bin"));
    if has_content_types && has_workbook && !has_macros {
        return Some(FileType::Xlsx);
    }
    None
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The entry names of a ZIP archive in central-directory order, or `None` when the archive is
/// damaged (no end record, a directory outside the file, an entry pointing nowhere) or ZIP64.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CENTRAL: &[u8] = b"PK\x01\x02";
    const LOCAL: &[u8] = b"PK\x03\x04";
    const EOCD_LEN: usize = 22;
    let last = bytes.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let eocd = (first..=last)
        .rev()
        .find(|&p| bytes[p..].starts_with(EOCD))?;
    let entries = u16_at(bytes, eocd + 10)?;
    let dir_size = u32_at(bytes, eocd + 12)?;
    let dir_offset = u32_at(bytes, eocd + 16)?;
    if entries == usize::from(u16::MAX) || dir_offset.checked_add(dir_size)? > eocd {
        return None;
    }
    let mut names = Vec::with_capacity(entries);
    let mut at = dir_offset;
    for _ in 0..entries {
        if !bytes.get(at..)?.starts_with(CENTRAL) {
            return None;
        }
        let name_len = u16_at(bytes, at + 28)?;
        let extra_len = u16_at(bytes, at + 30)?;
        let comment_len = u16_at(bytes, at + 32)?;
        let local = u32_at(bytes, at + 42)?;
        if !bytes.get(local..)?.starts_with(LOCAL) {
            return None;
        }
        let name_start = at + 46;
        let name = bytes.get(name_start..name_start.checked_add(name_len)?)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at = name_start + name_len + extra_len + comment_len;
    }
    (at <= eocd).then_some(names)
}

/// Whether the archive's first local entry is `mimetype`, stored uncompressed, holding exactly
/// the ODS media type.
fn starts_with_ods_mimetype(bytes: &[u8]) -> bool {
    let check = || -> Option<bool> {
        let method = u16_at(bytes, 8)?;
        let compressed = u32_at(bytes, 18)?;
        let name_len = u16_at(bytes, 26)?;
        let extra_len = u16_at(bytes, 28)?;
        let name = bytes.get(30..30 + name_len)?;
        let data_start = 30 + name_len + extra_len;
        let data = bytes.get(data_start..data_start.checked_add(compressed)?)?;
        Some(method == 0 && name == b"mimetype" && data == ODS_MIMETYPE.as_bytes())
    };
    check().unwrap_or(false)
}

/// A size the Dutch way: `800 bytes`, `12 KB`, `2,4 MB` (KB and MB of 1.024). Rounded up below
/// a megabyte, so a file never looks smaller than the limit it exceeds.
pub fn format_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", format_count(bytes.div_ceil(KB)))
    } else {
        let tenths = bytes.saturating_mul(10).div_ceil(MB);
        match tenths % 10 {
            0 => format!("{} MB", format_count(tenths / 10)),
            d => format!("{},{d} MB", format_count(tenths / 10)),
        }
    }
}

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 150;

/// The name a user gave a file, made safe to show and to offer as a download name: only the
/// last path component, no control or direction-changing characters, no leading dots or spaces,
/// at most 150 characters (keeping the extension). An empty result becomes `bijlage`.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "bijlage".to_owned();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned.to_owned();
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, ext),
        _ => (cleaned, ""),
    };
    let keep = MAX_NAME_CHARS - ext.chars().count() - usize::from(!ext.is_empty());
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name to download a file under: its display name, with the extension of its real type
/// added when the name does not already end in it.
pub fn download_name(display_name: &str, file_type: Option<FileType>) -> String {
    match file_type {
        Some(t) => {
            let suffix = format!(".{}", t.extension());
            if display_name.to_ascii_lowercase().ends_with(&suffix) {
                display_name.to_owned()
            } else {
                format!("{display_name}{suffix}")
            }
        }
        None => display_name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP archive with the given entries, stored uncompressed (CRC left at zero: the sniffer
    /// does not read it).
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let dir_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&dir_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn xlsx() -> Vec<u8> {
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ])
    }

    #[test]
    fn the_required_kinds_are_a_decision_and_a_budget_sheet() {
        let none: [&str; 0] = [];
        assert_eq!(
            missing_required(&none),
            vec![
                "Beslissing van de gemeenteraad of het college",
                "Begroting (rekenblad)"
            ]
        );
        let some = vec!["budget_sheet".to_owned(), "other".to_owned()];
        assert_eq!(
            missing_required(&some),
            vec!["Beslissing van de gemeenteraad of het college"]
        );
        let all = ["council_decision", "budget_sheet"];
        assert!(missing_required(&all).is_empty());
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in AttachmentKind::ALL {
            assert_eq!(AttachmentKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(AttachmentKind::parse("exe"), None);
        assert_eq!(kind_label("budget_sheet"), "Begroting (rekenblad)");
    }

    #[test]
    fn files_are_recognised_by_their_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%..."), Some(FileType::Pdf));
        assert_eq!(sniff(&xlsx()), Some(FileType::Xlsx));
        let ods = zip(&[
            ("mimetype", ODS_MIMETYPE.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
        ]);
        assert_eq!(sniff(&ods), Some(FileType::Ods));
    }

    #[test]
    fn other_content_is_refused_whatever_it_is_called() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"Dit is gewoon tekst."), None);
        assert_eq!(sniff(b"MZ\x90\x00\x03\x00\x00\x00"), None);
        assert_eq!(sniff(b" %PDF-1.7"), None);
        // A Word document, a text document in OpenDocument, an ODS template, a macro workbook.
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(sniff(&docx), None);
        let odt = zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        assert_eq!(sniff(&odt), None);
        let ots = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet-template",
        )]);
        assert_eq!(sniff(&ots), None);
        let xlsm = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/vbaProject.bin", b"macro"),
        ]);
        assert_eq!(sniff(&xlsm), None);
        // The mimetype entry must come first.
        let late = zip(&[
            ("content.xml", b"<x/>"),
            ("mimetype", ODS_MIMETYPE.as_bytes()),
        ]);
        assert_eq!(sniff(&late), None);
    }

    #[test]
    fn a_damaged_zip_is_refused() {
        let whole = xlsx();
        assert_eq!(sniff(&whole[..whole.len() - 1]), None);
        assert_eq!(sniff(&whole[..40]), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        let mut wrong_offset = whole.clone();
        let n = wrong_offset.len();
        wrong_offset[n - 6] = 0xFF;
        assert_eq!(sniff(&wrong_offset), None);
    }

    #[test]
    fn sizes_are_written_in_dutch() {
        assert_eq!(format_size(0), "0 bytes");
        assert_eq!(format_size(800), "800 bytes");
        assert_eq!(format_size(1024), "1 KB");
        assert_eq!(format_size(1025), "2 KB");
        assert_eq!(format_size(1_000_000), "977 KB");
        assert_eq!(format_size(1024 * 1024), "1 MB");
        assert_eq!(format_size(2_500_000), "2,4 MB");
        assert_eq!(format_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(format_size(2_000 * 1024 * 1024), "2.000 MB");
    }

    #[test]
    fn names_are_cleaned_for_display() {
        assert_eq!(display_name("Begroting 2023.xlsx"), "Begroting 2023.xlsx");
        assert_eq!(display_name("C:\\Users\\jan\\besluit.pdf"), "besluit.pdf");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("a\u{202E}fdp.exe"), "afdp.exe");
        assert_eq!(display_name("x\r\ny.pdf"), "xy.pdf");
        assert_eq!(display_name(".verborgen.pdf"), "verborgen.pdf");
        assert_eq!(display_name("   "), "bijlage");
        assert_eq!(display_name("dir/"), "bijlage");
        let long = format!("{}.pdf", "é".repeat(300));
        let shown = display_name(&long);
        assert_eq!(shown.chars().count(), 150);
        assert!(shown.ends_with(".pdf"));
    }

    #[test]
    fn downloads_carry_the_extension_of_their_real_type() {
        assert_eq!(
            download_name("besluit.PDF", Some(FileType::Pdf)),
            "besluit.PDF"
        );
        assert_eq!(download_name("besluit", Some(FileType::Pdf)), "besluit.pdf");
        assert_eq!(
            download_name("begroting.xls", Some(FileType::Xlsx)),
            "begroting.xls.xlsx"
        );
        assert_eq!(download_name("x.ods", None), "x.ods");
    }
}
