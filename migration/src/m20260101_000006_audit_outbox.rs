//! Audit log (append-only, enforced by triggers) and the e-mail outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_audit_log(manager).await?;
        create_email_outbox(manager).await?;
        make_audit_log_append_only(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailOutbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        drop_audit_log_function(manager).await
    }
}

/// Append-only record of changes and sensitive actions: who (`actor_user_id` has no foreign key
/// so the log outlives users; `actor_label` keeps a readable name), what, on which resource,
/// and JSON before/after images. Triggers reject UPDATE and DELETE.
async fn create_audit_log(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(big_integer_null(AuditLog::ActorUserId))
                .col(text(AuditLog::ActorLabel))
                .col(text(AuditLog::Action))
                .col(text(AuditLog::ResourceType))
                .col(text_null(AuditLog::ResourceId))
                .col(text_null(AuditLog::Ip))
                .col(text_null(AuditLog::Before))
                .col(text_null(AuditLog::After))
                .col(text_null(AuditLog::Details))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_audit_log_at")
                .table(AuditLog::Table)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_audit_log_resource_type_resource_id")
                .table(AuditLog::Table)
                .col(AuditLog::ResourceType)
                .col(AuditLog::ResourceId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_audit_log_actor_user_id")
                .table(AuditLog::Table)
                .col(AuditLog::ActorUserId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Outgoing e-mail, written in the same transaction as the change that causes it and sent by a
/// worker with retries.
async fn create_email_outbox(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(EmailOutbox::Table)
                .col(big_pk_auto(EmailOutbox::Id))
                .col(timestamp_with_time_zone(EmailOutbox::CreatedAt))
                .col(text(EmailOutbox::ToAddress))
                .col(text(EmailOutbox::Subject))
                .col(text(EmailOutbox::BodyText))
                .col(text_null(EmailOutbox::BodyHtml))
                .col(text(EmailOutbox::State))
                .col(integer(EmailOutbox::Attempts).default(0))
                .col(timestamp_with_time_zone(EmailOutbox::NextAttemptAt))
                .col(text_null(EmailOutbox::LastError))
                .col(timestamp_with_time_zone_null(EmailOutbox::SentAt))
                .col(text_null(EmailOutbox::RelatedType))
                .col(text_null(EmailOutbox::RelatedId))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_email_outbox_state_next_attempt_at")
                .table(EmailOutbox::Table)
                .col(EmailOutbox::State)
                .col(EmailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Rejects UPDATE and DELETE on `audit_log`. The schema builder cannot express triggers, so this
/// is raw SQL per backend.
async fn make_audit_log_append_only(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            )
            .await?;
        }
        sea_orm::DbBackend::Sqlite => {
            for (name, event) in [
                ("audit_log_no_update", "UPDATE"),
                ("audit_log_no_delete", "DELETE"),
            ] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name} BEFORE {event} ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                ))
                .await?;
            }
        }
        other => {
            return Err(DbErr::Migration(format!(
                "append-only audit_log is not implemented for {other:?}"
            )));
        }
    }
    Ok(())
}

/// Drops the PostgreSQL trigger function; the triggers themselves went with the table.
async fn drop_audit_log_function(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
        manager
            .get_connection()
            .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
            .await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorLabel,
    Action,
    ResourceType,
    ResourceId,
    Ip,
    Before,
    After,
    Details,
}

#[derive(DeriveIden)]
pub enum EmailOutbox {
    Table,
    Id,
    CreatedAt,
    ToAddress,
    Subject,
    BodyText,
    BodyHtml,
    State,
    Attempts,
    NextAttemptAt,
    LastError,
    SentAt,
    RelatedType,
    RelatedId,
}
