//! Organisation codes (ACM/IDM's code of a local government or partner, e.g. an OVO code): who
//! someone signing in through the Flemish government works for. Read from a CSV, all or
//! nothing like the population import (`crate::import`): every row is checked first, one bad
//! row rejects the file with the line number of every bad row, and nothing is written. Also
//! the check an admin's edit goes through (`check_code`).
//!
//! The file: a header with `org_code` and either `nis_code` (a current municipality) or
//! `partner_code` (a partner organisation, e.g. `VGC`) per row; `;` or `,` as separator.
//! An empty `org_code` removes the organisation's code.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::{municipality, partner_organisation};

use crate::audit::{self, AuditEntry};
use crate::auth::oidc::settings::normalise_org_code;
use crate::import::{CsvFile, ImportRejection, RowError, header_error};

/// Checks an organisation code as typed; the normalised code (`None`: no code) or a Dutch
/// message.
pub fn check_code(text: &str) -> Result<Option<String>, String> {
    let code = normalise_org_code(text);
    if code.is_empty() {
        return Ok(None);
    }
    if code.len() > 40
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!(
            "'{}' is geen organisatiecode: gebruik letters, cijfers, '-', '_' of '.', \
             hoogstens 40 tekens (bijvoorbeeld OVO002949)",
            text.trim()
        ));
    }
    Ok(Some(code))
}

/// Which organisation a row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holder {
    Municipality(i64),
    Partner(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCodeSummary {
    pub municipalities: usize,
    pub partners: usize,
    pub changed: usize,
}

impl std::fmt::Display for OrgCodeSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Organisatiecodes geïmporteerd: {} gemeente(n), {} partnerorganisatie(s), {} gewijzigd.",
            self.municipalities, self.partners, self.changed
        )
    }
}

/// The organisations and their codes as they are now.
struct Directory {
    by_nis: HashMap<i32, i64>,
    by_partner: HashMap<String, i64>,
    codes: HashMap<Holder, Option<String>>,
    names: HashMap<Holder, String>,
}

async fn directory(db: &DatabaseConnection) -> Result<Directory, DbErr> {
    let municipalities = municipality::Entity::find()
        .filter(municipality::Column::ValidTo.is_null())
        .all(db)
        .await?;
    let partners = partner_organisation::Entity::find().all(db).await?;
    let mut codes = HashMap::new();
    let mut names = HashMap::new();
    // Historical municipalities keep their codes; they count for uniqueness.
    for m in municipality::Entity::find()
        .filter(municipality::Column::OrgCode.is_not_null())
        .all(db)
        .await?
    {
        codes.insert(Holder::Municipality(m.id), m.org_code.clone());
        names.insert(Holder::Municipality(m.id), m.name.clone());
    }
    for m in &municipalities {
        codes.insert(Holder::Municipality(m.id), m.org_code.clone());
        names.insert(Holder::Municipality(m.id), m.name.clone());
    }
    for p in &partners {
        codes.insert(Holder::Partner(p.id), p.org_code.clone());
        names.insert(Holder::Partner(p.id), p.name.clone());
    }
    Ok(Directory {
        by_nis: municipalities.iter().map(|m| (m.nis_code, m.id)).collect(),
        by_partner: partners
            .iter()
            .map(|p| (p.code.to_uppercase(), p.id))
            .collect(),
        codes,
        names,
    })
}

