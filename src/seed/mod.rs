//! Seeds: the reference data every installation needs (municipalities, mergers, reference
//! regions, Statbel population, the action catalog, partner organisations, the 2022-2024 call)
//! and the demo data (accounts, fictitious non-EU15 figures). Loaded by the app, never by
//! migrations; every step inserts only what is missing, so running it twice changes nothing.

mod demo_followup;
mod files;
pub mod load;
pub mod reach_lines;
mod reference;

use std::fmt;

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

pub use files::statbel_source;

/// The password of every demo account. Printed at start-up; only ever used with demo data.
pub const DEMO_PASSWORD: &str = "samenleven-demo";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seedbestand {file} is ongeldig: {reason}")]
    BadFile { file: &'static str, reason: String },
    #[error("seedbestand {file} verwijst naar onbekende {what} {key}")]
    Dangling {
        file: &'static str,
        what: &'static str,
        key: String,
    },
    #[error("demo-account kon niet aangemaakt worden")]
    Account(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What a seed run inserted; all zeros on a second run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub regions: usize,
    pub municipalities: usize,
    pub memberships: usize,
    pub population_figures: usize,
    pub partner_organisations: usize,
    pub actions: usize,
    pub calls: usize,
    pub call_actions: usize,
    pub demo_figures: usize,
    pub demo_accounts: usize,
    /// DEMO: approved dossiers with their follow-up (fictitious).
    pub demo_dossiers: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Nieuw geladen:")?;
        writeln!(f, "  referentieregio's        {}", self.regions)?;
        writeln!(f, "  gemeenten                {}", self.municipalities)?;
        writeln!(f, "  regio-lidmaatschappen    {}", self.memberships)?;
        writeln!(f, "  bevolkingscijfers        {}", self.population_figures)?;
        writeln!(
            f,
            "  partnerorganisaties      {}",
            self.partner_organisations
        )?;
        writeln!(f, "  acties                   {}", self.actions)?;
        writeln!(f, "  oproepen                 {}", self.calls)?;
        writeln!(f, "  acties in oproepen       {}", self.call_actions)?;
        writeln!(f, "  fictieve demo-cijfers    {}", self.demo_figures)?;
        writeln!(f, "  demo-accounts            {}", self.demo_accounts)?;
        write!(f, "  demo-dossiers (fictief)  {}", self.demo_dossiers)
    }
}

/// Loads the reference data, in one transaction.
pub async fn load_reference(db: &DatabaseConnection) -> Result<SeedReport, SeedError> {
    let txn = crate::db::begin_write(db).await?;
    let mut report = SeedReport::default();
    reference::load(&txn, &mut report).await?;
    txn.commit().await?;
    Ok(report)
}

/// Loads the reference data and, when `demo` is set, the demo data.
pub async fn load_all(db: &DatabaseConnection, demo: bool) -> Result<SeedReport, SeedError> {
    let txn = crate::db::begin_write(db).await?;
    let mut report = SeedReport::default();
    reference::load(&txn, &mut report).await?;
    if demo {
        reference::load_demo(&txn, &mut report).await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// DEMO ONLY: the approved demo dossiers with their follow-up (fictitious amounts and values),
/// in one transaction; a municipality already in a dossier is skipped, so running it twice
/// changes nothing. Returns how many dossiers it added. Needs the demo accounts.
pub async fn load_demo_followup(db: &DatabaseConnection) -> Result<usize, SeedError> {
    let txn = crate::db::begin_write(db).await?;
    let mut report = SeedReport::default();
    demo_followup::load(&txn, &mut report).await?;
    txn.commit().await?;
    Ok(report.demo_dossiers)
}

/// At start-up: the reference data always; the demo data only on a database without accounts,
/// so a production database that has real users never gets demo accounts. With the demo data
/// come the approved demo dossiers of the follow-up, unless `demo_followup` is off.
pub async fn ensure_loaded(
    db: &DatabaseConnection,
    seed_demo: bool,
    demo_followup: bool,
) -> Result<SeedReport, SeedError> {
    let has_users = entity::app_user::Entity::find().count(db).await? > 0;
    let mut report = load_all(db, seed_demo && !has_users).await?;
    if seed_demo && !has_users && demo_followup {
        report.demo_dossiers = load_demo_followup(db).await?;
    }
    if report != SeedReport::default() {
        tracing::info!(?report, "seed data loaded");
    }
    Ok(report)
}

/// The demo accounts that exist in this database, with a description, for the start-up banner.
pub async fn demo_accounts_present(
    db: &DatabaseConnection,
) -> Result<Vec<(String, String)>, SeedError> {
    let accounts = reference::demo_accounts()?;
    let emails: Vec<String> = accounts.iter().map(|a| a.email.clone()).collect();
    let present: Vec<String> = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Email.is_in(emails))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    Ok(accounts
        .into_iter()
        .filter(|a| present.contains(&a.email))
        .map(|a| (a.email.clone(), a.describe()))
        .collect())
}
