//! `samenleven seed-load`: a large, **fictitious** dataset for load tests and benchmarks.
//!
//! It adds one official per municipality of the call's map (the 300 municipalities of
//! 2019-2024), three reviewers, and `dossiers` dossiers spread over calls copied from the seeded
//! call "Provisie Samenleven 2022-2024". A municipality is in at most one dossier per call, so
//! 10,000 dossiers need about 40 calls; without `--calls` the command takes the smallest number
//! that fits. Every call but the newest is closed and holds decided dossiers (approved, partly
//! approved, rejected, withdrawn) with decisions, accepted interim reports and year reports with
//! KPI results; the newest call is open and holds drafts, submitted dossiers, dossiers in review,
//! change requests and resubmissions. Every dossier has one to four actions with a reach KPI and
//! often a second KPI, and cooperation dossiers have two members.
//!
//! Rows are inserted in batches with ids assigned here, one transaction per call, so it takes
//! seconds on SQLite and PostgreSQL. Every title, call and account says FICTIEF, and the command
//! refuses a database that holds accounts outside the `.samenleven.test` demo domain: it is
//! meant for test databases only. The accounts use the demo password.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};

use entity::application::{ApplicationKind, ApplicationState};
use entity::application_member::{ConsentState, MemberRole};
use entity::decision::DecisionOutcome;
use entity::progress_report::{ReportKind, ReportState};
use entity::{
    app_user, application, application_action, application_member, application_snapshot, call,
    call_action, call_named_applicant, call_project_year, change_request, decision, decision_line,
    kpi, kpi_result, message, progress_report, review,
};

use super::SeedError;

/// Domain of the load-test accounts.
pub const LOAD_EMAIL_DOMAIN: &str = "load.samenleven.test";
/// Prefix of the codes of the calls this command makes.
pub const LOAD_CALL_PREFIX: &str = "LOAD-";
/// The call the load calls are copied from.
const TEMPLATE_CALL: &str = "PS-2022-2024";
/// Rows per INSERT statement: well below SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 400;
/// One in this many dossiers is a cooperation (a lead and two members of its region).
const COOPERATION_EVERY: usize = 10;
/// Reviewers the dossiers are assigned to.
const REVIEWERS: usize = 3;

#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub dossiers: usize,
    pub calls: Option<usize>,
}

/// What `seed-load` inserted.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub officials: usize,
    pub reviewers: usize,
    pub calls: usize,
    pub dossiers: usize,
    pub members: usize,
    pub actions: usize,
    pub kpis: usize,
    pub decisions: usize,
    pub progress_reports: usize,
    pub kpi_results: usize,
    pub by_state: Vec<(String, usize)>,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Belastingstestgegevens geladen (FICTIEF, alleen voor testdatabases):"
        )?;
        writeln!(
            f,
            "  ambtenaren               {} (gemeente-<NIS>@{LOAD_EMAIL_DOMAIN})",
            self.officials
        )?;
        writeln!(
            f,
            "  beoordelaars             {} (beoordelaar-<n>@{LOAD_EMAIL_DOMAIN})",
            self.reviewers
        )?;
        writeln!(f, "  oproepen                 {}", self.calls)?;
        writeln!(f, "  dossiers                 {}", self.dossiers)?;
        for (state, n) in &self.by_state {
            writeln!(f, "    {state:<22} {n}")?;
        }
        writeln!(f, "  deelnemers               {}", self.members)?;
        writeln!(f, "  acties                   {}", self.actions)?;
        writeln!(f, "  KPI's                    {}", self.kpis)?;
        writeln!(f, "  beslissingen             {}", self.decisions)?;
        writeln!(f, "  voortgangsrapporten      {}", self.progress_reports)?;
        writeln!(f, "  KPI-resultaten           {}", self.kpi_results)?;
        write!(
            f,
            "  wachtwoord van alle accounts: {}",
            super::DEMO_PASSWORD
        )
    }
}

/// A small deterministic generator (SplitMix64), so two runs give the same dataset.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One municipality of the call's map.
#[derive(Debug, Clone)]
struct Place {
    id: i64,
    nis: i32,
    name: String,
    region: String,
}

/// The template call with its children.
struct Template {
    call: call::Model,
    years: Vec<call_project_year::Model>,
    named: Vec<call_named_applicant::Model>,
    actions: Vec<call_action::Model>,
}

/// Next free ids per table, assigned here so children can point at parents without a round
/// trip per row.
#[derive(Default)]
struct Ids(HashMap<&'static str, i64>);

impl Ids {
    async fn load<C: ConnectionTrait>(db: &C, tables: &[&'static str]) -> Result<Self, DbErr> {
        let mut ids = HashMap::new();
        for table in tables {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}"),
                ))
                .await?;
            let max = row.map(|r| r.try_get::<i64>("", "n")).transpose()?;
            ids.insert(*table, max.unwrap_or(0) + 1);
        }
        Ok(Self(ids))
    }

    fn take(&mut self, table: &'static str) -> i64 {
        let next = self.0.entry(table).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }
}

