//! Backups of the database: `samenleven backup FILE` and `samenleven restore FILE`.
//!
//! - **SQLite**: `VACUUM INTO` writes a consistent snapshot of the live database (it reads in
//!   one transaction, so it is consistent under WAL while the app keeps serving) into a new,
//!   self-contained file. `restore` checks the file (SQLite integrity check, a Samenleven
//!   schema, migrations this version knows), brings a copy of it up to this version's schema and
//!   then replaces every row of the configured database in **one** write transaction, so a
//!   running server only ever sees the old data or the restored data.
//! - **PostgreSQL**: `pg_dump --format=custom` (a consistent snapshot by design) and
//!   `pg_restore --clean --single-transaction`, run with the configured URL; the password goes
//!   to the tools through `PGPASSWORD`, never on their command line.
//!
//! Restoring over a database that is in use (it holds accounts or dossiers, users are signed in,
//! or on PostgreSQL other sessions are connected) is refused unless `force` is given.
//! Attachments are files under `DATA_DIR/uploads`, not in the database: copy that directory
//! after the database backup (see README.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

/// Tables every Samenleven database has, whatever its version.
const CORE_TABLES: [&str; 5] = [
    "app_user",
    "application",
    "audit_log",
    "call",
    "municipality",
];

/// The first bytes of an SQLite database file and of a `pg_dump --format=custom` archive.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} bestaat al; kies een nieuwe bestandsnaam (een back-up overschrijft niets)")]
    Exists(PathBuf),
    #[error("kan {path} niet lezen of schrijven: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    NotABackup(String),
    #[error("{0}")]
    Incompatible(String),
    #[error(
        "de database is in gebruik: {reasons}. Stop de server(s) of herstel met --force als u deze gegevens wilt vervangen"
    )]
    InUse { reasons: String },
    #[error("{tool} is mislukt: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub backend: &'static str,
    pub bytes: u64,
    pub migrations: usize,
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Back-up geschreven naar {} ({}, {} bytes, {} migraties).",
            self.file.display(),
            self.backend,
            self.bytes,
            self.migrations
        )
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub backend: &'static str,
    pub tables: usize,
    pub rows: u64,
    /// Migrations that ran after the restore because the backup came from an older version.
    pub migrated: usize,
}

