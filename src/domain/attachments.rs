//! Attachments of a dossier: which kinds exist, which are required, which files are accepted.
//!
//! Pure functions: the kinds and their Dutch labels, the rule that a dossier needs a council or
//! college decision and a budget sheet ([`missing_required`]), recognising a file's type from
//! its content ([`sniff`]: PDF, XLSX or ODS, never trusting the name or the declared type), and
//! how sizes and names are shown.
//!
//! Decisions:
//! - XLSX and ODS are ZIP archives, read with the maintained `zip` crate: the central directory
//!   must be intact, every local header must agree with it (no hidden or duplicate entries), and
//!   at most 10.000 entries;
//! - entry names are compared as an office program resolves them ([`entry_path`]): `\` as `/`,
//!   repeated slashes, `.` and `..` resolved, letters folded to lower case;
//! - a spreadsheet with macros is refused, XLSX and ODS alike: a `vbaProject.bin` anywhere (the
//!   VBA project of an `.xlsm`, renamed or not) or anything under a `Basic` or `Scripts` folder
//!   (OpenDocument's Basic and script macros) anywhere;
//! - an ODS must start with the stored `mimetype` entry holding exactly
//!   `application/vnd.oasis.opendocument.spreadsheet`, as OpenDocument requires.

use std::io::{Read, Seek, SeekFrom};

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

/// The most entries an accepted archive may hold (a workbook has a few dozen).
const MAX_ZIP_ENTRIES: usize = 10_000;

/// Why a file is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAccepted {
    /// Not a PDF, XLSX or ODS (or a damaged one).
    UnknownType,
    /// A spreadsheet with macros.
    Macros,
}

impl NotAccepted {
    /// What the user reads, and how to fix it.
    pub fn message(self) -> &'static str {
        match self {
            NotAccepted::UnknownType => {
                "Dit bestand is geen PDF-, XLSX- of ODS-bestand. Bewaar het als PDF, XLSX of ODS \
                 en kies het opnieuw."
            }
            NotAccepted::Macros => {
                "Dit rekenblad bevat macro's, en die aanvaarden we niet. Bewaar het zonder \
                 macro's als XLSX of ODS (in Excel: Opslaan als, Excel-werkmap) en kies het \
                 opnieuw."
            }
        }
    }
}

/// Recognises a PDF, XLSX or ODS file by its content, refusing anything else and spreadsheets
/// with macros. Reads from `file`, which the caller opened (an upload in a temporary file, or
/// bytes in memory).
pub fn sniff<R: Read + Seek>(mut file: R) -> Result<FileType, NotAccepted> {
    use NotAccepted::UnknownType;
    let mut magic = [0u8; 5];
    file.read_exact(&mut magic).map_err(|_| UnknownType)?;
    if &magic == b"%PDF-" {
        return Ok(FileType::Pdf);
    }
    if !magic.starts_with(b"PK\x03\x04") {
        return Err(UnknownType);
    }
    file.seek(SeekFrom::Start(0)).map_err(|_| UnknownType)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|_| UnknownType)?;
    if archive.len() > MAX_ZIP_ENTRIES || archive.validate_header_consistency().is_err() {
        return Err(UnknownType);
    }
    let paths: Vec<Vec<String>> = archive
        .file_names()
        .map(|name| name.map(|n| entry_path(&n)))
        .collect::<Result<_, _>>()
        .map_err(|_| UnknownType)?;
    let is_ods = starts_with_ods_mimetype(&mut archive);
    let has_content_types = paths.iter().any(|p| p == &["[content_types].xml"]);
    let has_workbook = paths.iter().any(|p| p.len() > 1 && p[0] == "xl");
    let file_type = if is_ods {
        FileType::Ods
    } else if has_content_types && has_workbook {
        FileType::Xlsx
    } else {
        return Err(UnknownType);
    };
    if paths.iter().any(|p| is_macro(p)) {
        return Err(NotAccepted::Macros);
    }
    Ok(file_type)
}

/// The folders and name of a ZIP entry as an office program resolves them: `\` read as `/`,
/// empty and `.` segments dropped, `..` going one folder up, lower case.
pub fn entry_path(name: &str) -> Vec<String> {
    let mut path: Vec<String> = Vec::new();
    for segment in name.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                path.pop();
            }
            s => path.push(s.to_lowercase()),
        }
    }
    path
}