/// Imports the organisation codes in `csv_text`; `abb_codes` are ABB's own (never given to a
/// municipality or partner). `Ok(Err(rejection))` when the file has bad rows (nothing written).
pub async fn import_org_codes(
    db: &DatabaseConnection,
    csv_text: &str,
    abb_codes: &[String],
    actor: &str,
) -> Result<Result<OrgCodeSummary, ImportRejection>, DbErr> {
    let dir = directory(db).await?;
    let rows = match parse_rows(csv_text, &dir, abb_codes) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(ImportRejection { errors })),
    };
    let txn = crate::db::begin_write(db).await?;
    let mut summary = OrgCodeSummary {
        municipalities: 0,
        partners: 0,
        changed: 0,
    };
    // Codes that move between organisations: clear first so the unique index never sees two.
    for (holder, code) in &rows {
        if dir.codes.get(holder).cloned().flatten() != *code {
            set_code(&txn, *holder, None).await?;
        }
    }
    for (holder, code) in &rows {
        match holder {
            Holder::Municipality(_) => summary.municipalities += 1,
            Holder::Partner(_) => summary.partners += 1,
        }
        if dir.codes.get(holder).cloned().flatten() != *code {
            set_code(&txn, *holder, code.clone()).await?;
            summary.changed += 1;
        }
    }
    audit::record(
        &txn,
        AuditEntry::new("organisation.org_codes_imported", "organisation", None)
            .by(None, actor)
            .details(summary.to_string()),
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(summary))
}

/// Writes one organisation's code (and raises its version).
pub async fn set_code<C: sea_orm::ConnectionTrait>(
    db: &C,
    holder: Holder,
    code: Option<String>,
) -> Result<(), DbErr> {
    match holder {
        Holder::Municipality(id) => {
            if let Some(m) = municipality::Entity::find_by_id(id).one(db).await? {
                let version = m.version;
                let mut active: municipality::ActiveModel = m.into();
                active.org_code = Set(code);
                active.version = Set(version + 1);
                active.update(db).await?;
            }
        }
        Holder::Partner(id) => {
            if let Some(p) = partner_organisation::Entity::find_by_id(id).one(db).await? {
                let version = p.version;
                let mut active: partner_organisation::ActiveModel = p.into();
                active.org_code = Set(code);
                active.version = Set(version + 1);
                active.update(db).await?;
            }
        }
    }
    Ok(())
}

