//! Applying the municipal mergers of 1 January 2025 to the data that still points at the old
//! municipalities.
//!
//! The reference seed already holds both maps: every municipality merged on 1 January 2025 has a
//! row that ends on 2024-12-31 and points to its `successor_id`. [`apply_mergers`] moves what
//! lives on those old rows to the successor, in one transaction:
//!
//! 1. **Accounts**: officials bound to a merged municipality are bound to its successor. Their
//!    sessions stay valid: the session reads the user and organisation afresh on every request.
//! 2. **Dossier memberships**: a merged municipality's `application_member` row moves to the
//!    successor. When the successor is already a member of the same dossier, the old row is
//!    removed instead (the members merged into one municipality; a lead role passes to the
//!    successor's row). When the old municipality led the dossier, the successor becomes the lead.
//!    A municipality is in at most one dossier per call (`UNIQUE(call_id, municipality_id)`):
//!    when the successor already takes part in *another* dossier of the same call, nothing is
//!    moved; the membership stays on the old municipality and is reported as a
//!    [`MergerConflict`] for an admin to decide. Merged memberships are handled in the order of
//!    their dossier's id, so of two predecessors in two dossiers of one call the dossier with the
//!    lowest id gets the successor; an existing membership of the successor itself is never moved.
//! 3. **Summed figures**: for every reference year before the merger in which *all*
//!    predecessors have a population figure, the successor gets a figure with the sums
//!    (residents, and residents of non-EU15 origin, each only when every predecessor has that
//!    number: the domain's rule, `domain::figures::Merger::figure`), with a source text naming
//!    the old NIS codes and their sources; the sum is fictitious when any summed non-EU15 figure
//!    is. An existing figure of the successor is never overwritten. The old municipalities'
//!    figures stay untouched: history keeps its NIS codes. The verdicts do not depend on these
//!    rows: the directory of a call on the 2025 map sums the former municipalities' figures by
//!    the same rule (`store::rules::load_directory`).
//!
//!    **Decision — a successor that continues a predecessor's identity** (Antwerpen 11002 keeps
//!    its row and code and absorbs Borsbeek 11007): its stored historic figures are Antwerpen's
//!    alone, from before the merger. We neither overwrite them nor add a summed row next to them
//!    (the figure table holds one row per municipality and year, and silently changing a
//!    published figure would rewrite history). The verdicts never use them alone for the merged
//!    Antwerpen: they sum Antwerpen's and Borsbeek's figures, or have none. The report carries a
//!    warning, so that an admin can import post-merger figures for it.
//! 4. **Audit**: one entry per changed thing (`merger.user_rebound`, `merger.membership_moved`,
//!    `merger.lead_moved`, `merger.figures_summed`) with before/after images, and one
//!    `merger.applied` summary entry per run (also when nothing changed, so every run is traced).
//!
//! Running it again changes nothing and reports zeros (the conflicts and warnings are repeated,
//! as they still need attention). With `dry_run` everything is done and then rolled back, so
//! the report says what applying would change.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use entity::application_member::MemberRole;
use entity::{app_user, application, application_member, municipality, population_figure};

use crate::audit::{self, AuditEntry};
use crate::domain::figures::{Former, MergedFigure, Merger as DomainMerger};
use crate::domain::{Figure, FigureKind, NisCode, ReferenceYear};

/// The years for which mergers are known: the year the new map starts.
pub const KNOWN_YEARS: &[i32] = &[2025];

/// Who applies the mergers, for the audit trail.
#[derive(Debug, Clone)]
pub struct MergerActor {
    pub user_id: Option<i64>,
    pub label: String,
    pub ip: Option<String>,
}

