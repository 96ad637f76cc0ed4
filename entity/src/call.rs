//! The `call` table.
//!
//! A call for applications (oproep) with every rule parameter as data, so a later call needs no
//! code change. Thresholds on residents are head counts of residents of non-EU15 origin; shares
//! are basis points (1 % = 100 bp); money is in euro cents. Population figures are read for
//! `reference_year`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub plan_id: i64,
    pub state: CallState,
    pub period_start: Date,
    pub period_end: Date,
    pub submission_opens_at: DateTimeUtc,
    pub submission_closes_at: DateTimeUtc,
    /// The opening of the submission window is not from an official source (illustrative
    /// until ABB confirms it; pages and the API mark it).
    pub submission_opens_illustrative: bool,
    /// Year of the population figures the call uses.
    pub reference_year: i32,
    /// A municipality with more than this many non-EU15 residents may apply alone (7,500).
    pub single_applicant_min_exclusive: i64,
    /// A cooperation needs at least this many non-EU15 residents together (7,500).
    pub pooled_min_inclusive: i64,
    /// Every member needs at least this non-EU15 share for the incentive (1,500 bp).
    pub incentive_min_share_bp: i32,
    /// Minimum own contribution as a share of the total cost (5,000 bp).
    pub cofinancing_bp: i32,
    /// Cooperation incentive per project year (EUR 10,000).
    pub incentive_cents_per_project_year: i64,
    /// Share of a year's grant paid as advance (8,000 bp).
    pub advance_bp: i32,
    /// KPI share to reach at the interim check to continue an action (2,500 bp).
    pub continuation_min_bp: i32,
    /// Days ABB takes to review a dossier after its last submission; later is overdue.
    pub review_days: i32,
    /// The programme coverage aim as a fraction (2/3 in the plan); `None` when not set.
    pub coverage_aim_numerator: Option<i32>,
    pub coverage_aim_denominator: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub notes: Option<String>,
    /// Where the parameters come from.
    #[sea_orm(column_type = "Text")]
    pub parameters_source: Option<String>,
    /// The parameters are fictitious (a demo call whose figures were never published); every
    /// page that shows the call says so.
    pub parameters_fictitious: bool,
    /// The legal basis every decision of the call quotes; `None` until it is set.
    #[sea_orm(column_type = "Text")]
    pub legal_basis: Option<String>,
    /// The legal basis is not from an official source yet (the page marks it illustrative).
    pub legal_basis_illustrative: bool,
    /// How the applicant can appeal a decision of the call.
    #[sea_orm(column_type = "Text")]
    pub appeal_route: Option<String>,
    pub appeal_route_illustrative: bool,
    /// Who signs the call's decisions, as a role (never a person's name).
    #[sea_orm(column_type = "Text")]
    pub signatory_role: Option<String>,
    pub signatory_role_illustrative: bool,
    /// Above this amount a decision, an envelope change, an allocation or a reclaim needs a
    /// second ABB staff member to confirm it (four eyes); 0: always.
    pub four_eyes_threshold_cents: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::plan::Entity",
        from = "Column::PlanId",
        to = "super::plan::Column::Id",
        on_delete = "Restrict"
    )]
    Plan,
    #[sea_orm(has_many = "super::call_project_year::Entity")]
    CallProjectYear,
    #[sea_orm(has_many = "super::call_named_applicant::Entity")]
    CallNamedApplicant,
    #[sea_orm(has_many = "super::call_action::Entity")]
    CallAction,
    #[sea_orm(has_many = "super::application::Entity")]
    Application,
    #[sea_orm(has_many = "super::application_member::Entity")]
    ApplicationMember,
    #[sea_orm(has_many = "super::allocation::Entity")]
    Allocation,
}

impl Related<super::plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plan.def()
    }
}

impl Related<super::call_project_year::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallProjectYear.def()
    }
}

impl Related<super::call_named_applicant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallNamedApplicant.def()
    }
}

impl Related<super::call_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallAction.def()
    }
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::application_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationMember.def()
    }
}

impl Related<super::allocation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Allocation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Life cycle of a call.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "closed")]
    Closed,
}