fn parse_rows(
    csv_text: &str,
    dir: &Directory,
    abb_codes: &[String],
) -> Result<Vec<(Holder, Option<String>)>, Vec<RowError>> {
    let file = CsvFile::read(csv_text, true)?;
    let code_col = file.required("org_code")?;
    let nis_col = file.column("nis_code");
    let partner_col = file.column("partner_code");
    if nis_col.is_none() && partner_col.is_none() {
        return Err(header_error(
            "de kopregel heeft geen kolom 'nis_code' of 'partner_code'".into(),
        ));
    }

    let mut rows = Vec::new();
    let mut holders: HashSet<Holder> = HashSet::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let mut errors = file.each_row(|line, record| {
        let field = |col: Option<usize>| col.and_then(|c| record.get(c)).unwrap_or("");
        let mut problems = Vec::new();
        let holder = match (field(nis_col), field(partner_col)) {
            ("", "") => {
                problems.push("vul nis_code of partner_code in".to_owned());
                None
            }
            (nis, partner) if !nis.is_empty() && !partner.is_empty() => {
                problems.push(format!(
                    "vul nis_code ({nis}) of partner_code ({partner}) in, niet allebei"
                ));
                None
            }
            (nis, "") => match nis.parse::<i32>().ok().and_then(|n| dir.by_nis.get(&n)) {
                Some(id) => Some(Holder::Municipality(*id)),
                None => {
                    problems.push(format!(
                        "NIS-code '{nis}' is geen bestaande Vlaamse gemeente"
                    ));
                    None
                }
            },
            (_, partner) => match dir.by_partner.get(&partner.to_uppercase()) {
                Some(id) => Some(Holder::Partner(*id)),
                None => {
                    problems.push(format!("'{partner}' is geen gekende partnerorganisatie"));
                    None
                }
            },
        };
        if let Some(h) = holder
            && !holders.insert(h)
        {
            problems.push("deze organisatie komt meer dan eens voor".to_owned());
        }
        let code = match check_code(field(Some(code_col))) {
            Ok(code) => code,
            Err(message) => {
                problems.push(message);
                None
            }
        };
        if let Some(code) = &code {
            if abb_codes.contains(code) {
                problems.push(format!("{code} is de organisatiecode van ABB zelf"));
            }
            if let Some(earlier) = in_file.insert(code.clone(), line) {
                problems.push(format!(
                    "organisatiecode {code} staat ook op regel {earlier}"
                ));
            }
        }
        match (problems.is_empty(), holder) {
            (true, Some(holder)) => {
                rows.push((holder, code));
                Ok(())
            }
            _ => Err(problems.join("; ")),
        }
    });
    // After the import, a code may belong to one organisation only.
    let changed: HashSet<Holder> = rows.iter().map(|(h, _)| *h).collect();
    for (holder, code) in dir.codes.iter() {
        let Some(code) = code else { continue };
        if changed.contains(holder) {
            continue;
        }
        if let Some(line) = in_file.get(code) {
            errors.push(RowError {
                line: *line,
                message: format!(
                    "organisatiecode {code} hoort al bij {}",
                    dir.names
                        .get(holder)
                        .map(String::as_str)
                        .unwrap_or("een andere organisatie")
                ),
            });
        }
    }
    errors.sort_by_key(|e| e.line);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> Directory {
        Directory {
            by_nis: HashMap::from([(11002, 1), (44021, 2)]),
            by_partner: HashMap::from([("VGC".to_owned(), 9)]),
            codes: HashMap::from([
                (Holder::Municipality(1), None),
                (Holder::Municipality(2), Some("OVO000002".to_owned())),
                (Holder::Partner(9), None),
            ]),
            names: HashMap::from([(Holder::Municipality(2), "Gent".to_owned())]),
        }
    }

    #[test]
    fn organisation_codes_are_normalised_and_checked() {
        assert_eq!(
            check_code(" ovo002949 ").unwrap().as_deref(),
            Some("OVO002949")
        );
        assert_eq!(check_code("  ").unwrap(), None);
        assert!(check_code("OVO 1").is_err());
        assert!(check_code(&"A".repeat(41)).is_err());
    }

    #[test]
    fn a_good_file_names_municipalities_and_partners_with_either_separator() {
        let rows = parse_rows(
            "nis_code;partner_code;org_code\n11002;;ovo1\n;vgc;OVO9\n44021;;\n",
            &dir(),
            &[],
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                (Holder::Municipality(1), Some("OVO1".into())),
                (Holder::Partner(9), Some("OVO9".into())),
                (Holder::Municipality(2), None),
            ]
        );
    }

    #[test]
    fn every_bad_line_is_reported_and_codes_stay_unique() {
        let errors = parse_rows(
            "nis_code,partner_code,org_code\n\
             11002,,OVO1\n\
             99999,,OVO3\n\
             ,ONBEKEND,OVO4\n\
             11002,,OVO5\n\
             ,VGC,OVO1\n\
             ,VGC,ABB1\n\
             ,,OVO6\n\
             44021,VGC,OVO7\n\
             ,VGC,OVO000002\n",
            &dir(),
            &["ABB1".to_owned()],
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9, 10, 10]);
        assert!(
            errors[0]
                .message
                .contains("geen bestaande Vlaamse gemeente")
        );
        assert!(
            errors[1]
                .message
                .contains("geen gekende partnerorganisatie")
        );
        assert!(errors[2].message.contains("meer dan eens"));
        assert!(errors[3].message.contains("ook op regel 2"));
        assert!(errors[4].message.contains("van ABB zelf"));
        assert!(
            errors[5]
                .message
                .contains("vul nis_code of partner_code in")
        );
        assert!(errors[6].message.contains("niet allebei"));
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("hoort al bij Gent"))
        );
    }

    #[test]
    fn a_file_without_the_columns_or_rows_is_refused() {
        assert_eq!(
            parse_rows("naam,org_code\nx,y\n", &dir(), &[]).unwrap_err()[0].line,
            1
        );
        assert_eq!(
            parse_rows("nis_code\n11002\n", &dir(), &[]).unwrap_err()[0].line,
            1
        );
        let errors = parse_rows("nis_code,org_code\n", &dir(), &[]).unwrap_err();
        assert!(errors[0].message.contains("geen gegevens"));
    }
}