impl MergerActor {
    /// A run without a signed-in user, e.g. from the command line.
    pub fn system(label: impl Into<String>) -> Self {
        Self {
            user_id: None,
            label: label.into(),
            ip: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MergerError {
    #[error("Voor {0} zijn geen fusies gekend.")]
    UnknownYear(i32),
    #[error("databankfout: {0}")]
    Db(#[from] DbErr),
}

/// A municipality by name and NIS code, for reports and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub id: i64,
    pub nis_code: i32,
    pub name: String,
}

impl Named {
    fn of(m: &municipality::Model) -> Self {
        Self {
            id: m.id,
            nis_code: m.nis_code,
            name: m.name.clone(),
        }
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.nis_code)
    }
}

/// One merger: the old municipalities and the one they form.
#[derive(Debug, Clone, Serialize)]
pub struct Merger {
    pub successor: Named,
    /// The municipalities that end, by NIS code. For a continuing successor (Antwerpen) the
    /// successor itself is not in this list.
    pub predecessors: Vec<Named>,
    /// The successor is the same row as one of the old municipalities (it keeps its NIS code).
    pub continuing: bool,
}

/// A membership that could not move because the successor already takes part in another
/// dossier of the same call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergerConflict {
    pub call_id: i64,
    pub application_id: i64,
    pub application_reference: String,
    pub municipality: Named,
    pub successor: Named,
    pub successor_application_id: i64,
    pub successor_application_reference: String,
}

impl fmt::Display for MergerConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} blijft deelnemer van dossier {} op de oude gemeente: {} neemt in dezelfde oproep al deel aan dossier {}. Een beheerder moet beslissen.",
            self.municipality,
            self.application_reference,
            self.successor,
            self.successor_application_reference
        )
    }
}

/// What a run changed (or, for a dry run, would change).
#[derive(Debug, Clone, Default, Serialize)]
pub struct MergerReport {
    pub year: i32,
    pub dry_run: bool,
    pub users_rebound: usize,
    /// Memberships moved to the successor.
    pub memberships_moved: usize,
    /// Memberships removed because the successor was already a member of the same dossier.
    pub memberships_merged: usize,
    pub leads_moved: usize,
    /// Population figures created for a successor (one per municipality and reference year).
    pub figures_summed: usize,
    /// Dossiers whose members merged into one municipality, by reference.
    pub dossiers_merged: Vec<String>,
    pub conflicts: Vec<MergerConflict>,
    pub warnings: Vec<String>,
}

impl MergerReport {
    /// The number of changed things; zero on a second run.
    pub fn changes(&self) -> usize {
        self.users_rebound
            + self.memberships_moved
            + self.memberships_merged
            + self.leads_moved
            + self.figures_summed
    }

    /// A one-paragraph summary, e.g. for a flash message.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} {}: {} account(s) gekoppeld aan de nieuwe gemeente, {} deelname(s) verplaatst, {} deelname(s) samengevoegd, {} trekker(s) gewijzigd, {} bevolkingscijfer(s) opgeteld.",
            if self.dry_run {
                "Proefdraai van de fusies van"
            } else {
                "Fusies toegepast van"
            },
            self.year,
            self.users_rebound,
            self.memberships_moved,
            self.memberships_merged,
            self.leads_moved,
            self.figures_summed
        );
        if !self.conflicts.is_empty() {
            text.push_str(&format!(
                " {} conflict(en) vragen een beslissing van een beheerder.",
                self.conflicts.len()
            ));
        }
        if !self.warnings.is_empty() {
            text.push_str(&format!(" {} waarschuwing(en).", self.warnings.len()));
        }
        text
    }
}

impl fmt::Display for MergerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(
                f,
                "Proefdraai van de fusies van 1 januari {} (er is niets gewijzigd):",
                self.year
            )?;
        } else {
            writeln!(f, "Fusies van 1 januari {} toegepast:", self.year)?;
        }
        writeln!(
            f,
            "  accounts gekoppeld aan de nieuwe gemeente: {}",
            self.users_rebound
        )?;
        writeln!(
            f,
            "  dossierdeelnames verplaatst naar de nieuwe gemeente: {}",
            self.memberships_moved
        )?;
        writeln!(
            f,
            "  dossierdeelnames samengevoegd (nieuwe gemeente was al deelnemer): {}",
            self.memberships_merged
        )?;
        writeln!(f, "  trekkers gewijzigd: {}", self.leads_moved)?;
        writeln!(
            f,
            "  opgetelde bevolkingscijfers aangemaakt: {}",
            self.figures_summed
        )?;
        if !self.dossiers_merged.is_empty() {
            writeln!(
                f,
                "  dossiers waarvan deelnemers tot één gemeente fuseerden: {}",
                self.dossiers_merged.join(", ")
            )?;
        }
        writeln!(
            f,
            "  conflicten die een beslissing van een beheerder vragen: {}",
            self.conflicts.len()
        )?;
        for c in &self.conflicts {
            writeln!(f, "    - {c}")?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "  waarschuwingen:")?;
            for w in &self.warnings {
                writeln!(f, "    - {w}")?;
            }
        }
        Ok(())
    }
}