impl std::fmt::Display for RestoreSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Back-up hersteld ({}): {} tabellen, {} rijen",
            self.backend, self.tables, self.rows
        )?;
        if self.migrated > 0 {
            write!(
                f,
                "; daarna {} nieuwere migraties uitgevoerd",
                self.migrated
            )?;
        }
        write!(f, ".")
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RestoreOptions {
    /// Replace the data of a database that is in use.
    pub force: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The names of the migrations this version of Samenleven knows, in order.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// Checks a list of applied migrations against this version: every one must be known.
fn check_migrations(applied: &[String]) -> Result<(), BackupError> {
    if applied.is_empty() {
        return Err(BackupError::NotABackup(
            "het bestand bevat geen migratiegegevens (seaql_migrations): het is geen Samenleven-database".into(),
        ));
    }
    let known: BTreeSet<String> = known_migrations().into_iter().collect();
    let unknown: Vec<&str> = applied
        .iter()
        .filter(|m| !known.contains(*m))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(BackupError::Incompatible(format!(
            "de back-up komt van een nieuwere versie van Samenleven (onbekende migraties: {}); herstel ze met die versie",
            unknown.join(", ")
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------- backup

/// Writes a backup of the database at `url` to `file`, which must not exist yet. The backup is
/// first written next to `file` and renamed when it is complete and checked, so `file` never
/// holds a half-written backup.
pub async fn backup(url: &str, file: &Path) -> Result<BackupSummary, BackupError> {
    if file.exists() {
        return Err(BackupError::Exists(file.to_owned()));
    }
    let partial = partial_path(file);
    let _ = std::fs::remove_file(&partial);
    let result = if is_sqlite(url) {
        backup_sqlite(url, &partial).await
    } else if is_postgres(url) {
        backup_postgres(url, &partial).await
    } else {
        Err(BackupError::Unsupported(
            "back-ups kunnen alleen van SQLite of PostgreSQL".into(),
        ))
    };
    let (backend, migrations) = match result {
        Ok(done) => done,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    sync_file(&partial)?;
    std::fs::rename(&partial, file).map_err(io(file))?;
    sync_parent(file);
    let bytes = std::fs::metadata(file).map_err(io(file))?.len();
    Ok(BackupSummary {
        file: file.to_owned(),
        backend,
        bytes,
        migrations,
    })
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    file.with_file_name(name)
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

async fn backup_sqlite(url: &str, partial: &Path) -> Result<(&'static str, usize), BackupError> {
    let source = sqlite_file_of(url)?;
    if !source.exists() {
        return Err(BackupError::NotABackup(format!(
            "de database {} bestaat niet",
            source.display()
        )));
    }
    let db = sqlite_single(&source).await?;
    let applied = applied_migrations(&db).await?;
    check_migrations(&applied)?;
    // VACUUM INTO reads the database in one read transaction: a consistent snapshot even while
    // the app writes (WAL), and the output is a compact, self-contained database file.
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [partial.display().to_string().into()],
    ))
    .await?;
    db.close().await.ok();
    // The copy must stand on its own: rollback journal, intact, and a Samenleven schema.
    let copy = sqlite_single(partial).await?;
    copy.execute_unprepared("PRAGMA journal_mode = DELETE")
        .await?;
    check_sqlite_file(&copy).await?;
    copy.close().await.ok();
    Ok(("sqlite", applied.len()))
}

async fn backup_postgres(url: &str, partial: &Path) -> Result<(&'static str, usize), BackupError> {
    let db = Database::connect(quiet_options(url)).await?;
    let applied = applied_migrations(&db).await?;
    check_migrations(&applied)?;
    db.close().await.ok();
    let (target, password) = split_password(url);
    let partial_arg = partial.display().to_string();
    run_tool(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            &partial_arg,
            "--dbname",
            &target,
        ],
        password.as_deref(),
    )?;
    let listing = run_tool("pg_restore", &["--list", &partial_arg], None)?;
    check_pg_listing(&listing)?;
    Ok(("postgresql", applied.len()))
}

// ------------------------------------------------------------------------------------ restore

/// Restores `file` (made by [`backup`]) into the database at `url`.
pub async fn restore(
    url: &str,
    file: &Path,
    options: RestoreOptions,
) -> Result<RestoreSummary, BackupError> {
    let magic = read_magic(file)?;
    if is_sqlite(url) {
        if magic.starts_with(PGDUMP_MAGIC) {
            return Err(BackupError::NotABackup(
                "dit is een PostgreSQL-back-up (pg_dump); DATABASE_URL wijst naar SQLite".into(),
            ));
        }
        if !magic.starts_with(SQLITE_MAGIC) {
            return Err(not_a_backup(file));
        }
        restore_sqlite(url, file, options).await
    } else if is_postgres(url) {
        if magic.starts_with(SQLITE_MAGIC) {
            return Err(BackupError::NotABackup(
                "dit is een SQLite-back-up; DATABASE_URL wijst naar PostgreSQL".into(),
            ));
        }
        if !magic.starts_with(PGDUMP_MAGIC) {
            return Err(not_a_backup(file));
        }
        restore_postgres(url, file, options).await
    } else {
        Err(BackupError::Unsupported(
            "herstellen kan alleen naar SQLite of PostgreSQL".into(),
        ))
    }
}

fn not_a_backup(file: &Path) -> BackupError {
    BackupError::NotABackup(format!(
        "{} is geen back-up van Samenleven (geen SQLite-database en geen pg_dump-archief)",
        file.display()
    ))
}

fn read_magic(file: &Path) -> Result<Vec<u8>, BackupError> {
    use std::io::Read;
    let mut buffer = vec![0u8; 16];
    let mut handle = std::fs::File::open(file).map_err(io(file))?;
    let n = handle.read(&mut buffer).map_err(io(file))?;
    buffer.truncate(n);
    Ok(buffer)
}

async fn restore_sqlite(
    url: &str,
    file: &Path,
    options: RestoreOptions,
) -> Result<RestoreSummary, BackupError> {
    let target_path = sqlite_file_of(url)?;
    // Work on a private copy next to the target: the backup file itself is never changed.
    let dir = target_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let work = dir.join(format!(
        ".samenleven-restore-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::copy(file, &work).map_err(io(file))?;
    let result = restore_sqlite_from(url, &work, options).await;
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
    result
}

async fn restore_sqlite_from(
    url: &str,
    work: &Path,
    options: RestoreOptions,
) -> Result<RestoreSummary, BackupError> {
    // 1. The copy: intact, Samenleven, migrations we know; then up to this version's schema.
    let copy = sqlite_single(work).await?;
    copy.execute_unprepared("PRAGMA journal_mode = DELETE")
        .await?;
    check_sqlite_file(&copy).await?;
    let before = applied_migrations(&copy).await?.len();
    Migrator::up(&copy, None).await?;
    let migrated = applied_migrations(&copy).await?.len() - before;
    copy.close().await.ok();

    // 2. The target, created when missing and brought to the same schema.
    let target = crate::db::connect(url).await?;
    crate::db::migrate(&target).await?;
    let reasons = in_use_reasons(&target).await?;
    target.close().await.ok();
    if !reasons.is_empty() && !options.force {
        return Err(BackupError::InUse {
            reasons: reasons.join("; "),
        });
    }

    // 3. Replace every row in one write transaction, on one connection of our own.
    let db = sqlite_single(&sqlite_file_of(url)?).await?;
    db.execute_unprepared("PRAGMA busy_timeout = 30000").await?;
    // Foreign keys are checked once, at the end (RESTRICT actions would fire row by row).
    db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "ATTACH DATABASE ? AS backup",
        [work.display().to_string().into()],
    ))
    .await?;
    db.execute_unprepared("BEGIN IMMEDIATE").await?;
    let copied = replace_all_rows(&db).await;
    let outcome = match copied {
        Ok(summary) => match db.execute_unprepared("COMMIT").await {
            Ok(_) => Ok(summary),
            Err(err) => Err(err.into()),
        },
        Err(err) => {
            let _ = db.execute_unprepared("ROLLBACK").await;
            Err(err)
        }
    };
    let _ = db.execute_unprepared("DETACH DATABASE backup").await;
    db.close().await.ok();
    let (tables, rows) = outcome?;
    Ok(RestoreSummary {
        backend: "sqlite",
        tables,
        rows,
        migrated,
    })
}

/// Inside the open transaction: drops the triggers (the audit log refuses deletes), deletes
/// every row of the target, copies every row of the attached backup, restores the AUTOINCREMENT
/// counters and the triggers, and checks the foreign keys. Returns (tables, rows copied).
async fn replace_all_rows(db: &DatabaseConnection) -> Result<(usize, u64), BackupError> {
    let main_tables = sqlite_tables(db, "main").await?;
    let backup_tables = sqlite_tables(db, "backup").await?;
    if main_tables != backup_tables {
        return Err(BackupError::Incompatible(format!(
            "de tabellen van de back-up ({}) verschillen van die van de database ({})",
            backup_tables.join(", "),
            main_tables.join(", ")
        )));
    }
    let triggers = query_strings(
        db,
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL",
        &["name", "sql"],
    )
    .await?;
    for row in &triggers {
        db.execute_unprepared(&format!("DROP TRIGGER main.{}", quote_ident(&row[0])))
            .await?;
    }
    let seen = reference_version_of(db, "main").await?;
    let mut rows = 0;
    for table in &main_tables {
        let columns = query_strings(
            db,
            &format!(
                "SELECT name FROM pragma_table_info({})",
                quote_literal(table)
            ),
            &["name"],
        )
        .await?
        .into_iter()
        .map(|r| quote_ident(&r[0]))
        .collect::<Vec<_>>()
        .join(", ");
        let t = quote_ident(table);
        db.execute_unprepared(&format!("DELETE FROM main.{t}"))
            .await?;
        rows += db
            .execute_unprepared(&format!(
                "INSERT INTO main.{t} ({columns}) SELECT {columns} FROM backup.{t}"
            ))
            .await?
            .rows_affected();
    }
    let has_sequence = |schema: &str| {
        format!("SELECT name FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'")
    };
    if !query_strings(db, &has_sequence("main"), &["name"])
        .await?
        .is_empty()
    {
        db.execute_unprepared("DELETE FROM main.sqlite_sequence")
            .await?;
        if !query_strings(db, &has_sequence("backup"), &["name"])
            .await?
            .is_empty()
        {
            db.execute_unprepared(
                "INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM backup.sqlite_sequence",
            )
            .await?;
        }
    }
    if let Some(seen) = seen {
        db.execute_unprepared(&format!(
            "UPDATE main.reference_version SET version = MAX(version, {seen}) + 1"
        ))
        .await?;
    }
    for row in &triggers {
        db.execute_unprepared(&row[1]).await?;
    }
    let violations = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA main.foreign_key_check",
        ))
        .await?;
    if !violations.is_empty() {
        return Err(BackupError::Incompatible(format!(
            "de back-up schendt {} verwijzingen (foreign keys); er is niets hersteld",
            violations.len()
        )));
    }
    Ok((main_tables.len(), rows))
}

async fn restore_postgres(
    url: &str,
    file: &Path,
    options: RestoreOptions,
) -> Result<RestoreSummary, BackupError> {
    let file_arg = file.display().to_string();
    let listing = run_tool("pg_restore", &["--list", &file_arg], None)?;
    check_pg_listing(&listing)?;
    let copy_data = run_tool(
        "pg_restore",
        &[
            "--data-only",
            "--table=seaql_migrations",
            "--file=-",
            &file_arg,
        ],
        None,
    )?;
    let applied = migrations_from_copy(&copy_data);
    check_migrations(&applied)?;

    let target = Database::connect(quiet_options(url)).await?;
    let mut reasons = in_use_reasons(&target).await?;
    let others = other_connections(&target).await?;
    if others > 0 {
        reasons.push(format!(
            "{others} andere verbinding(en) met deze database (draait er een server?)"
        ));
    }
    let present = applied_migrations(&target).await?;
    let seen = reference_version_of(&target, "public").await?;
    target.close().await.ok();
    if !reasons.is_empty() && !options.force {
        return Err(BackupError::InUse {
            reasons: reasons.join("; "),
        });
    }
    let newer: Vec<&str> = present
        .iter()
        .filter(|m| !applied.contains(m))
        .map(String::as_str)
        .collect();
    if !newer.is_empty() {
        return Err(BackupError::Incompatible(format!(
            "de database heeft migraties die de back-up niet heeft ({}); herstel een oudere back-up in een lege database (createdb) en start daarna Samenleven, dat de database bijwerkt",
            newer.join(", ")
        )));
    }

    let (target_url, password) = split_password(url);
    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            &target_url,
            &file_arg,
        ],
        password.as_deref(),
    )?;

    let db = Database::connect(quiet_options(url)).await?;
    let before = applied_migrations(&db).await?.len();
    Migrator::up(&db, None).await?;
    let migrated = applied_migrations(&db).await?.len() - before;
    db.execute_unprepared(&format!(
        "UPDATE reference_version SET version = GREATEST(version, {}) + 1",
        seen.unwrap_or(0)
    ))
    .await?;
    let tables = query_strings(
        &db,
        "SELECT table_name AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
        &["name"],
    )
    .await?;
    let mut rows = 0;
    for t in &tables {
        rows += count_rows(&db, &t[0]).await?;
    }
    db.close().await.ok();
    Ok(RestoreSummary {
        backend: "postgresql",
        tables: tables.len(),
        rows,
        migrated,
    })
}