const TABLES: [&str; 14] = [
    "app_user",
    "call",
    "call_project_year",
    "call_named_applicant",
    "call_action",
    "application",
    "application_member",
    "application_action",
    "kpi",
    "application_snapshot",
    "review",
    "message",
    "change_request",
    "decision",
];
const MORE_TABLES: [&str; 3] = ["decision_line", "progress_report", "kpi_result"];

/// Everything one call's batch inserts.
#[derive(Default)]
struct Batch {
    applications: Vec<application::ActiveModel>,
    members: Vec<application_member::ActiveModel>,
    actions: Vec<application_action::ActiveModel>,
    kpis: Vec<kpi::ActiveModel>,
    snapshots: Vec<application_snapshot::ActiveModel>,
    reviews: Vec<review::ActiveModel>,
    messages: Vec<message::ActiveModel>,
    change_requests: Vec<change_request::ActiveModel>,
    decisions: Vec<decision::ActiveModel>,
    decision_lines: Vec<decision_line::ActiveModel>,
    reports: Vec<progress_report::ActiveModel>,
    kpi_results: Vec<kpi_result::ActiveModel>,
}

/// How many dossiers fit in one call: groups of one municipality, and every
/// `COOPERATION_EVERY`-th group a cooperation of three from one region.
fn groups_for_call(places: &[Place], call_index: usize) -> Vec<Vec<usize>> {
    let mut by_region: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in places.iter().enumerate() {
        match by_region.iter_mut().find(|(r, _)| *r == p.region) {
            Some((_, list)) => list.push(i),
            None => by_region.push((p.region.clone(), vec![i])),
        }
    }
    let mut groups = Vec::new();
    let mut counter = call_index;
    for (_, list) in by_region {
        // Rotate per call, so the leads and members differ from call to call.
        let shift = if list.is_empty() {
            0
        } else {
            call_index % list.len()
        };
        let rotated: Vec<usize> = list[shift..]
            .iter()
            .chain(list[..shift].iter())
            .copied()
            .collect();
        let mut at = 0;
        while at < rotated.len() {
            counter += 1;
            let size = if counter.is_multiple_of(COOPERATION_EVERY) && rotated.len() - at >= 3 {
                3
            } else {
                1
            };
            groups.push(rotated[at..at + size].to_vec());
            at += size;
        }
    }
    groups
}

/// Fills the database with the fictitious load dataset.
pub async fn seed_load(
    db: &DatabaseConnection,
    options: LoadOptions,
) -> Result<LoadReport, SeedError> {
    refuse_real_database(db).await?;
    let template = template(db).await?;
    let places = places(db, &template.call).await?;
    if places.is_empty() {
        return Err(SeedError::BadFile {
            file: "seed-load",
            reason: "de oproep heeft geen gemeenten op haar kaart".into(),
        });
    }
    // Each call holds at most one dossier per municipality: the fewest calls that fit.
    let per_call = groups_for_call(&places, 0).len();
    let mut needed = 0;
    let mut capacity = 0;
    while capacity < options.dossiers {
        capacity += groups_for_call(&places, needed).len();
        needed += 1;
    }
    let calls = match options.calls {
        Some(n) if n < needed => {
            return Err(SeedError::BadFile {
                file: "seed-load",
                reason: format!(
                    "{} dossiers passen niet in {n} oproepen: een gemeente zit in hoogstens één dossier per oproep, \
                     dus een oproep telt hier hoogstens {per_call} dossiers; er zijn er minstens {needed} nodig",
                    options.dossiers
                ),
            });
        }
        Some(n) => n,
        None => needed,
    };
    let groups: Vec<Vec<Vec<usize>>> = (0..calls).map(|i| groups_for_call(&places, i)).collect();

    let mut report = LoadReport::default();
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let all_tables: Vec<&'static str> = TABLES.iter().chain(MORE_TABLES.iter()).copied().collect();
    let mut ids = Ids::load(&txn, &all_tables).await?;
    let (officials, reviewers) = accounts(&txn, &places, &mut ids, now).await?;
    report.officials = officials.len();
    report.reviewers = reviewers.len();
    txn.commit().await?;

    let mut by_state: HashMap<ApplicationState, usize> = HashMap::new();
    let mut left = options.dossiers;
    let mut mix = Mix(0x5A3E_11E4);
    for index in 0..calls {
        let open = index + 1 == calls;
        // Spread what is left evenly over the remaining calls, but never leave more than the
        // later calls can hold.
        let later: usize = groups[index + 1..].iter().map(Vec::len).sum();
        let here = left
            .div_ceil(calls - index)
            .max(left.saturating_sub(later))
            .min(groups[index].len());
        left -= here;
        let txn = crate::db::begin_write(db).await?;
        let (call, call_actions) =
            copy_call(&txn, &template, index, calls, open, &mut ids, now).await?;
        let mut batch = Batch::default();
        for (n, group) in groups[index].iter().take(here).enumerate() {
            let state = pick_state(&mut mix, open);
            *by_state.entry(state).or_default() += 1;
            dossier(
                &mut batch,
                &mut ids,
                &mut mix,
                Dossier {
                    call: &call,
                    call_actions: &call_actions,
                    template: &template,
                    places: &places,
                    group,
                    number: n + 1,
                    state,
                    officials: &officials,
                    reviewers: &reviewers,
                },
                now,
            );
        }
        report.dossiers += batch.applications.len();
        report.members += batch.members.len();
        report.actions += batch.actions.len();
        report.kpis += batch.kpis.len();
        report.decisions += batch.decisions.len();
        report.progress_reports += batch.reports.len();
        report.kpi_results += batch.kpi_results.len();
        insert_batch(&txn, batch).await?;
        txn.commit().await?;
        report.calls += 1;
    }
    bump_sequences(db, &all_tables).await?;
    let mut states: Vec<(String, usize)> = by_state
        .into_iter()
        .map(|(s, n)| (crate::web::dossiers::state_label(s).to_owned(), n))
        .collect();
    states.sort();
    report.by_state = states;
    Ok(report)
}