fn check_year(year: i32) -> Result<NaiveDate, MergerError> {
    if !KNOWN_YEARS.contains(&year) {
        return Err(MergerError::UnknownYear(year));
    }
    NaiveDate::from_ymd_opt(year - 1, 12, 31).ok_or(MergerError::UnknownYear(year))
}

/// The mergers taking effect on 1 January of `year`, from the database, by successor name.
pub async fn mergers<C: ConnectionTrait>(db: &C, year: i32) -> Result<Vec<Merger>, MergerError> {
    let last_day = check_year(year)?;
    let all: HashMap<i64, municipality::Model> = municipality::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut groups: BTreeMap<i64, Vec<Named>> = BTreeMap::new();
    for m in all.values() {
        if m.valid_to == Some(last_day)
            && let Some(successor) = m.successor_id
        {
            groups.entry(successor).or_default().push(Named::of(m));
        }
    }
    let first_day = last_day.succ_opt().unwrap_or(last_day);
    let mut result: Vec<Merger> = groups
        .into_iter()
        .filter_map(|(successor_id, mut predecessors)| {
            let successor = all.get(&successor_id)?;
            predecessors.sort_by_key(|p| p.nis_code);
            Some(Merger {
                successor: Named::of(successor),
                predecessors,
                continuing: successor.valid_from < first_day,
            })
        })
        .collect();
    result.sort_by(|a, b| a.successor.name.cmp(&b.successor.name));
    Ok(result)
}

/// Applies the mergers of 1 January `year` (only 2025 is known) in one transaction; with
/// `dry_run` the transaction is rolled back and the report says what would change.
pub async fn apply_mergers(
    db: &DatabaseConnection,
    year: i32,
    actor: &MergerActor,
    dry_run: bool,
) -> Result<MergerReport, MergerError> {
    check_year(year)?;
    let txn = crate::db::begin_write(db).await?;
    let mut report = MergerReport {
        year,
        dry_run,
        ..MergerReport::default()
    };
    let mergers = mergers(&txn, year).await?;
    // Old municipality id -> (the old municipality, its successor).
    let mut successor_of: HashMap<i64, (Named, Named)> = HashMap::new();
    for merger in &mergers {
        for p in &merger.predecessors {
            successor_of.insert(p.id, (p.clone(), merger.successor.clone()));
        }
    }

    rebind_users(&txn, &successor_of, actor, &mut report).await?;
    move_memberships(&txn, &successor_of, actor, &mut report).await?;
    move_leads(&txn, &successor_of, actor, &mut report).await?;
    sum_figures(&txn, &mergers, actor, &mut report).await?;

    audit::record(
        &txn,
        entry(actor, "merger.applied", "merger", Some(year.to_string()))
            .after(serde_json::to_value(&report).unwrap_or_default())
            .details(report.summary()),
    )
    .await?;
    if dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(report)
}

fn entry(
    actor: &MergerActor,
    action: &str,
    resource_type: &str,
    resource_id: Option<String>,
) -> AuditEntry {
    AuditEntry::new(action, resource_type, resource_id)
        .by(actor.user_id, actor.label.clone())
        .from_ip(actor.ip.clone())
}

async fn rebind_users<C: ConnectionTrait>(
    db: &C,
    successor_of: &HashMap<i64, (Named, Named)>,
    actor: &MergerActor,
    report: &mut MergerReport,
) -> Result<(), DbErr> {
    let users = app_user::Entity::find()
        .filter(app_user::Column::MunicipalityId.is_in(successor_of.keys().copied()))
        .order_by_asc(app_user::Column::Id)
        .all(db)
        .await?;
    for user in users {
        let Some((old, new)) = user.municipality_id.and_then(|id| successor_of.get(&id)) else {
            continue;
        };
        let mut active: app_user::ActiveModel = user.clone().into();
        active.municipality_id = Set(Some(new.id));
        active.version = Set(user.version + 1);
        active.update(db).await?;
        audit::record(
            db,
            entry(
                actor,
                "merger.user_rebound",
                "app_user",
                Some(user.id.to_string()),
            )
            .before(serde_json::json!({ "municipality_id": old.id, "nis_code": old.nis_code }))
            .after(serde_json::json!({ "municipality_id": new.id, "nis_code": new.nis_code }))
            .details(format!(
                "{} gekoppeld aan {} in plaats van {} (fusie)",
                user.email, new, old
            )),
        )
        .await?;
        report.users_rebound += 1;
    }
    Ok(())
}