/// The migration names of a `COPY public.seaql_migrations ... FROM stdin;` block (the first
/// column is the version name).
fn migrations_from_copy(sql: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in sql.lines() {
        if line.starts_with("COPY ") && line.contains("seaql_migrations") {
            inside = true;
            continue;
        }
        if inside {
            if line == "\\." {
                break;
            }
            if let Some(version) = line.split('\t').next().filter(|v| !v.is_empty()) {
                out.push(version.to_owned());
            }
        }
    }
    out
}

fn check_pg_listing(listing: &str) -> Result<(), BackupError> {
    let has = |kind: &str, table: &str| {
        listing
            .lines()
            .any(|l| l.contains(&format!("{kind} public {table} ")))
    };
    for table in CORE_TABLES.iter().chain(["seaql_migrations"].iter()) {
        if !has("TABLE", table) || !has("TABLE DATA", table) {
            return Err(BackupError::NotABackup(format!(
                "het pg_dump-archief bevat de tabel {table} niet: het is geen back-up van een Samenleven-database"
            )));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ helpers

/// Why the database counts as "in use"; empty when restoring over it loses nothing.
async fn in_use_reasons<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    let mut reasons = Vec::new();
    let tables = table_names(db).await?;
    let mut count_if = async |table: &str, sql: &str, what: &str| -> Result<(), DbErr> {
        if tables.iter().any(|t| t == table) {
            let n = scalar(db, sql).await?;
            if n > 0 {
                reasons.push(format!("{n} {what}"));
            }
        }
        Ok(())
    };
    count_if(
        "app_user",
        "SELECT COUNT(*) AS n FROM app_user",
        "account(s)",
    )
    .await?;
    count_if(
        "application",
        "SELECT COUNT(*) AS n FROM application",
        "dossier(s)",
    )
    .await?;
    let since = chrono::Utc::now() - crate::auth::session::IDLE_TIMEOUT;
    if tables.iter().any(|t| t == "session") {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    DbBackend::Postgres => {
                        "SELECT COUNT(*) AS n FROM session WHERE last_seen_at > $1"
                    }
                    _ => "SELECT COUNT(*) AS n FROM session WHERE last_seen_at > ?",
                },
                [since.into()],
            ))
            .await?;
        let n = row.map(|r| r.try_get::<i64>("", "n")).transpose()?;
        if let Some(n) = n.filter(|n| *n > 0) {
            reasons.push(format!("{n} aangemelde gebruiker(s) in het voorbije uur"));
        }
    }
    Ok(reasons)
}

