//! The command line: `samenleven [serve|migrate|seed|import-population|create-user|apply-mergers|
//! create-api-token|backup|restore|seed-load]`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Config, Sources};
use crate::startup::{Application, shutdown_signal};
use crate::{accounts, backup, db, import, mergers, seed, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "samenleven",
    version,
    about = "Aanvraag- en opvolgingsplatform voor de provisie Samenleven"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, load reference data (and demo data on an empty database), and serve (default).
    Serve,
    /// Bring the database schema up to date and stop.
    Migrate,
    /// Load the reference data and, with --demo, the demo accounts and fictitious figures.
    /// Running it twice changes nothing.
    Seed {
        /// Also load the demo accounts and the fictitious non-EU15 figures.
        #[arg(long)]
        demo: bool,
    },
    /// Import population figures from a CSV file with the columns
    /// `nis_code,residents,non_eu15_residents` (either figure may be empty).
    /// Every row is checked first; if any row is bad nothing is imported.
    ImportPopulation {
        file: PathBuf,
        /// The reference year of the figures (e.g. 2022).
        #[arg(long)]
        year: i32,
        /// Where the figures come from, kept with every figure (e.g. "Statistiek Vlaanderen, 2022").
        #[arg(long)]
        source: String,
    },
    /// Import organisation codes (ACM/IDM) of municipalities and partner organisations from a
    /// CSV with `org_code` and `nis_code` or `partner_code`; all or nothing.
    ImportOrgCodes { file: PathBuf },
    /// Create an account. Without --password a random one is generated and printed once.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// official, reviewer or admin
        #[arg(long)]
        role: String,
        /// For officials of a municipality: its NIS code.
        #[arg(long)]
        municipality: Option<i32>,
        /// For officials of a partner organisation: its code (VGC, DERAND).
        #[arg(long)]
        partner: Option<String>,
        /// Read the password from this environment variable instead of generating one.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Apply the municipal mergers of 1 January of --year (only 2025 is known): officials,
    /// dossier memberships and leads move to the new municipality, and summed population figures
    /// are added for it. Running it twice changes nothing. Conflicts are reported, not forced.
    ApplyMergers {
        /// The year the new municipal map starts (2025).
        #[arg(long)]
        year: i32,
        /// Only show what would change; nothing is written.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create a personal API token for an existing, active account and print it once (only its
    /// hash is stored). The token acts as that account, with its role and organisation.
    CreateApiToken {
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
        /// A name for the token, e.g. the application that uses it.
        #[arg(long)]
        name: String,
    },
    /// Write a consistent backup of the database to FILE while the app keeps running: SQLite
    /// with VACUUM INTO, PostgreSQL with pg_dump --format=custom. FILE must not exist yet.
    /// Attachments (DATA_DIR/uploads) are files: copy that directory after the backup.
    Backup { file: PathBuf },
    /// Restore a backup made by `backup` into the configured database (created when missing),
    /// after checking that it is a Samenleven backup this version can read. A database in use
    /// (accounts, dossiers, signed-in users, other connections) is only replaced with --force.
    Restore {
        file: PathBuf,
        /// Replace the data of a database that is in use.
        #[arg(long)]
        force: bool,
    },
    /// Fill a TEST database with a large fictitious dataset for load tests: an official per
    /// municipality, reviewers, and --dossiers dossiers over calls copied from the seeded call
    /// (with members, actions, KPIs, reviews, decisions and progress reports with KPI results).
    /// Refuses a database with real accounts. All accounts use the demo password.
    SeedLoad {
        /// How many dossiers to make (0: only the accounts).
        #[arg(long, default_value_t = 10_000)]
        dossiers: usize,
        /// Over how many calls (default: the fewest that fit, since a municipality is in at
        /// most one dossier per call).
        #[arg(long)]
        calls: Option<usize>,
    },
}

/// Runs one command to completion.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&Sources::from_env()?).context("configuratie")?;
    telemetry::init(config.log_json);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    runtime.block_on(run_command(cli.command.unwrap_or(Command::Serve), config))
}