fn member_json(m: &application_member::Model) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "application_id": m.application_id,
        "call_id": m.call_id,
        "municipality_id": m.municipality_id,
        "role": m.role,
        "consent_state": m.consent_state,
    })
}

async fn move_memberships<C: ConnectionTrait>(
    db: &C,
    successor_of: &HashMap<i64, (Named, Named)>,
    actor: &MergerActor,
    report: &mut MergerReport,
) -> Result<(), DbErr> {
    let merged = application_member::Entity::find()
        .filter(application_member::Column::MunicipalityId.is_in(successor_of.keys().copied()))
        .order_by_asc(application_member::Column::ApplicationId)
        .order_by_asc(application_member::Column::Id)
        .all(db)
        .await?;
    let mut references: HashMap<i64, String> = HashMap::new();
    let mut merged_dossiers: BTreeSet<String> = BTreeSet::new();
    for member in merged {
        let Some((old, new)) = successor_of.get(&member.municipality_id) else {
            continue;
        };
        // Where the successor takes part in this call now (earlier moves included).
        let existing = application_member::Entity::find()
            .filter(application_member::Column::CallId.eq(member.call_id))
            .filter(application_member::Column::MunicipalityId.eq(new.id))
            .one(db)
            .await?;
        match existing {
            Some(other) if other.application_id == member.application_id => {
                application_member::Entity::delete_by_id(member.id)
                    .exec(db)
                    .await?;
                let mut after = member_json(&other);
                if member.role == MemberRole::Lead && other.role != MemberRole::Lead {
                    let mut active: application_member::ActiveModel = other.clone().into();
                    active.role = Set(MemberRole::Lead);
                    active.version = Set(other.version + 1);
                    let updated = active.update(db).await?;
                    after = member_json(&updated);
                }
                let reference = reference_of(db, &mut references, member.application_id).await?;
                audit::record(
                    db,
                    entry(
                        actor,
                        "merger.membership_moved",
                        "application",
                        Some(member.application_id.to_string()),
                    )
                    .before(member_json(&member))
                    .after(after)
                    .details(format!(
                        "Dossier {reference}: {old} is opgegaan in {new}, dat al deelnemer was; de deelname van {old} is samengevoegd."
                    )),
                )
                .await?;
                merged_dossiers.insert(reference);
                report.memberships_merged += 1;
            }
            Some(other) => {
                let reference = reference_of(db, &mut references, member.application_id).await?;
                let other_reference =
                    reference_of(db, &mut references, other.application_id).await?;
                report.conflicts.push(MergerConflict {
                    call_id: member.call_id,
                    application_id: member.application_id,
                    application_reference: reference,
                    municipality: old.clone(),
                    successor: new.clone(),
                    successor_application_id: other.application_id,
                    successor_application_reference: other_reference,
                });
            }
            None => {
                let mut active: application_member::ActiveModel = member.clone().into();
                active.municipality_id = Set(new.id);
                active.version = Set(member.version + 1);
                let updated = active.update(db).await?;
                let reference = reference_of(db, &mut references, member.application_id).await?;
                audit::record(
                    db,
                    entry(
                        actor,
                        "merger.membership_moved",
                        "application",
                        Some(member.application_id.to_string()),
                    )
                    .before(member_json(&member))
                    .after(member_json(&updated))
                    .details(format!(
                        "Dossier {reference}: de deelname van {old} gaat over naar {new} (fusie)."
                    )),
                )
                .await?;
                report.memberships_moved += 1;
            }
        }
    }
    report.dossiers_merged = merged_dossiers.into_iter().collect();
    Ok(())
}