async fn other_connections<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    scalar(
        db,
        "SELECT COUNT(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await
}

async fn scalar<C: ConnectionTrait>(db: &C, sql: &str) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no row for {sql}")))?;
    row.try_get::<i64>("", "n")
}

async fn count_rows<C: ConnectionTrait>(db: &C, table: &str) -> Result<u64, DbErr> {
    let n = scalar(
        db,
        &format!("SELECT COUNT(*) AS n FROM {}", quote_ident(table)),
    )
    .await?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// The reference version of the database (schema `main` or `public`) before a restore, when it
/// has one. A restore leaves the version above both this and the backup's: a running server
/// whose reference data in memory came from either database then reads it again.
async fn reference_version_of<C: ConnectionTrait>(
    db: &C,
    schema: &str,
) -> Result<Option<i64>, DbErr> {
    let tables = match db.get_database_backend() {
        DbBackend::Sqlite => sqlite_tables(db, schema).await?,
        _ => table_names(db).await?,
    };
    if !tables.iter().any(|t| t == "reference_version") {
        return Ok(None);
    }
    scalar(
        db,
        &format!(
            "SELECT COALESCE(MAX(version), 0) AS n FROM {}.reference_version",
            quote_ident(schema)
        ),
    )
    .await
    .map(Some)
}

/// The applied migrations of a database, oldest first; empty when it has none.
async fn applied_migrations<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    if !table_names(db)
        .await?
        .iter()
        .any(|t| t == "seaql_migrations")
    {
        return Ok(Vec::new());
    }
    Ok(query_strings(
        db,
        "SELECT version FROM seaql_migrations ORDER BY version",
        &["version"],
    )
    .await?
    .into_iter()
    .map(|mut r| r.remove(0))
    .collect())
}

