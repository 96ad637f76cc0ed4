//! The reference data in memory: the calls with their rules and catalogs, the municipalities,
//! partner organisations, the directory of each call's map and the population figures. They
//! change only when an admin edits a call or figures are imported, yet nearly every page reads
//! them; reading them from the database took most of the statements of the dashboard, the
//! inbox and the dossier page.
//!
//! Database triggers raise `reference_version` on every change of those tables, whoever makes it
//! (this instance, another instance on the same PostgreSQL database, a command-line import, a
//! hand-written statement). A request reads that one number ([`ReferenceCache::current`]) and
//! gets a [`Reference`]: what this instance read at that version, each part loaded from the
//! database on first use. Data loaded after the number was read is at least as new as the
//! number, so a newer number always replaces it; nothing older is ever served as current.
//!
//! Writes never go through the cache: they read and write the database in their transaction, as
//! before. The cache serves what pages show and what the rules engine judges a page's verdict by.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Statement,
};
use tokio::sync::OnceCell;

use entity::{call, municipality, partner_organisation, population_figure, reference_region};

use crate::domain::{Directory, NisCode};
use crate::store::rules::{self, CallContext};

/// A directory with the database id of each of its municipalities.
pub type DirectoryWithIds = (Directory, HashMap<NisCode, i64>);

/// One instance's memory of the reference data; lives in the application state.
#[derive(Default)]
pub struct ReferenceCache {
    current: Mutex<Option<Arc<Snapshot>>>,
}

impl std::fmt::Debug for ReferenceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceCache").finish_non_exhaustive()
    }
}

/// What was read at one version. Every part is loaded once, on first use.
#[derive(Default)]
struct Snapshot {
    version: i64,
    fictitious: OnceCell<bool>,
    calls: OnceCell<Arc<Vec<call::Model>>>,
    municipalities: OnceCell<Arc<HashMap<i64, municipality::Model>>>,
    partners: OnceCell<Arc<HashMap<i64, partner_organisation::Model>>>,
    regions: OnceCell<Arc<Vec<reference_region::Model>>>,
    contexts: Keyed<i64, Option<Arc<CallContext>>>,
    directories: Keyed<(i32, NaiveDate), Arc<DirectoryWithIds>>,
    figures: Keyed<i32, Arc<HashMap<i64, population_figure::Model>>>,
}

/// Parts loaded once per key.
struct Keyed<K, V>(Mutex<HashMap<K, Arc<OnceCell<V>>>>);

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> Keyed<K, V> {
    async fn get_or_load<F, Fut>(&self, key: K, load: F) -> Result<V, DbErr>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, DbErr>>,
    {
        let cell = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default()
            .clone();
        cell.get_or_try_init(load).await.cloned()
    }
}

/// The version the triggers keep (see the migration `reference_version`).
pub async fn version(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM reference_version WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("reference_version".to_owned()))?;
    row.try_get("", "version")
}

impl ReferenceCache {
    /// The reference data as of now: one statement, the version; the parts come from memory
    /// when this instance already read them at that version.
    pub async fn current(&self, db: &DatabaseConnection) -> Result<Reference, DbErr> {
        let version = version(db).await?;
        Ok(self.at(db, version))
    }

    /// The reference data at `version`, read by the caller in a statement of its own (the
    /// session's, see `auth::session::load`).
    pub fn at(&self, db: &DatabaseConnection, version: i64) -> Reference {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let snapshot = match current.as_ref() {
            Some(s) if s.version == version => s.clone(),
            // Any other number replaces it, a lower one too (a restored backup).
            _ => {
                let fresh = Arc::new(Snapshot {
                    version,
                    ..Snapshot::default()
                });
                *current = Some(fresh.clone());
                fresh
            }
        };
        Reference {
            db: db.clone(),
            snapshot,
        }
    }
}

/// The reference data at one version, for one request.
#[derive(Clone)]
pub struct Reference {
    db: DatabaseConnection,
    snapshot: Arc<Snapshot>,
}

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reference")
            .field("version", &self.snapshot.version)
            .finish_non_exhaustive()
    }
}

impl Reference {
    /// The version this reference data was read at.
    pub fn version(&self) -> i64 {
        self.snapshot.version
    }

    /// Whether any non-EU15 figure is a fictitious demo figure (the demo banner).
    pub async fn fictitious(&self) -> Result<bool, DbErr> {
        self.snapshot
            .fictitious
            .get_or_try_init(|| crate::store::reference::has_fictitious_figures(&self.db))
            .await
            .copied()
    }

