//! A version number of the reference data: the calls with their parameters and catalogs, the
//! municipalities, reference regions, partner organisations and population figures. Triggers
//! raise it on every change of those tables, whoever makes it (a page, an import on the
//! command line, another app instance, a hand-written statement), so an app instance may keep
//! what it read of them in memory and only has to read this one number to know whether that is
//! still current (`store::reference_cache`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows the reference cache keeps.
pub const REFERENCE_TABLES: [&str; 10] = [
    "call",
    "call_action",
    "call_project_year",
    "call_named_applicant",
    "action",
    "partner_organisation",
    "municipality",
    "reference_region",
    "region_membership",
    "population_figure",
];

const EVENTS: [&str; 3] = ["INSERT", "UPDATE", "DELETE"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE reference_version (id INTEGER NOT NULL PRIMARY KEY, version BIGINT NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO reference_version (id, version) VALUES (1, 0)")
            .await?;
        match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; \
                     RETURN NULL; END; $$",
                )
                .await?;
                // Once per statement: an import of 300 figures raises it once.
                for table in REFERENCE_TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_reference_version \
                         AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \"{table}\" \
                         FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version()"
                    ))
                    .await?;
                }
            }
            sea_orm::DbBackend::Sqlite => {
                // SQLite has row triggers only.
                for table in REFERENCE_TABLES {
                    for event in EVENTS {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_{}_reference_version AFTER {event} ON \"{table}\" \
                             BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END",
                            event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "the reference version is not implemented for {other:?}"
                )));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                for table in REFERENCE_TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_reference_version ON \"{table}\""
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS bump_reference_version()")
                    .await?;
            }
            _ => {
                for table in REFERENCE_TABLES {
                    for event in EVENTS {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_{}_reference_version",
                            event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
        }
        db.execute_unprepared("DROP TABLE reference_version")
            .await?;
        Ok(())
    }
}