/// Refuses a database with accounts outside the demo domain, and one already loaded.
async fn refuse_real_database(db: &DatabaseConnection) -> Result<(), SeedError> {
    let real = app_user::Entity::find()
        .filter(app_user::Column::Email.not_like("%.samenleven.test"))
        .count(db)
        .await?;
    if real > 0 {
        return Err(SeedError::BadFile {
            file: "seed-load",
            reason: format!(
                "de database heeft {real} echte account(s): seed-load is alleen voor testdatabases"
            ),
        });
    }
    let loaded = call::Entity::find()
        .filter(call::Column::Code.starts_with(LOAD_CALL_PREFIX))
        .count(db)
        .await?;
    if loaded > 0 {
        return Err(SeedError::BadFile {
            file: "seed-load",
            reason: "de belastingstestgegevens zijn al geladen in deze database".into(),
        });
    }
    Ok(())
}

async fn template(db: &DatabaseConnection) -> Result<Template, SeedError> {
    let call = call::Entity::find()
        .filter(call::Column::Code.eq(TEMPLATE_CALL))
        .one(db)
        .await?
        .ok_or_else(|| SeedError::Dangling {
            file: "seed-load",
            what: "oproep",
            key: TEMPLATE_CALL.into(),
        })?;
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call.id))
        .all(db)
        .await?;
    let named = call_named_applicant::Entity::find()
        .filter(call_named_applicant::Column::CallId.eq(call.id))
        .all(db)
        .await?;
    let mut actions = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call.id))
        .all(db)
        .await?;
    actions.sort_by_key(|a| a.id);
    Ok(Template {
        call,
        years,
        named,
        actions,
    })
}

/// The municipalities of the call's map, sorted by region and NIS code.
async fn places(db: &DatabaseConnection, template: &call::Model) -> Result<Vec<Place>, SeedError> {
    let on = template.submission_opens_at.date_naive();
    let (directory, ids) = crate::store::rules::directory(db, template.reference_year, on).await?;
    let mut places: Vec<Place> = directory
        .iter()
        .filter_map(|m| {
            Some(Place {
                id: *ids.get(&m.nis_code)?,
                nis: i32::try_from(m.nis_code.get()).ok()?,
                name: m.name.clone(),
                region: m.region_code.as_str().to_owned(),
            })
        })
        .collect();
    places.sort_by(|a, b| a.region.cmp(&b.region).then(a.nis.cmp(&b.nis)));
    Ok(places)
}