async fn reference_of<C: ConnectionTrait>(
    db: &C,
    cache: &mut HashMap<i64, String>,
    application_id: i64,
) -> Result<String, DbErr> {
    if let Some(r) = cache.get(&application_id) {
        return Ok(r.clone());
    }
    let reference = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .map(|a| a.reference)
        .unwrap_or_else(|| format!("#{application_id}"));
    cache.insert(application_id, reference.clone());
    Ok(reference)
}

/// A dossier led by a merged municipality gets the successor as lead, unless the old
/// municipality still takes part in it (a conflict left for an admin).
async fn move_leads<C: ConnectionTrait>(
    db: &C,
    successor_of: &HashMap<i64, (Named, Named)>,
    actor: &MergerActor,
    report: &mut MergerReport,
) -> Result<(), DbErr> {
    let led = application::Entity::find()
        .filter(application::Column::LeadMunicipalityId.is_in(successor_of.keys().copied()))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    for dossier in led {
        let Some((old, new)) = dossier
            .lead_municipality_id
            .and_then(|id| successor_of.get(&id))
        else {
            continue;
        };
        let still_member = application_member::Entity::find()
            .filter(application_member::Column::ApplicationId.eq(dossier.id))
            .filter(application_member::Column::MunicipalityId.eq(old.id))
            .one(db)
            .await?
            .is_some();
        if still_member {
            continue;
        }
        let mut active: application::ActiveModel = dossier.clone().into();
        active.lead_municipality_id = Set(Some(new.id));
        active.version = Set(dossier.version + 1);
        active.updated_at = Set(Utc::now());
        active.update(db).await?;
        audit::record(
            db,
            entry(
                actor,
                "merger.lead_moved",
                "application",
                Some(dossier.id.to_string()),
            )
            .before(serde_json::json!({ "lead_municipality_id": old.id, "nis_code": old.nis_code }))
            .after(serde_json::json!({ "lead_municipality_id": new.id, "nis_code": new.nis_code }))
            .details(format!(
                "Dossier {}: {new} is trekker in plaats van {old} (fusie).",
                dossier.reference
            )),
        )
        .await?;
        report.leads_moved += 1;
    }
    Ok(())
}

/// Distinct sources, in order of first appearance, joined for a source text.
fn join_sources<'a>(sources: impl Iterator<Item = Option<&'a String>>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for s in sources.flatten() {
        if !seen.contains(&s.as_str()) {
            seen.push(s.as_str());
        }
    }
    if seen.is_empty() {
        "onbekend".to_owned()
    } else {
        seen.join("; ")
    }
}

fn figure_json(f: &population_figure::Model) -> serde_json::Value {
    serde_json::json!({
        "id": f.id,
        "municipality_id": f.municipality_id,
        "reference_year": f.reference_year,
        "residents": f.residents,
        "non_eu15_residents": f.non_eu15_residents,
        "non_eu15_fictitious": f.non_eu15_fictitious,
    })
}

/// The merger as the domain's rule reads it: the predecessors with their figures of
/// `reference_year` (`parts`, in the same order), merged on 1 January of `merger_year`.
fn domain_merger(
    predecessors: &[Named],
    parts: &[&population_figure::Model],
    merger_year: i32,
    reference_year: ReferenceYear,
) -> DomainMerger {
    let figure = |value: Option<i64>, source: &Option<String>, fictitious: bool| {
        Some(Figure {
            value: u64::try_from(value?).ok()?,
            year: reference_year,
            source: source.clone().unwrap_or_default(),
            fictitious,
        })
    };
    DomainMerger {
        merged_on: NaiveDate::from_ymd_opt(merger_year, 1, 1).unwrap_or(NaiveDate::MIN),
        former: predecessors
            .iter()
            .zip(parts)
            .map(|(p, f)| {
                Some(Former {
                    nis_code: u32::try_from(p.nis_code).ok().and_then(NisCode::new)?,
                    name: p.name.clone(),
                    residents: figure(f.residents, &f.residents_source, false),
                    non_eu15: figure(
                        f.non_eu15_residents,
                        &f.non_eu15_source,
                        f.non_eu15_fictitious,
                    ),
                })
            })
            // A code the domain refuses (never in the seeds) leaves no former municipalities,
            // and so no sum.
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default(),
    }
}