/// The base tables of the database's main schema, sorted.
pub async fn table_names<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
        _ => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
    };
    Ok(query_strings(db, sql, &["name"])
        .await?
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect())
}

async fn sqlite_tables<C: ConnectionTrait>(db: &C, schema: &str) -> Result<Vec<String>, DbErr> {
    Ok(query_strings(
        db,
        &format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ),
        &["name"],
    )
    .await?
    .into_iter()
    .map(|mut r| r.remove(0))
    .collect())
}

async fn query_strings<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    columns: &[&str],
) -> Result<Vec<Vec<String>>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.try_get::<String>("", c))
                .collect()
        })
        .collect()
}

/// An SQLite database file is a Samenleven database we can restore: intact, with the core
/// tables and with migrations this version knows.
async fn check_sqlite_file(db: &DatabaseConnection) -> Result<(), BackupError> {
    let integrity = query_strings(db, "PRAGMA integrity_check", &["integrity_check"])
        .await
        .map_err(|e| {
            BackupError::NotABackup(format!("het bestand is geen leesbare SQLite-database: {e}"))
        })?;
    let ok = integrity.len() == 1 && integrity[0][0] == "ok";
    if !ok {
        let problems: Vec<String> = integrity.into_iter().map(|mut r| r.remove(0)).collect();
        return Err(BackupError::NotABackup(format!(
            "de SQLite-integriteitscontrole faalt: {}",
            problems.join("; ")
        )));
    }
    let tables = table_names(db).await?;
    if let Some(missing) = CORE_TABLES.iter().find(|t| !tables.iter().any(|x| x == *t)) {
        return Err(BackupError::NotABackup(format!(
            "het bestand mist de tabel {missing}: het is geen Samenleven-database"
        )));
    }
    check_migrations(&applied_migrations(db).await?)
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn sqlite_file_of(url: &str) -> Result<PathBuf, BackupError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(BackupError::Unsupported(
            "een database in het geheugen heeft geen back-up".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// One connection to an SQLite file, without the app's pragmas (no WAL switch), so that
/// ATTACH, BEGIN and COMMIT run on the same connection.
async fn sqlite_single(path: &Path) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(60))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(Duration::from_secs(30)));
    Database::connect(options).await
}

