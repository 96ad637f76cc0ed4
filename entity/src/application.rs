//! The `application` table.
//!
//! An application (aanvraag, dossier) to a call: by one municipality (`single`), by an
//! intermunicipal cooperation led by `lead_municipality_id` (`cooperation`), or by a partner
//! organisation (`partner`). The lead municipality also has an `application_member` row, so the
//! one-dossier-per-call constraint covers it. `sections_status` is a JSON object with the state
//! of each form section. UNIQUE(id, call_id) is the target of `application_member`'s composite
//! foreign key.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    /// Human reference, e.g. `PS-2022-0001`.
    #[sea_orm(column_type = "Text", unique)]
    pub reference: String,
    pub kind: ApplicationKind,
    pub lead_municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub contact_name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub contact_email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub contact_phone: Option<String>,
    pub first_project_year: i32,
    pub last_project_year: i32,
    pub state: ApplicationState,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub sections_status: Option<String>,
    pub declarations_accepted_at: Option<DateTimeUtc>,
    pub assigned_reviewer_id: Option<i64>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    /// Blocking findings of the rules engine at the last (re)submission or recheck.
    pub rule_failures: i32,
    /// Warnings of the rules engine at the last (re)submission or recheck.
    pub rule_warnings: i32,
    pub rules_checked_at: Option<DateTimeUtc>,
    /// A later submission deadline for this dossier only, granted by an admin (the reason is
    /// in the audit log); `None`: the call's deadline holds.
    pub late_submission_until: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id",
        on_delete = "Restrict"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::municipality::Entity",
        from = "Column::LeadMunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    LeadMunicipality,
    #[sea_orm(
        belongs_to = "super::partner_organisation::Entity",
        from = "Column::PartnerOrganisationId",
        to = "super::partner_organisation::Column::Id",
        on_delete = "Restrict"
    )]
    PartnerOrganisation,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::AssignedReviewerId",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    AssignedReviewer,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::CreatedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Creator,
    #[sea_orm(has_many = "super::application_member::Entity")]
    ApplicationMember,
    #[sea_orm(has_many = "super::application_action::Entity")]
    ApplicationAction,
    #[sea_orm(has_many = "super::application_snapshot::Entity")]
    ApplicationSnapshot,
    #[sea_orm(has_many = "super::review::Entity")]
    Review,
    #[sea_orm(has_many = "super::message::Entity")]
    Message,
    #[sea_orm(has_many = "super::change_request::Entity")]
    ChangeRequest,
    #[sea_orm(has_many = "super::decision::Entity")]
    Decision,
    #[sea_orm(has_many = "super::progress_report::Entity")]
    ProgressReport,
    #[sea_orm(has_many = "super::payment::Entity")]
    Payment,
    #[sea_orm(has_many = "super::attachment::Entity")]
    Attachment,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LeadMunicipality.def()
    }
}

impl Related<super::partner_organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PartnerOrganisation.def()
    }
}

impl Related<super::application_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationMember.def()
    }
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl Related<super::application_snapshot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationSnapshot.def()
    }
}

impl Related<super::review::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Review.def()
    }
}

impl Related<super::message::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Message.def()
    }
}

impl Related<super::change_request::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ChangeRequest.def()
    }
}

impl Related<super::decision::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Decision.def()
    }
}

impl Related<super::progress_report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgressReport.def()
    }
}

impl Related<super::payment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Payment.def()
    }
}

impl Related<super::attachment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attachment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Who applies.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    #[sea_orm(string_value = "single")]
    Single,
    #[sea_orm(string_value = "cooperation")]
    Cooperation,
    #[sea_orm(string_value = "partner")]
    Partner,
}

/// Life cycle of an application; the allowed transitions live in the application code.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "changes_requested")]
    ChangesRequested,
    #[sea_orm(string_value = "resubmitted")]
    Resubmitted,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "partly_approved")]
    PartlyApproved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}