async fn sum_figures<C: ConnectionTrait>(
    db: &C,
    mergers: &[Merger],
    actor: &MergerActor,
    report: &mut MergerReport,
) -> Result<(), DbErr> {
    let figures = population_figure::Entity::find()
        .order_by_asc(population_figure::Column::ReferenceYear)
        .all(db)
        .await?;
    // (municipality id, reference year) -> figure.
    let by_key: HashMap<(i64, i32), &population_figure::Model> = figures
        .iter()
        .map(|f| ((f.municipality_id, f.reference_year), f))
        .collect();
    let years: BTreeSet<i32> = figures.iter().map(|f| f.reference_year).collect();
    let now = Utc::now();
    for merger in mergers {
        if merger.continuing {
            let historic: Vec<String> = years
                .iter()
                .filter(|y| by_key.contains_key(&(merger.successor.id, **y)))
                .map(i32::to_string)
                .collect();
            let absorbed: Vec<String> = merger.predecessors.iter().map(Named::to_string).collect();
            report.warnings.push(format!(
                "{} behoudt zijn NIS-code en neemt {} op. Zijn bevolkingscijfers{} gelden voor {} alleen, van vóór de fusie; ze zijn niet aangepast. De oordelen van een oproep op de kaart van 2025 tellen voor die jaren de cijfers van alle vroegere gemeenten op, of hebben geen cijfer zolang er een ontbreekt. Importeer cijfers van na de fusie.",
                merger.successor,
                absorbed.join(", "),
                if historic.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", historic.join(", "))
                },
                merger.successor.name
            ));
            continue;
        }
        let codes: Vec<String> = merger
            .predecessors
            .iter()
            .map(|p| p.nis_code.to_string())
            .collect();
        for year in &years {
            if by_key.contains_key(&(merger.successor.id, *year)) {
                continue;
            }
            let parts: Option<Vec<&population_figure::Model>> = merger
                .predecessors
                .iter()
                .map(|p| by_key.get(&(p.id, *year)).copied())
                .collect();
            let Some(parts) = parts.filter(|p| !p.is_empty()) else {
                continue;
            };
            let Some(reference_year) = u16::try_from(*year).ok().and_then(ReferenceYear::new)
            else {
                continue;
            };
            let rule = domain_merger(&merger.predecessors, &parts, report.year, reference_year);
            let sum = |kind: FigureKind| match rule.figure(kind, reference_year) {
                MergedFigure::Sum(figure) => i64::try_from(figure.value).ok(),
                MergedFigure::Own | MergedFigure::Incomplete(_) => None,
            };
            let residents = sum(FigureKind::Residents);
            let non_eu15 = sum(FigureKind::NonEu15);
            if residents.is_none() && non_eu15.is_none() {
                continue;
            }
            let prefix = format!("Som van de fusiegemeenten ({})", codes.join(", "));
            let residents_source = residents.map(|_| {
                format!(
                    "{prefix}, bron: {}",
                    join_sources(parts.iter().map(|f| f.residents_source.as_ref()))
                )
            });
            let non_eu15_source = non_eu15.map(|_| {
                format!(
                    "{prefix}, bron: {}",
                    join_sources(parts.iter().map(|f| f.non_eu15_source.as_ref()))
                )
            });
            let fictitious = non_eu15.is_some() && parts.iter().any(|f| f.non_eu15_fictitious);
            let inserted = population_figure::ActiveModel {
                municipality_id: Set(merger.successor.id),
                reference_year: Set(*year),
                residents: Set(residents),
                residents_source: Set(residents_source),
                non_eu15_residents: Set(non_eu15),
                non_eu15_source: Set(non_eu15_source),
                non_eu15_fictitious: Set(fictitious),
                imported_at: Set(now),
                version: Set(1),
                ..Default::default()
            }
            .insert(db)
            .await?;
            audit::record(
                db,
                entry(
                    actor,
                    "merger.figures_summed",
                    "population_figure",
                    Some(inserted.id.to_string()),
                )
                .before(serde_json::json!({
                    "predecessors": parts.iter().map(|f| figure_json(f)).collect::<Vec<_>>(),
                }))
                .after(figure_json(&inserted))
                .details(format!(
                    "Bevolkingscijfers {year} van {} opgeteld uit {}.",
                    merger.successor,
                    codes.join(", ")
                )),
            )
            .await?;
            report.figures_summed += 1;
        }
    }
    Ok(())
}