    /// Every call, the most recently opened first (ties: the highest id first).
    pub async fn calls(&self) -> Result<Arc<Vec<call::Model>>, DbErr> {
        self.snapshot
            .calls
            .get_or_try_init(|| async {
                let mut calls = call::Entity::find().all(&self.db).await?;
                calls.sort_by(|a, b| {
                    b.submission_opens_at
                        .cmp(&a.submission_opens_at)
                        .then(b.id.cmp(&a.id))
                });
                Ok(Arc::new(calls))
            })
            .await
            .cloned()
    }

    pub async fn call(&self, id: i64) -> Result<Option<call::Model>, DbErr> {
        Ok(self.calls().await?.iter().find(|c| c.id == id).cloned())
    }

    /// The calls open for submission, the one closing first first (as
    /// `store::municipalities::open_calls`).
    pub async fn open_calls(&self) -> Result<Vec<call::Model>, DbErr> {
        let mut open: Vec<call::Model> = self
            .calls()
            .await?
            .iter()
            .filter(|c| c.state == call::CallState::Open)
            .cloned()
            .collect();
        open.sort_by_key(|c| (c.submission_closes_at, c.id));
        Ok(open)
    }

    /// The most recently opened call, whatever its state (as
    /// `store::municipalities::latest_call`).
    pub async fn latest_call(&self) -> Result<Option<call::Model>, DbErr> {
        Ok(self.calls().await?.first().cloned())
    }

    /// The calls as choices for a chooser, in the order of `store::calls::choices`.
    pub async fn call_choices(&self) -> Result<Vec<crate::store::calls::CallChoice>, DbErr> {
        Ok(self
            .calls()
            .await?
            .iter()
            .map(|c| crate::store::calls::CallChoice {
                id: c.id,
                title: c.title.clone(),
                state: c.state,
                submission_opens_at: c.submission_opens_at,
                submission_closes_at: c.submission_closes_at,
                review_days: c.review_days,
            })
            .collect())
    }

    /// A call with its rules and catalog (as `store::rules::call_context`).
    pub async fn call_context(&self, call_id: i64) -> Result<Option<Arc<CallContext>>, DbErr> {
        self.snapshot
            .contexts
            .get_or_load(call_id, || async {
                Ok(rules::call_context(&self.db, call_id).await?.map(Arc::new))
            })
            .await
    }

    /// The whole directory on `on` with the figures of `reference_year` (as
    /// `store::rules::directory`).
    pub async fn directory(
        &self,
        reference_year: i32,
        on: NaiveDate,
    ) -> Result<Arc<DirectoryWithIds>, DbErr> {
        self.snapshot
            .directories
            .get_or_load((reference_year, on), || async {
                Ok(Arc::new(
                    rules::directory(&self.db, reference_year, on).await?,
                ))
            })
            .await
    }

    /// Every municipality row (also those merged away), by id.
    pub async fn municipalities(&self) -> Result<Arc<HashMap<i64, municipality::Model>>, DbErr> {
        self.snapshot
            .municipalities
            .get_or_try_init(|| async {
                let all = municipality::Entity::find().all(&self.db).await?;
                Ok(Arc::new(all.into_iter().map(|m| (m.id, m)).collect()))
            })
            .await
            .cloned()
    }

    /// Every partner organisation, by id.
    pub async fn partners(&self) -> Result<Arc<HashMap<i64, partner_organisation::Model>>, DbErr> {
        self.snapshot
            .partners
            .get_or_try_init(|| async {
                let all = partner_organisation::Entity::find().all(&self.db).await?;
                Ok(Arc::new(all.into_iter().map(|p| (p.id, p)).collect()))
            })
            .await
            .cloned()
    }

    /// Every reference region, by name.
    pub async fn regions(&self) -> Result<Arc<Vec<reference_region::Model>>, DbErr> {
        self.snapshot
            .regions
            .get_or_try_init(|| async {
                let mut all = reference_region::Entity::find().all(&self.db).await?;
                all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
                Ok(Arc::new(all))
            })
            .await
            .cloned()
    }

    /// The population figures of `reference_year`, by municipality id.
    pub async fn figures(
        &self,
        reference_year: i32,
    ) -> Result<Arc<HashMap<i64, population_figure::Model>>, DbErr> {
        self.snapshot
            .figures
            .get_or_load(reference_year, || async {
                let rows = population_figure::Entity::find()
                    .filter(population_figure::Column::ReferenceYear.eq(reference_year))
                    .all(&self.db)
                    .await?;
                Ok(Arc::new(
                    rows.into_iter().map(|f| (f.municipality_id, f)).collect(),
                ))
            })
            .await
    }
}
