//! Organisation codes (admins): change the code of a municipality or partner organisation.
//! The code is checked by `crate::org_codes::check_code`, unique, never one of ABB's own codes,
//! guarded by the row's version and audited.

use serde_json::json;

use super::{Caller, Error, Result, Work};
use crate::domain::fields::FieldErrors;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::organisations::{self, OrgKind};

/// What the edit form typed.
#[derive(Debug, Clone, Default)]
pub struct CodeInput {
    pub org_code: String,
    /// The version the form was read at, as typed (unreadable means stale).
    pub version: String,
}

/// ABB's own organisation codes (nobody else may hold them).
pub fn abb_codes(state: &AppState) -> Vec<String> {
    state
        .config
        .oidc
        .as_ref()
        .map(|o| o.abb_org_codes.clone())
        .unwrap_or_default()
}

/// Sets the code of organisation `kind` `id` (an empty code removes it); answers the sentence
/// that says what it is now. A form read at an older version is [`Error::Stale`].
pub async fn set_org_code(
    state: &AppState,
    caller: &Caller,
    kind: OrgKind,
    id: i64,
    input: &CodeInput,
) -> Result<String> {
    caller.may(state, Action::ManageUsers, None).await?;
    let target = organisations::find(&state.db, kind, id)
        .await?
        .ok_or(Error::NotFound)?;
    if input.version.trim().parse::<i32>().ok() != Some(target.version) {
        return Err(Error::Stale);
    }
    let mut errors = FieldErrors::default();
    let code = match crate::org_codes::check_code(&input.org_code) {
        Ok(code) => code,
        Err(message) => {
            errors.add("org_code", message);
            None
        }
    };
    if let Some(code) = &code {
        if abb_codes(state).contains(code) {
            errors.add(
                "org_code",
                format!(
                    "{code} is de organisatiecode van ABB zelf; kies de code van deze organisatie."
                ),
            );
        } else if let Some(other) = organisations::holder_of(&state.db, code, kind, id).await? {
            errors.add(
                "org_code",
                format!("Organisatiecode {code} hoort al bij {other}. Haal ze daar eerst weg."),
            );
        }
    }
    Error::unless_invalid(errors)?;
    let mut work = Work::begin(state).await?;
    if !organisations::set_org_code(work.txn(), kind, id, target.version, code.clone()).await? {
        return Err(Error::Conflict(
            "Iemand anders wijzigde deze organisatie intussen. Laad de pagina opnieuw.".into(),
        ));
    }
    work.audit(
        caller
            .audit("organisation.org_code_changed", kind.resource_type(), id)
            .before(json!({ "org_code": target.org_code }))
            .after(json!({ "org_code": code })),
    );
    work.commit().await?;
    Ok(match &code {
        Some(code) => format!("De organisatiecode van {} is nu {code}.", target.name),
        None => format!("{} heeft geen organisatiecode meer.", target.name),
    })
}
