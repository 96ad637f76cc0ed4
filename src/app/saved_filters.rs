//! A reviewer's saved inbox filters: save the inbox's current query under a name (replacing a
//! filter of that name), list and delete one's own. The rules are in
//! [`crate::domain::saved_filters`]; the web adapter turns the inbox's query into its canonical
//! query string before it is saved.

use entity::saved_filter;

use super::{Caller, Error, Result};
use crate::domain::saved_filters::{may_save, read_name, same_name};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::saved_filters as store;

/// What saving came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub name: String,
    /// A filter of that name existed and now has the new query.
    pub replaced: bool,
}

/// The caller's saved filters, by name.
pub async fn mine(state: &AppState, caller: &Caller) -> Result<Vec<saved_filter::Model>> {
    caller.may(state, Action::ReviewDossier, None).await?;
    let user = caller.user_id().ok_or(Error::NotFound)?;
    Ok(store::of_user(&state.db, user).await?)
}

/// Saves the inbox `query` as the caller's filter `name` (as typed).
pub async fn save(state: &AppState, caller: &Caller, name: &str, query: &str) -> Result<Saved> {
    caller.may(state, Action::ReviewDossier, None).await?;
    let user = caller.user_id().ok_or(Error::NotFound)?;
    let name = read_name(name).map_err(|message| Error::field("naam", message))?;
    let existing = store::of_user(&state.db, user).await?;
    let same = existing.iter().find(|f| same_name(&f.name, &name));
    may_save(existing.len(), same.is_some()).map_err(|message| Error::field("naam", message))?;
    match same {
        Some(filter) => store::replace(&state.db, filter.id, &name, query).await?,
        None => {
            store::insert(&state.db, user, &name, query, caller.now).await?;
        }
    }
    Ok(Saved {
        name,
        replaced: same.is_some(),
    })
}

/// Deletes the caller's filter `id`; another person's filter does not exist for the caller.
pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    caller.may(state, Action::ReviewDossier, None).await?;
    let user = caller.user_id().ok_or(Error::NotFound)?;
    if store::delete(&state.db, user, id).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}
