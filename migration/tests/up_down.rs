//! The migrations go up, down and up again on SQLite and, when `TEST_DATABASE_URL` is set, on
//! PostgreSQL; the entities match the resulting schema and the key constraints hold.

mod common;

use common::TestDb;
use common::sample_rows::{Rows, insert_one_row_per_table};
use entity::*;
use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, Set, SqlErr,
};

/// Every table the migrations create, in creation order.
const TABLES: [&str; 48] = [
    "reference_region",
    "municipality",
    "region_membership",
    "population_figure",
    "partner_organisation",
    "plan",
    "theme",
    "action",
    "app_user",
    "session",
    "auth_token",
    "login_attempt",
    "api_token",
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
    "allocation",
    "allocation_line",
    "decision",
    "decision_line",
    "progress_report",
    "kpi_result",
    "continuation",
    "payment",
    "attachment",
    "audit_log",
    "email_outbox",
    "report_reminder",
    "reclaim",
    "oidc_login",
    "oidc_session",
    "known_device",
    "password_reset_request",
    "member_reminder",
    "bank_account",
    "saved_filter",
    "four_eyes_proposal",
    "call_partner_agreement",
    "call_action_amount",
];

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_sqlite() {
    let test = TestDb::sqlite().await;
    up_down_up(&test.db).await;
    test.finish().await;
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    let Some(test) = TestDb::postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped");
        return;
    };
    up_down_up(&test.db).await;
    test.finish().await;
}

#[tokio::test]
async fn entities_match_the_schema_and_constraints_hold_on_sqlite() {
    let test = TestDb::sqlite().await;
    entities_and_constraints(&test.db).await;
    test.finish().await;
}

#[tokio::test]
async fn entities_match_the_schema_and_constraints_hold_on_postgres() {
    let Some(test) = TestDb::postgres().await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped");
        return;
    };
    entities_and_constraints(&test.db).await;
    test.finish().await;
}

async fn up_down_up(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("migrations go up");
    assert_tables_exist(db, true).await;
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .expect("status is readable")
            .is_empty()
    );

    Migrator::down(db, None).await.expect("migrations go down");
    assert_tables_exist(db, false).await;

    Migrator::up(db, None)
        .await
        .expect("migrations go up again");
    assert_tables_exist(db, true).await;
}

async fn assert_tables_exist(db: &DatabaseConnection, expected: bool) {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        let exists = manager.has_table(table).await.expect("catalog is readable");
        assert_eq!(exists, expected, "table {table} exists: {exists}");
    }
}

async fn entities_and_constraints(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("migrations go up");
    let rows = insert_one_row_per_table(db)
        .await
        .expect("one row per table inserts through the entities");

    values_survive_the_round_trip(&rows);
    a_municipality_is_in_at_most_one_application_per_call(db, &rows).await;
    a_member_row_repeats_the_call_of_its_application(db, &rows).await;
    foreign_keys_are_enforced(db, &rows).await;
    the_audit_log_is_append_only(db, &rows).await;
    deleting_a_progress_report_deletes_its_results_and_attachments(db, &rows).await;
}

fn values_survive_the_round_trip(rows: &Rows) {
    assert_eq!(rows.call.submission_opens_at, common::timestamp());
    assert_eq!(rows.call.period_start, common::date());
    assert_eq!(
        rows.application.state,
        application::ApplicationState::InReview
    );
    assert_eq!(rows.session.id, "session.id");
}

async fn a_municipality_is_in_at_most_one_application_per_call(
    db: &DatabaseConnection,
    rows: &Rows,
) {
    let mut second = rows.application.clone().into_active_model().reset_all();
    second.id = NotSet;
    second.reference = Set("PS-2022-0002".to_owned());
    let second = second
        .insert(db)
        .await
        .expect("a second application inserts");

    let mut member = rows
        .application_member
        .clone()
        .into_active_model()
        .reset_all();
    member.id = NotSet;
    member.application_id = Set(second.id);
    let err = member
        .insert(db)
        .await
        .expect_err("the same municipality cannot join a second application in the call");
    assert_sql_err(&err, "unique", |e| {
        matches!(e, SqlErr::UniqueConstraintViolation(_))
    });
}

async fn a_member_row_repeats_the_call_of_its_application(db: &DatabaseConnection, rows: &Rows) {
    let mut other_call = rows.call.clone().into_active_model().reset_all();
    other_call.id = NotSet;
    other_call.code = Set("other-call".to_owned());
    let other_call = other_call.insert(db).await.expect("a second call inserts");

    let mut other_municipality = rows.municipality.clone().into_active_model().reset_all();
    other_municipality.id = NotSet;
    other_municipality.nis_code = Set(rows.municipality.nis_code + 1);
    let other_municipality = other_municipality
        .insert(db)
        .await
        .expect("a second municipality inserts");

    let mut member = rows
        .application_member
        .clone()
        .into_active_model()
        .reset_all();
    member.id = NotSet;
    member.call_id = Set(other_call.id);
    member.municipality_id = Set(other_municipality.id);
    let err = member
        .insert(db)
        .await
        .expect_err("a member row cannot name another call than its application");
    assert_sql_err(&err, "foreign key", |e| {
        matches!(e, SqlErr::ForeignKeyConstraintViolation(_))
    });
}

async fn foreign_keys_are_enforced(db: &DatabaseConnection, rows: &Rows) {
    let mut orphan = rows.kpi.clone().into_active_model().reset_all();
    orphan.id = NotSet;
    orphan.application_action_id = Set(-1);
    let err = orphan
        .insert(db)
        .await
        .expect_err("a KPI needs an existing chosen action");
    assert_sql_err(&err, "foreign key", |e| {
        matches!(e, SqlErr::ForeignKeyConstraintViolation(_))
    });

    // ON DELETE RESTRICT. PostgreSQL reports it as SQLSTATE 23503, which `sql_err()` classifies;
    // SQLite reports a RESTRICT action with extended code 1811 (SQLITE_CONSTRAINT_TRIGGER),
    // which `sql_err()` leaves unclassified, so match its message there.
    let err = rows
        .municipality
        .clone()
        .delete(db)
        .await
        .expect_err("a municipality in use cannot be deleted");
    let classified = matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    );
    assert!(
        classified || err.to_string().contains("FOREIGN KEY constraint failed"),
        "expected a foreign key violation, got {err:?}"
    );
}

async fn the_audit_log_is_append_only(db: &DatabaseConnection, rows: &Rows) {
    let mut changed = rows.audit_log.clone().into_active_model();
    changed.action = Set("rewritten".to_owned());
    changed
        .update(db)
        .await
        .expect_err("an audit entry cannot be changed");
    rows.audit_log
        .clone()
        .delete(db)
        .await
        .expect_err("an audit entry cannot be deleted");
    assert_eq!(audit_log::Entity::find().count(db).await.expect("count"), 1);
}

async fn deleting_a_progress_report_deletes_its_results_and_attachments(
    db: &DatabaseConnection,
    rows: &Rows,
) {
    rows.progress_report
        .clone()
        .delete(db)
        .await
        .expect("a progress report deletes");
    assert_eq!(
        kpi_result::Entity::find().count(db).await.expect("count"),
        0
    );
    assert_eq!(
        attachment::Entity::find().count(db).await.expect("count"),
        0
    );
}

fn assert_sql_err(err: &DbErr, what: &str, expected: impl Fn(&SqlErr) -> bool) {
    let sql_err = err.sql_err();
    assert!(
        sql_err.as_ref().is_some_and(expected),
        "expected a {what} violation, got {err:?} ({sql_err:?})"
    );
}