/// One official per municipality and three reviewers, all with the demo password.
async fn accounts<C: ConnectionTrait>(
    db: &C,
    places: &[Place],
    ids: &mut Ids,
    now: DateTime<Utc>,
) -> Result<(HashMap<i64, i64>, Vec<i64>), SeedError> {
    let hash = crate::accounts::hash_password_blocking(super::DEMO_PASSWORD.to_owned()).await?;
    let mut rows = Vec::new();
    let mut officials = HashMap::new();
    for p in places {
        let id = ids.take("app_user");
        officials.insert(p.id, id);
        rows.push(app_user::ActiveModel {
            id: Set(id),
            email: Set(format!("gemeente-{}@{LOAD_EMAIL_DOMAIN}", p.nis)),
            name: Set(format!("Ambtenaar {} (FICTIEF)", p.name)),
            password_hash: Set(Some(hash.clone())),
            role: Set(app_user::UserRole::Official),
            municipality_id: Set(Some(p.id)),
            partner_organisation_id: Set(None),
            active: Set(true),
            created_at: Set(now),
            last_login_at: Set(None),
            oidc_subject: Set(None),
            version: Set(1),
        });
    }
    let mut reviewers = Vec::new();
    for n in 1..=REVIEWERS {
        let id = ids.take("app_user");
        reviewers.push(id);
        rows.push(app_user::ActiveModel {
            id: Set(id),
            email: Set(format!("beoordelaar-{n}@{LOAD_EMAIL_DOMAIN}")),
            name: Set(format!("Beoordelaar {n} (FICTIEF)")),
            password_hash: Set(Some(hash.clone())),
            role: Set(app_user::UserRole::Reviewer),
            municipality_id: Set(None),
            partner_organisation_id: Set(None),
            active: Set(true),
            created_at: Set(now),
            last_login_at: Set(None),
            oidc_subject: Set(None),
            version: Set(1),
        });
    }
    insert_chunks(db, rows).await?;
    Ok((officials, reviewers))
}