fn quiet_options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    options
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Splits the password out of a PostgreSQL URL: the URL for the tools' `--dbname` and the
/// password (percent-decoded) for `PGPASSWORD`.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_owned(), None);
    };
    let after = &url[scheme_end + 3..];
    let authority_end = after.find('/').unwrap_or(after.len());
    let authority = &after[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None);
    };
    let userinfo = &authority[..at];
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    let without = format!(
        "{}{}{}{}",
        &url[..scheme_end + 3],
        user,
        &authority[at..],
        &after[authority_end..]
    );
    (without, Some(percent_decode(password)))
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
            && let Ok(byte) = u8::try_from(hi * 16 + lo)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client tool and returns its standard output.
fn run_tool(
    tool: &'static str,
    args: &[&str],
    password: Option<&str>,
) -> Result<String, BackupError> {
    let mut command = Command::new(tool);
    command.args(args);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().map_err(|e| BackupError::Tool {
        tool,
        message: format!("kan {tool} niet starten ({e}); installeer de PostgreSQL-clienttools"),
    })?;
    if !output.status.success() {
        return Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_pgpassword_and_not_to_the_command_line() {
        assert_eq!(
            split_password("postgres://sam:s%40cret@db.example:5432/samenleven?sslmode=require"),
            (
                "postgres://sam@db.example:5432/samenleven?sslmode=require".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/x"),
            ("postgres://postgres@127.0.0.1:5432/x".to_owned(), None)
        );
    }

    #[test]
    fn migration_names_are_read_from_a_copy_block() {
        let sql = "SET x = 1;\nCOPY public.seaql_migrations (version, applied_at) FROM stdin;\n\
                   m20260101_000001_reference\t1767225600\nm20260101_000002_accounts\t1767225601\n\\.\n";
        assert_eq!(
            migrations_from_copy(sql),
            vec!["m20260101_000001_reference", "m20260101_000002_accounts"]
        );
    }

    #[test]
    fn a_backup_from_a_newer_version_or_without_migrations_is_refused() {
        let mut applied = known_migrations();
        assert!(check_migrations(&applied).is_ok());
        assert!(
            check_migrations(&applied[..3]).is_ok(),
            "an older backup is fine"
        );
        applied.push("m29990101_000001_future".into());
        assert!(matches!(
            check_migrations(&applied),
            Err(BackupError::Incompatible(_))
        ));
        assert!(matches!(
            check_migrations(&[]),
            Err(BackupError::NotABackup(_))
        ));
    }

    #[test]
    fn the_partial_file_sits_next_to_the_backup() {
        assert_eq!(
            partial_path(Path::new("/srv/backups/s.db")),
            PathBuf::from("/srv/backups/s.db.partial")
        );
    }
}