/// Whether an entry (see [`entry_path`]) is a macro: a VBA project anywhere, or anything in
/// an OpenDocument `Basic` or `Scripts` folder anywhere.
fn is_macro(path: &[String]) -> bool {
    path.last().is_some_and(|name| name == "vbaproject.bin")
        || path.iter().any(|s| s == "basic" || s == "scripts")
}

/// Whether the archive's first entry, at the very start of the file, is `mimetype`, stored
/// uncompressed, holding exactly the ODS media type.
fn starts_with_ods_mimetype<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> bool {
    let Ok(entry) = archive.by_index(0) else {
        return false;
    };
    if entry.name_raw() != b"mimetype"
        || entry.header_start() != 0
        || entry.compression() != zip::CompressionMethod::Stored
        || entry.size() != ODS_MIMETYPE.len() as u64
    {
        return false;
    }
    let mut content = Vec::with_capacity(ODS_MIMETYPE.len());
    // Reading to the end checks the entry's CRC.
    entry
        .take(ODS_MIMETYPE.len() as u64 + 1)
        .read_to_end(&mut content)
        .is_ok()
        && content == ODS_MIMETYPE.as_bytes()
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

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A ZIP archive with the given entries, stored uncompressed, names exactly as given (the
    /// crafted ones included: a ZIP writer would clean them up).
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let crc = crc32(data).to_le_bytes();
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&crc);
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

    /// [`sniff`] on an archive in memory; `None` when refused, whatever the reason.
    fn sniffed(bytes: &[u8]) -> Option<FileType> {
        sniff(std::io::Cursor::new(bytes)).ok()
    }

    #[test]
    fn files_are_recognised_by_their_content() {
        assert_eq!(sniffed(b"%PDF-1.7\n%..."), Some(FileType::Pdf));
        assert_eq!(sniffed(&xlsx()), Some(FileType::Xlsx));
        let ods = zip(&[
            ("mimetype", ODS_MIMETYPE.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
        ]);
        assert_eq!(sniffed(&ods), Some(FileType::Ods));
    }

    #[test]
    fn other_content_is_refused_whatever_it_is_called() {
        assert_eq!(sniffed(b""), None);
        assert_eq!(sniffed(b"Dit is gewoon tekst."), None);
        assert_eq!(sniffed(b"MZ\x90\x00\x03\x00\x00\x00"), None);
        assert_eq!(sniffed(b" %PDF-1.7"), None);
        // A Word document, a text document in OpenDocument, an ODS template, a macro workbook.
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(sniffed(&docx), None);
        let odt = zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        assert_eq!(sniffed(&odt), None);
        let ots = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet-template",
        )]);
        assert_eq!(sniffed(&ots), None);
        let xlsm = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/vbaProject.bin", b"macro"),
        ]);
        assert_eq!(sniffed(&xlsm), None);
        // The mimetype entry must come first.
        let late = zip(&[
            ("content.xml", b"<x/>"),
            ("mimetype", ODS_MIMETYPE.as_bytes()),
        ]);
        assert_eq!(sniffed(&late), None);
    }

    fn ods_with(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("mimetype", ODS_MIMETYPE.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ];
        entries.extend_from_slice(extra);
        zip(&entries)
    }

    fn xlsx_with(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ];
        entries.extend_from_slice(extra);
        zip(&entries)
    }

    #[test]
    fn macros_are_refused_in_xlsx_and_ods_however_their_entry_names_are_spelled() {
        let macro_names = [
            "xl/vbaProject.bin",
            "xl//vbaProject.bin",
            "XL/VBAPROJECT.BIN",
            "xl\\vbaProject.bin",
            "./xl/vbaProject.bin",
            "xl/./vbaProject.bin",
            "/xl/vbaProject.bin",
            "xl/../xl/vbaProject.bin",
            "xl/macros/vbaProject.bin",
            "customUI/vbaProject.bin",
            "Basic/Standard/Module1.xml",
            "basic/script-lc.xml",
            "./Basic//Standard/Module1.xml",
            "Scripts/python/macro.py",
            "SCRIPTS\\beanshell\\macro.bsh",
            "Configurations2//../Basic/dialog-lc.xml",
        ];
        for name in macro_names {
            let entry: [(&str, &[u8]); 1] = [(name, b"macro")];
            for (kind, archive) in [("XLSX", xlsx_with(&entry)), ("ODS", ods_with(&entry))] {
                assert_eq!(
                    sniff(std::io::Cursor::new(&archive)),
                    Err(NotAccepted::Macros),
                    "{kind} with {name}"
                );
            }
        }
        // Names that only look alike are no macros.
        for name in [
            "xl/vbaProjectNotes.xml",
            "Configurations2/accelerator/current.xml",
            "docProps/basic.xml",
            "Thumbnails/thumbnail.png",
        ] {
            let entry: [(&str, &[u8]); 1] = [(name, b"<x/>")];
            assert_eq!(sniffed(&xlsx_with(&entry)), Some(FileType::Xlsx), "{name}");
            assert_eq!(sniffed(&ods_with(&entry)), Some(FileType::Ods), "{name}");
        }
    }

    #[test]
    fn real_workbooks_and_compressed_archives_are_accepted() {
        // The browser tests' budget sheet (saved by a spreadsheet program) and our own export.
        let fixture = include_bytes!("../../tests/browser/fixtures/begroting.xlsx");
        assert_eq!(sniffed(fixture), Some(FileType::Xlsx));
        let mut table = crate::export::Table::new("Test", &[("A", crate::export::Kind::Text)]);
        table.push(vec!["een".into()]);
        let exported = crate::export::to_xlsx(&table).unwrap();
        assert_eq!(sniffed(&exported), Some(FileType::Xlsx));
        // An ODS as office programs write it: `mimetype` stored first, the rest deflated.
        let mut ods = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        ods.start_file("mimetype", stored).unwrap();
        std::io::Write::write_all(&mut ods, ODS_MIMETYPE.as_bytes()).unwrap();
        ods.start_file("content.xml", deflated).unwrap();
        std::io::Write::write_all(&mut ods, "<office:document-content/>".repeat(50).as_bytes())
            .unwrap();
        let ods = ods.finish().unwrap().into_inner();
        assert_eq!(sniffed(&ods), Some(FileType::Ods));
        // A macro in a compressed entry is refused all the same.
        let mut macro_ods = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        macro_ods.start_file("mimetype", stored).unwrap();
        std::io::Write::write_all(&mut macro_ods, ODS_MIMETYPE.as_bytes()).unwrap();
        macro_ods
            .start_file("Basic/Standard/Module1.xml", deflated)
            .unwrap();
        std::io::Write::write_all(&mut macro_ods, b"<script:module/>").unwrap();
        let macro_ods = macro_ods.finish().unwrap().into_inner();
        assert_eq!(sniffed(&macro_ods), None);
    }

    #[test]
    fn an_entry_hidden_from_the_directory_or_named_twice_is_refused() {
        // The local header says `xl/vbaProject.bin`, the central directory another name.
        let mut hidden = xlsx_with(&[("xl/vbaProject.bin", b"macro")]);
        let central = hidden.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        let at = central
            + hidden[central..]
                .windows(17)
                .position(|w| w == b"xl/vbaProject.bin")
                .unwrap();
        hidden[at..at + 17].copy_from_slice(b"xl/styles000.xml_");
        assert_eq!(sniffed(&hidden), None);
        let twice = xlsx_with(&[("xl/workbook.xml", b"<workbook/>")]);
        assert_eq!(sniffed(&twice), None);
    }

    #[test]
    fn entry_names_are_resolved_as_an_office_program_reads_them() {
        assert_eq!(entry_path("xl//vbaProject.bin"), ["xl", "vbaproject.bin"]);
        assert_eq!(entry_path("./XL\\.\\a.xml"), ["xl", "a.xml"]);
        assert_eq!(entry_path("/a/../b/"), ["b"]);
        assert_eq!(entry_path("../../x"), ["x"]);
        assert!(entry_path("").is_empty());
    }

    #[test]
    fn a_damaged_zip_is_refused() {
        let whole = xlsx();
        assert_eq!(sniffed(&whole[..whole.len() - 1]), None);
        assert_eq!(sniffed(&whole[..40]), None);
        assert_eq!(sniffed(b"PK\x03\x04"), None);
        let mut wrong_offset = whole.clone();
        let n = wrong_offset.len();
        wrong_offset[n - 6] = 0xFF;
        assert_eq!(sniffed(&wrong_offset), None);
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