/// A copy of the template call. The newest is open now; the others closed earlier. Their
/// submission windows open on or before the template's, so every copy reads the same municipal
/// map (2019-2024) as the template and its dossiers' municipalities are all on it.
async fn copy_call<C: ConnectionTrait>(
    db: &C,
    template: &Template,
    index: usize,
    calls: usize,
    open: bool,
    ids: &mut Ids,
    now: DateTime<Utc>,
) -> Result<(call::Model, Vec<i64>), DbErr> {
    let number = index + 1;
    let t = &template.call;
    let (opens, closes) = if open {
        // One day after the template, so it is the newest call (the inbox shows it first).
        (
            t.submission_opens_at + Duration::days(1),
            now + Duration::days(60),
        )
    } else {
        let first = NaiveDate::from_ymd_opt(2019, 2, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .map(|d| d.and_utc())
            .unwrap_or(t.submission_opens_at);
        let span = (t.submission_opens_at - first - Duration::days(60))
            .num_days()
            .max(1);
        let step = span / i64::try_from(calls.max(2) - 1).unwrap_or(1);
        let opens = first + Duration::days(step * i64::try_from(index).unwrap_or(0));
        (opens, opens + Duration::days(45))
    };
    let row = call::ActiveModel {
        id: Set(ids.take("call")),
        code: Set(format!("{LOAD_CALL_PREFIX}{number:02}")),
        title: Set(format!("Belastingstest-oproep {number} (FICTIEF)")),
        plan_id: Set(t.plan_id),
        state: Set(if open {
            call::CallState::Open
        } else {
            call::CallState::Closed
        }),
        period_start: Set(t.period_start),
        period_end: Set(t.period_end),
        submission_opens_at: Set(opens),
        submission_opens_illustrative: Set(true),
        submission_closes_at: Set(closes),
        reference_year: Set(t.reference_year),
        single_applicant_min_exclusive: Set(t.single_applicant_min_exclusive),
        pooled_min_inclusive: Set(t.pooled_min_inclusive),
        incentive_min_share_bp: Set(t.incentive_min_share_bp),
        cofinancing_bp: Set(t.cofinancing_bp),
        incentive_cents_per_project_year: Set(t.incentive_cents_per_project_year),
        advance_bp: Set(t.advance_bp),
        continuation_min_bp: Set(t.continuation_min_bp),
        coverage_aim_numerator: Set(t.coverage_aim_numerator),
        coverage_aim_denominator: Set(t.coverage_aim_denominator),
        notes: Set(Some(format!(
            "FICTIEF: kopie van {} voor belastingstests, aangemaakt door `samenleven seed-load`. \
             Geen echte oproep; de dossiers erin zijn verzonnen.",
            t.code
        ))),
        parameters_source: Set(t.parameters_source.clone()),
        parameters_fictitious: Set(true),
        legal_basis: Set(t.legal_basis.clone()),
        legal_basis_illustrative: Set(t.legal_basis_illustrative),
        appeal_route: Set(t.appeal_route.clone()),
        appeal_route_illustrative: Set(t.appeal_route_illustrative),
        signatory_role: Set(t.signatory_role.clone()),
        signatory_role_illustrative: Set(t.signatory_role_illustrative),
        review_days: Set(t.review_days),
        four_eyes_threshold_cents: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?;
    let years: Vec<call_project_year::ActiveModel> = template
        .years
        .iter()
        .map(|y| call_project_year::ActiveModel {
            id: Set(ids.take("call_project_year")),
            call_id: Set(row.id),
            year_number: Set(y.year_number),
            starts_on: Set(y.starts_on),
            ends_on: Set(y.ends_on),
            envelope_cents: Set(y.envelope_cents),
            interim_report_due: Set(y.interim_report_due),
            year_report_due: Set(y.year_report_due),
            report_dates_illustrative: Set(y.report_dates_illustrative),
            // The load-test copies have one round: the copy's own window.
            submission_opens_at: Set(None),
            submission_closes_at: Set(None),
            version: Set(1),
        })
        .collect();
    insert_chunks(db, years).await?;
    let named: Vec<call_named_applicant::ActiveModel> = template
        .named
        .iter()
        .map(|n| call_named_applicant::ActiveModel {
            id: Set(ids.take("call_named_applicant")),
            call_id: Set(row.id),
            nis_code: Set(n.nis_code),
            name: Set(n.name.clone()),
            version: Set(1),
        })
        .collect();
    insert_chunks(db, named).await?;
    let action_ids: Vec<i64> = template
        .actions
        .iter()
        .map(|_| ids.take("call_action"))
        .collect();
    let actions: Vec<call_action::ActiveModel> = template
        .actions
        .iter()
        .zip(&action_ids)
        .map(|(a, id)| call_action::ActiveModel {
            id: Set(*id),
            call_id: Set(row.id),
            action_id: Set(a.action_id),
            unit_cost_cents: Set(a.unit_cost_cents),
            max_reach: Set(a.max_reach),
            unit_label: Set(a.unit_label.clone()),
            line_number: Set(a.line_number),
            unit_label_plural: Set(a.unit_label_plural.clone()),
            source_row: Set(a.source_row),
            theme: Set(a.theme.clone()),
            objective: Set(a.objective.clone()),
            version: Set(1),
        })
        .collect();
    insert_chunks(db, actions).await?;
    Ok((row, action_ids))
}

fn pick_state(mix: &mut Mix, open: bool) -> ApplicationState {
    let roll = mix.below(100);
    if open {
        match roll {
            0..20 => ApplicationState::Draft,
            20..55 => ApplicationState::Submitted,
            55..80 => ApplicationState::InReview,
            80..90 => ApplicationState::ChangesRequested,
            _ => ApplicationState::Resubmitted,
        }
    } else {
        match roll {
            0..70 => ApplicationState::Approved,
            70..85 => ApplicationState::PartlyApproved,
            85..95 => ApplicationState::Rejected,
            _ => ApplicationState::Withdrawn,
        }
    }
}

/// A chosen action as the decision and the reports need it: its id, its yearly grant, and its
/// KPIs with their targets.
type ActionRow = (i64, i64, Vec<(i64, i64)>);

struct Dossier<'a> {
    call: &'a call::Model,
    /// The call's own copies of the template's actions, in the template's order.
    call_actions: &'a [i64],
    template: &'a Template,
    places: &'a [Place],
    group: &'a [usize],
    number: usize,
    state: ApplicationState,
    officials: &'a HashMap<i64, i64>,
    reviewers: &'a [i64],
}

/// Adds one dossier with everything its state implies to the batch.
fn dossier(batch: &mut Batch, ids: &mut Ids, mix: &mut Mix, d: Dossier<'_>, now: DateTime<Utc>) {
    use ApplicationState as S;
    let app_id = ids.take("application");
    let lead = &d.places[d.group[0]];
    let members: Vec<&Place> = d.group[1..].iter().map(|i| &d.places[*i]).collect();
    let cooperation = !members.is_empty();
    let official = d.officials.get(&lead.id).copied();
    let reviewer = d.reviewers[d.number % d.reviewers.len()];
    let call = d.call;
    let submitted_at =
        call.submission_opens_at + Duration::hours(i64::try_from(mix.below(24 * 40)).unwrap_or(0));
    let decided_at = call.submission_closes_at + Duration::days(30);
    let title = if cooperation {
        format!(
            "Samen in de regio rond {} ({}) — FICTIEF",
            lead.name,
            members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!("Samenleven in {} — FICTIEF", lead.name)
    };
    let reference = format!("{}-{app_id:04}", call.code);
    let last_year = i32::try_from(mix.below(3)).unwrap_or(0) + 1;
    let submitted = !matches!(d.state, S::Draft);
    let reviewed = matches!(
        d.state,
        S::InReview
            | S::ChangesRequested
            | S::Resubmitted
            | S::Approved
            | S::PartlyApproved
            | S::Rejected
    );
    let decided = matches!(d.state, S::Approved | S::PartlyApproved | S::Rejected);

    // Actions and their KPIs.
    let available = d.call_actions.len().min(d.template.actions.len());
    let action_count = (1 + usize::try_from(mix.below(4)).unwrap_or(0)).min(available);
    let start = usize::try_from(mix.below(u64::try_from(available).unwrap_or(1))).unwrap_or(0);
    let mut total_grant = 0i64;
    let mut snapshot_actions = Vec::new();
    let mut action_rows: Vec<ActionRow> = Vec::new();
    let target_date = d.call.period_end;
    for rank in 0..action_count {
        let index = (start + rank) % available;
        let (call_action_id, ca) = (&d.call_actions[index], &d.template.actions[index]);
        let max_reach = u64::try_from(ca.max_reach.max(1)).unwrap_or(1);
        let planned = i32::try_from(1 + mix.below(max_reach)).unwrap_or(1);
        let baseline = i32::try_from(mix.below(u64::try_from(planned).unwrap_or(1))).unwrap_or(0);
        let grant = i64::from(planned) * ca.unit_cost_cents;
        total_grant += grant;
        let action_id = ids.take("application_action");
        let description = format!(
            "FICTIEF: aanpak {} voor {} met lokale partners (belastingstest).",
            rank + 1,
            lead.name
        );
        batch.actions.push(application_action::ActiveModel {
            id: Set(action_id),
            application_id: Set(app_id),
            call_action_id: Set(*call_action_id),
            priority_rank: Set(i32::try_from(rank + 1).unwrap_or(1)),
            baseline_reach: Set(baseline),
            planned_reach: Set(planned),
            grant_cents: Set(grant),
            own_contribution_cents: Set(grant + i64::try_from(mix.below(500_000)).unwrap_or(0)),
            own_staff_cents: Set(0),
            description: Set(description.clone()),
            partners: Set(Some("Lokale vzw's (FICTIEF)".into())),
            version: Set(1),
        });
        let mut kpi_ids = Vec::new();
        let reach_kpi = ids.take("kpi");
        kpi_ids.push((reach_kpi, i64::from(planned) * 1000));
        batch.kpis.push(kpi::ActiveModel {
            id: Set(reach_kpi),
            application_action_id: Set(action_id),
            is_reach_kpi: Set(true),
            indicator: Set(format!(
                "Bereik: aantal {}",
                crate::store::sections::plural(ca)
            )),
            unit: Set(crate::store::sections::plural(ca).to_owned()),
            baseline: Set(i64::from(baseline) * 1000),
            target: Set(i64::from(planned) * 1000),
            target_date: Set(target_date),
            measurement: Set("Telling door de gemeente, gestaafd met deelnemerslijsten.".into()),
            direction: Set("rising".into()),
            version: Set(1),
        });
        if mix.below(2) == 0 {
            let extra = ids.take("kpi");
            let target = 50_000 + i64::try_from(mix.below(40)).unwrap_or(0) * 1000;
            kpi_ids.push((extra, target));
            batch.kpis.push(kpi::ActiveModel {
                id: Set(extra),
                application_action_id: Set(action_id),
                is_reach_kpi: Set(false),
                indicator: Set("Aandeel deelnemers dat het traject afrondt (FICTIEF)".into()),
                unit: Set("procent".into()),
                baseline: Set(20_000),
                target: Set(target),
                target_date: Set(target_date),
                measurement: Set("Registratie van de trajectbegeleiders.".into()),
                direction: Set("rising".into()),
                version: Set(1),
            });
        }
        snapshot_actions.push(serde_json::json!({
            "call_action_id": call_action_id, "priority_rank": rank + 1,
            "baseline_reach": baseline, "planned_reach": planned, "grant_cents": grant,
            "description": description,
        }));
        action_rows.push((action_id, grant, kpi_ids));
    }

    batch.applications.push(application::ActiveModel {
        id: Set(app_id),
        call_id: Set(call.id),
        reference: Set(reference.clone()),
        kind: Set(if cooperation {
            ApplicationKind::Cooperation
        } else {
            ApplicationKind::Single
        }),
        lead_municipality_id: Set(Some(lead.id)),
        partner_organisation_id: Set(None),
        title: Set(title.clone()),
        summary: Set(Some(
            "FICTIEF dossier voor belastingstests: taal, ontmoeting en werk voor nieuwkomers."
                .into(),
        )),
        contact_name: Set(Some(format!("Ambtenaar {} (FICTIEF)", lead.name))),
        contact_email: Set(Some(format!("gemeente-{}@{LOAD_EMAIL_DOMAIN}", lead.nis))),
        contact_phone: Set(Some("03 000 00 00".into())),
        first_project_year: Set(1),
        last_project_year: Set(last_year),
        state: Set(d.state),
        sections_status: Set(None),
        declarations_accepted_at: Set(submitted.then_some(submitted_at)),
        assigned_reviewer_id: Set(reviewed.then_some(reviewer)),
        submitted_at: Set(submitted.then_some(submitted_at)),
        decided_at: Set(decided.then_some(decided_at)),
        // The load dossiers pass the rules (they are made to); checked when submitted.
        rule_failures: Set(0),
        rule_warnings: Set(0),
        rules_checked_at: Set(submitted.then_some(submitted_at)),
        late_submission_until: Set(None),
        created_by: Set(official),
        created_at: Set(call.submission_opens_at),
        updated_at: Set(if decided { decided_at } else { submitted_at }),
        version: Set(3),
    });
    for (role, place) in std::iter::once((MemberRole::Lead, lead))
        .chain(members.iter().map(|m| (MemberRole::Member, *m)))
    {
        batch.members.push(application_member::ActiveModel {
            id: Set(ids.take("application_member")),
            application_id: Set(app_id),
            call_id: Set(call.id),
            municipality_id: Set(place.id),
            role: Set(role),
            consent_state: Set(ConsentState::Confirmed),
            consent_at: Set(Some(call.submission_opens_at)),
            invited_at: Set(call.submission_opens_at),
            commitment_cents: Set(None),
            joined_in_year: Set(None),
            version: Set(1),
        });
    }
    if submitted {
        let snapshot = serde_json::json!({
            "reference": reference,
            "title": title,
            "summary": "FICTIEF dossier voor belastingstests.",
            "project_years": [1, last_year],
            "members": members.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
            "actions": snapshot_actions,
            "total_grant_cents": total_grant,
            "fictitious": true,
        });
        let sequences = if d.state == S::Resubmitted { 2 } else { 1 };
        for sequence in 1..=sequences {
            batch.snapshots.push(application_snapshot::ActiveModel {
                id: Set(ids.take("application_snapshot")),
                application_id: Set(app_id),
                sequence: Set(sequence),
                snapshot: Set(snapshot.to_string()),
                created_at: Set(submitted_at + Duration::days(i64::from(sequence - 1) * 7)),
                created_by: Set(official),
                cover_note: Set((sequence > 1)
                    .then(|| "FICTIEF: het bereik van de eerste actie is verduidelijkt.".into())),
            });
        }
    }
    if reviewed {
        batch.reviews.push(review::ActiveModel {
            id: Set(ids.take("review")),
            application_id: Set(app_id),
            reviewer_id: Set(reviewer),
            checklist: Set("{}".into()),
            internal_note: Set(Some("FICTIEF: notitie voor de belastingstest.".into())),
            created_at: Set(submitted_at + Duration::days(3)),
            updated_at: Set(submitted_at + Duration::days(3)),
            version: Set(1),
        });
    }
    if matches!(d.state, S::ChangesRequested | S::Resubmitted) {
        let asked = submitted_at + Duration::days(4);
        batch.change_requests.push(change_request::ActiveModel {
            id: Set(ids.take("change_request")),
            application_id: Set(app_id),
            requested_by: Set(reviewer),
            sections: Set(r#"["acties"]"#.into()),
            message: Set("FICTIEF: verduidelijk het bereik van de eerste actie.".into()),
            requested_at: Set(asked),
            resolved_at: Set((d.state == S::Resubmitted).then_some(asked + Duration::days(3))),
            answer_due_on: Set(Some(
                (asked + Duration::days(crate::domain::messages::DEFAULT_ANSWER_DAYS)).date_naive(),
            )),
            reminded_on: Set(None),
        });
        batch.messages.push(message::ActiveModel {
            id: Set(ids.take("message")),
            application_id: Set(app_id),
            author_id: Set(Some(reviewer)),
            internal: Set(false),
            from_applicant: Set(false),
            body: Set("FICTIEF: verduidelijk het bereik van de eerste actie.".into()),
            created_at: Set(asked),
        });
    }
    if decided {
        let (outcome, share_percent) = match d.state {
            S::Approved => (DecisionOutcome::Approved, 100),
            S::PartlyApproved => (DecisionOutcome::PartlyApproved, 70),
            _ => (DecisionOutcome::Rejected, 0),
        };
        let decision_id = ids.take("decision");
        let mut granted_total = 0;
        for (action_id, grant, _) in &action_rows {
            for year in 1..=last_year {
                let granted = grant * share_percent / 100;
                granted_total += granted;
                if share_percent > 0 {
                    batch.decision_lines.push(decision_line::ActiveModel {
                        id: Set(ids.take("decision_line")),
                        decision_id: Set(decision_id),
                        application_action_id: Set(*action_id),
                        year_number: Set(year),
                        granted_cents: Set(granted),
                    });
                }
            }
        }
        batch.decisions.push(decision::ActiveModel {
            id: Set(decision_id),
            application_id: Set(app_id),
            outcome: Set(outcome),
            motivation: Set("FICTIEF: beslissing voor de belastingstest.".into()),
            decided_by: Set(reviewer),
            decided_at: Set(decided_at),
            total_granted_cents: Set(granted_total),
            incentive_cents: Set(0),
            reopened_at: Set(None),
            reopened_by: Set(None),
            reopen_reason: Set(None),
            version: Set(1),
            proposed_by: Set(None),
            incentive_by_year: Set(None),
        });
        if share_percent > 0 {
            progress_reports(
                batch,
                ids,
                mix,
                d.template,
                app_id,
                reviewer,
                &action_rows,
                now,
            );
        }
    }
}

/// Year 1: an accepted interim report and a submitted or accepted year report, with a result
/// per KPI (and a motivation where the target was missed).
#[allow(clippy::too_many_arguments)]
fn progress_reports(
    batch: &mut Batch,
    ids: &mut Ids,
    mix: &mut Mix,
    template: &Template,
    app_id: i64,
    reviewer: i64,
    actions: &[ActionRow],
    now: DateTime<Utc>,
) {
    let year1 = template.years.iter().find(|y| y.year_number == 1);
    let due = |interim: bool| -> NaiveDate {
        match (year1, interim) {
            (Some(y), true) => y.interim_report_due,
            (Some(y), false) => y.year_report_due,
            (None, _) => now.date_naive(),
        }
    };
    for (kind, state, share) in [
        (ReportKind::Interim, ReportState::Accepted, 50),
        (
            ReportKind::Year,
            if mix.below(2) == 0 {
                ReportState::Submitted
            } else {
                ReportState::Accepted
            },
            100,
        ),
    ] {
        let report_id = ids.take("progress_report");
        let interim = kind == ReportKind::Interim;
        let submitted_at = due(interim)
            .and_hms_opt(10, 0, 0)
            .map(|t| t.and_utc())
            .unwrap_or(now);
        batch.reports.push(progress_report::ActiveModel {
            id: Set(report_id),
            application_id: Set(app_id),
            year_number: Set(1),
            kind: Set(kind),
            state: Set(state),
            due_on: Set(due(interim)),
            submitted_at: Set(Some(submitted_at)),
            reviewed_by: Set((state == ReportState::Accepted).then_some(reviewer)),
            reviewed_at: Set(
                (state == ReportState::Accepted).then_some(submitted_at + Duration::days(10))
            ),
            review_note: Set(None),
            version: Set(1),
        });
        for (_, _, kpis) in actions {
            for (kpi_id, target) in kpis {
                // Between 40% and 130% of the share of the target due by this report.
                let percent = 40 + i64::try_from(mix.below(91)).unwrap_or(0);
                let actual = target * share / 100 * percent / 100;
                let missed = percent < 100;
                batch.kpi_results.push(kpi_result::ActiveModel {
                    id: Set(ids.take("kpi_result")),
                    progress_report_id: Set(report_id),
                    kpi_id: Set(*kpi_id),
                    actual_value: Set(Some(actual)),
                    motivation: Set(missed.then(|| {
                        "FICTIEF: minder deelnemers dan gepland door een late start.".to_owned()
                    })),
                    // The reports of the load set are accepted with their motivations.
                    motivation_accepted: Set(missed.then_some(true)),
                    version: Set(1),
                });
            }
        }
    }
}

async fn insert_batch<C: ConnectionTrait>(db: &C, batch: Batch) -> Result<(), DbErr> {
    insert_chunks(db, batch.applications).await?;
    insert_chunks(db, batch.members).await?;
    insert_chunks(db, batch.actions).await?;
    insert_chunks(db, batch.kpis).await?;
    insert_chunks(db, batch.snapshots).await?;
    insert_chunks(db, batch.reviews).await?;
    insert_chunks(db, batch.messages).await?;
    insert_chunks(db, batch.change_requests).await?;
    insert_chunks(db, batch.decisions).await?;
    insert_chunks(db, batch.decision_lines).await?;
    insert_chunks(db, batch.reports).await?;
    insert_chunks(db, batch.kpi_results).await?;
    Ok(())
}

/// Inserts rows in statements of [`CHUNK`] rows.
async fn insert_chunks<C, A>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// On PostgreSQL the id sequences do not see ids given explicitly: move them past the largest;
/// then refresh the planner's statistics.
async fn bump_sequences(db: &DatabaseConnection, tables: &[&'static str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        ))
        .await?;
    }
    // Fresh statistics, as autovacuum would have them a minute later.
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