async fn run_command(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            println!("Database is bijgewerkt ({}).", db::backend_name(&db));
            Ok(())
        }
        Command::Seed { demo } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            let mut report = seed::load_all(&db, demo).await?;
            if demo && config.seed_demo_followup {
                report.demo_dossiers = seed::load_demo_followup(&db).await?;
            }
            println!("{report}");
            Ok(())
        }
        Command::ImportPopulation { file, year, source } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("kan {} niet lezen", file.display()))?;
            match import::import_population(&db, &text, year, &source).await? {
                Ok(summary) => {
                    println!("{summary}");
                    Ok(())
                }
                Err(rejection) => {
                    eprintln!("{rejection}");
                    anyhow::bail!("niets geïmporteerd")
                }
            }
        }
        Command::ImportOrgCodes { file } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("kan {} niet lezen", file.display()))?;
            let abb = config
                .oidc
                .as_ref()
                .map(|o| o.abb_org_codes.clone())
                .unwrap_or_default();
            let actor = format!("samenleven import-org-codes {}", file.display());
            match crate::org_codes::import_org_codes(&db, &text, &abb, &actor).await? {
                Ok(summary) => {
                    println!("{summary}");
                    Ok(())
                }
                Err(rejection) => {
                    eprintln!("{rejection}");
                    anyhow::bail!("niets geïmporteerd")
                }
            }
        }
        Command::CreateUser {
            email,
            name,
            role,
            municipality,
            partner,
            password_env,
        } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            seed::load_reference(&db).await?;
            let (password, generated) = match password_env {
                Some(var) => (
                    std::env::var(&var).with_context(|| format!("variabele {var} ontbreekt"))?,
                    false,
                ),
                None => (accounts::generate_password(), true),
            };
            let user = accounts::create_user(
                &db,
                accounts::NewUser {
                    email,
                    name,
                    role,
                    municipality_nis: municipality,
                    partner_code: partner,
                    password: Some(password.clone()),
                },
            )
            .await?;
            println!("Account {} aangemaakt (id {}).", user.email, user.id);
            if generated {
                println!("Eenmalig wachtwoord: {password}");
            }
            Ok(())
        }
        Command::ApplyMergers { year, dry_run } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            seed::load_reference(&db).await?;
            let actor = mergers::MergerActor::system("systeem (opdrachtregel apply-mergers)");
            match mergers::apply_mergers(&db, year, &actor, dry_run).await {
                Ok(report) => {
                    print!("{report}");
                    Ok(())
                }
                Err(err) => {
                    eprintln!("{err}");
                    anyhow::bail!("de fusies zijn niet toegepast")
                }
            }
        }
        Command::CreateApiToken { email, name } => {
            let db = db::connect(config.database_url.expose()).await?;
            db::migrate(&db).await?;
            let (row, token) = create_api_token(&db, &email, &name).await?;
            println!(
                "API-sleutel \"{}\" aangemaakt (id {}) voor {email}.",
                row.name, row.id
            );
            println!("{token}");
            Ok(())
        }
        Command::Backup { file } => run_backup(config, file).await,
        Command::Restore { file, force } => run_restore(config, file, force).await,
        Command::SeedLoad { dossiers, calls } => run_seed_load(config, dossiers, calls).await,
    }
}

/// Creates a token for the active account with `email`, audited as done by the operator.
async fn create_api_token(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    name: &str,
) -> anyhow::Result<(entity::api_token::Model, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let email =
        accounts::normalise_email(email).map_err(|_| anyhow::anyhow!("ongeldig e-mailadres"))?;
    let name = crate::store::api_tokens::check_name(name).map_err(|m| anyhow::anyhow!(m))?;
    let user = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Email.eq(email.clone()))
        .one(db)
        .await?
        .filter(|u| u.active)
        .with_context(|| format!("geen actief account met e-mailadres {email}"))?;
    let txn = db::begin_write(db).await?;
    let (row, token) =
        crate::store::api_tokens::create(&txn, user.id, &name, chrono::Utc::now()).await?;
    crate::audit::record(
        &txn,
        crate::audit::AuditEntry::new("api_token.created", "api_token", Some(row.id.to_string()))
            .by(None, "systeem (opdrachtregel create-api-token)")
            .after(serde_json::json!({"name": row.name, "user_id": user.id})),
    )
    .await?;
    txn.commit().await?;
    Ok((row, token))
}

async fn run_backup(config: Config, file: PathBuf) -> anyhow::Result<()> {
    let summary = backup::backup(config.database_url.expose(), &file).await?;
    println!("{summary}");
    println!(
        "Bijlagen staan als bestanden in {}: kopieer die map nu ook (bv. rsync -a).",
        config.upload_dir().display()
    );
    Ok(())
}

async fn run_restore(config: Config, file: PathBuf, force: bool) -> anyhow::Result<()> {
    let summary = backup::restore(
        config.database_url.expose(),
        &file,
        backup::RestoreOptions { force },
    )
    .await?;
    println!("{summary}");
    println!(
        "Zet ook de bijlagen van dezelfde back-up terug in {}.",
        config.upload_dir().display()
    );
    Ok(())
}

async fn run_seed_load(
    config: Config,
    dossiers: usize,
    calls: Option<usize>,
) -> anyhow::Result<()> {
    let db = db::connect(config.database_url.expose()).await?;
    db::migrate(&db).await?;
    seed::load_reference(&db).await?;
    let started = std::time::Instant::now();
    let report = seed::load::seed_load(&db, seed::load::LoadOptions { dossiers, calls }).await?;
    println!("{report}");
    println!("Klaar in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(database = %config.database_url_for_logs(), "starting Samenleven");
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    let demo_accounts = seed::demo_accounts_present(&app.state().db).await?;
    println!();
    println!("Samenleven draait op http://{addr}/");
    if !demo_accounts.is_empty() {
        println!(
            "Demo-accounts (wachtwoord voor allemaal: {}):",
            seed::DEMO_PASSWORD
        );
        for (email, description) in demo_accounts {
            println!("  {email:<42} {description}");
        }
        println!("De cijfers over niet-EU15-herkomst in de demo zijn FICTIEF.");
    }
    println!("Stoppen: Ctrl-C");
    println!();
    app.run_until(shutdown_signal()).await?;
    Ok(())
}
