//! The `login_attempt` table.
//!
//! Every sign-in attempt (and every check of the password before a sensitive action), to throttle
//! by e-mail address, by known device and by IP address. The row is written before the password
//! is checked; `success` is set when it was right, `refused` when the throttle refused the
//! attempt and the password was never checked. A successful password reset is recorded as a
//! successful attempt.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "login_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub ip: String,
    pub attempted_at: DateTimeUtc,
    pub success: bool,
    /// The throttle refused the attempt; the password was not checked.
    pub refused: bool,
    /// The known device (`known_device`) of the account the attempt came from, if any.
    pub known_device_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
