//! Reference data: municipalities, reference regions, population figures.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use entity::{municipality, population_figure, reference_region};

/// How many municipalities existed on `day` (300 on 31-12-2024, 285 on 1-1-2025).
pub async fn municipalities_on<C: ConnectionTrait>(db: &C, day: NaiveDate) -> Result<u64, DbErr> {
    municipality::Entity::find()
        .filter(municipality::Column::ValidFrom.lte(day))
        .filter(
            Condition::any()
                .add(municipality::Column::ValidTo.is_null())
                .add(municipality::Column::ValidTo.gte(day)),
        )
        .count(db)
        .await
}

pub async fn region_count<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    reference_region::Entity::find().count(db).await
}

/// Whether any non-EU15 figure in the database is a fictitious demo figure; pages then show
/// the demo banner. Runs on every page, so it stops at the first such figure.
pub async fn has_fictitious_figures<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    Ok(population_figure::Entity::find()
        .select_only()
        .column(population_figure::Column::Id)
        .filter(population_figure::Column::NonEu15Fictitious.eq(true))
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}
