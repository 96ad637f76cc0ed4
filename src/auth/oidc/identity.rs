//! Who the provider says someone is, and what that makes them here. Pure: the claims of a
//! verified ID token become an [`Identity`]; the identity and the kind of organisation its code
//! names become a [`Grant`] (role and organisation) or a [`Refusal`].
//!
//! The role claim holds one value or a list, each `RoleName:OrgCode` (ACM/IDM) or `RoleName`.
//! Only values for the organisation the user signed in for (`vo_orgcode`) count. ABB's codes
//! give reviewer or admin (the highest named); a municipality's or partner's code gives
//! official; anything else is refused.

use serde_json::{Map, Value};

use entity::app_user::UserRole;

use super::settings::{OidcSettings, normalise_org_code};

/// What the verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's account id (`vo_id`, else `sub`).
    pub subject: String,
    pub name: String,
    /// In lower case, if the token has one.
    pub email: Option<String>,
    /// Normalised (upper case), if the token has one.
    pub org_code: Option<String>,
    /// Roles named for this organisation (or without organisation), mapped by the role map.
    pub roles: Vec<UserRole>,
    /// The raw role values, for the audit trail.
    pub role_values: Vec<String>,
}

/// What kind of organisation an organisation code names here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Organisation {
    Abb,
    Municipality(i64),
    Partner(i64),
    Unknown,
}

/// The account a person gets: role and organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub role: UserRole,
    pub municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
}

/// Why the claims give no account here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A claim we cannot do without is missing (its name).
    MissingClaim(String),
    /// No organisation code, or one that is neither ABB nor a known municipality or partner.
    UnknownOrganisation(Option<String>),
    /// No role of this application for this organisation.
    NoRole,
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads the identity from the claims of a verified ID token.
pub fn identity(claims: &Map<String, Value>, settings: &OidcSettings) -> Result<Identity, Refusal> {
    let names = &settings.claims;
    let subject = text(claims, &names.id)
        .or_else(|| text(claims, "sub"))
        .ok_or_else(|| Refusal::MissingClaim(names.id.clone()))?;
    let given = text(claims, &names.given_name).unwrap_or_default();
    let family = text(claims, &names.family_name).unwrap_or_default();
    let name = format!("{given} {family}").trim().to_owned();
    if name.is_empty() {
        return Err(Refusal::MissingClaim(names.family_name.clone()));
    }
    let email = text(claims, &names.email).map(|e| e.to_lowercase());
    let role_values: Vec<String> = match claims.get(&names.role) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    // Role values of this application, with the organisation each names.
    let ours: Vec<(UserRole, Option<String>)> = role_values
        .iter()
        .filter_map(|value| {
            let (role_name, org) = match value.split_once(':') {
                Some((role_name, org)) => (role_name.trim(), Some(normalise_org_code(org))),
                None => (value.trim(), None),
            };
            settings.role_map.role(role_name).map(|role| (role, org))
        })
        .collect();
    let org_code = text(claims, &names.org_code)
        .map(|c| normalise_org_code(&c))
        .or_else(|| {
            // Without the organisation claim, the one organisation the roles name.
            let mut orgs: Vec<&String> = ours.iter().filter_map(|(_, o)| o.as_ref()).collect();
            orgs.dedup();
            (orgs.len() == 1).then(|| orgs[0].clone())
        });
    let mut roles: Vec<UserRole> = ours
        .iter()
        .filter(|(_, org)| org.is_none() || *org == org_code)
        .map(|(role, _)| *role)
        .collect();
    roles.dedup();
    Ok(Identity {
        subject,
        name,
        email,
        org_code,
        roles,
        role_values,
    })
}

/// The account the identity gets, given what its organisation code names.
pub fn grant(identity: &Identity, organisation: Organisation) -> Result<Grant, Refusal> {
    let has = |role| identity.roles.contains(&role);
    match organisation {
        Organisation::Unknown => Err(Refusal::UnknownOrganisation(identity.org_code.clone())),
        Organisation::Abb => {
            let role = if has(UserRole::Admin) {
                UserRole::Admin
            } else if has(UserRole::Reviewer) {
                UserRole::Reviewer
            } else {
                return Err(Refusal::NoRole);
            };
            Ok(Grant {
                role,
                municipality_id: None,
                partner_organisation_id: None,
            })
        }
        Organisation::Municipality(id) if has(UserRole::Official) => Ok(Grant {
            role: UserRole::Official,
            municipality_id: Some(id),
            partner_organisation_id: None,
        }),
        Organisation::Partner(id) if has(UserRole::Official) => Ok(Grant {
            role: UserRole::Official,
            municipality_id: None,
            partner_organisation_id: Some(id),
        }),
        Organisation::Municipality(_) | Organisation::Partner(_) => Err(Refusal::NoRole),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::oidc::settings::{ClaimNames, DEFAULT_ROLE_MAP, RoleMap};
    use crate::config::Secret;
    use serde_json::json;

    fn settings() -> OidcSettings {
        OidcSettings {
            discovery_url: "https://op.test/.well-known/openid-configuration".into(),
            issuer: "https://op.test".into(),
            client_id: "samenleven".into(),
            client_secret: Secret::new("x"),
            redirect_url: "https://app.test/aanmelden/vlaanderen/terug".into(),
            post_logout_redirect_url: "https://app.test/".into(),
            scopes: vec!["openid".into()],
            claims: ClaimNames::default(),
            abb_org_codes: vec!["OVO1".into()],
            role_map: RoleMap::parse(DEFAULT_ROLE_MAP).unwrap(),
            clock_skew: chrono::Duration::seconds(60),
        }
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn the_claims_of_acm_give_name_email_organisation_and_roles() {
        let id = identity(
            &claims(json!({
                "sub": "s", "vo_id": "v-1", "given_name": "Els", "family_name": "Verbeke",
                "vo_email": "Els@Antwerpen.BE", "vo_orgcode": "ovo2",
                "abb_subsidiepunt_rol_2d": ["SamenlevenGebruiker:OVO2", "Ander:OVO2",
                                            "SamenlevenBeheerder:OVO1"]
            })),
            &settings(),
        )
        .unwrap();
        assert_eq!(id.subject, "v-1");
        assert_eq!(id.name, "Els Verbeke");
        assert_eq!(id.email.as_deref(), Some("els@antwerpen.be"));
        assert_eq!(id.org_code.as_deref(), Some("OVO2"));
        assert_eq!(
            id.roles,
            vec![UserRole::Official],
            "only roles for the chosen organisation"
        );
        assert_eq!(id.role_values.len(), 3);
    }

    #[test]
    fn a_single_role_value_and_no_organisation_claim_name_the_organisation() {
        let id = identity(
            &claims(json!({"sub": "s", "family_name": "Claes",
                           "abb_subsidiepunt_rol_2d": "SamenlevenBeoordelaar:OVO1"})),
            &settings(),
        )
        .unwrap();
        assert_eq!(id.subject, "s", "sub when vo_id is missing");
        assert_eq!(id.org_code.as_deref(), Some("OVO1"));
        assert_eq!(id.roles, vec![UserRole::Reviewer]);
    }

    #[test]
    fn a_token_without_subject_or_name_is_refused() {
        assert_eq!(
            identity(&claims(json!({"given_name": "X"})), &settings()),
            Err(Refusal::MissingClaim("vo_id".into()))
        );
        assert!(matches!(
            identity(&claims(json!({"vo_id": "v"})), &settings()),
            Err(Refusal::MissingClaim(_))
        ));
    }

    fn with_roles(roles: &[UserRole]) -> Identity {
        Identity {
            subject: "v".into(),
            name: "N".into(),
            email: None,
            org_code: Some("OVO9".into()),
            roles: roles.to_vec(),
            role_values: Vec::new(),
        }
    }

    #[test]
    fn abb_staff_get_their_highest_role_and_no_organisation() {
        use UserRole::*;
        let admin = grant(&with_roles(&[Reviewer, Admin]), Organisation::Abb).unwrap();
        assert_eq!((admin.role, admin.municipality_id), (Admin, None));
        assert_eq!(
            grant(&with_roles(&[Reviewer]), Organisation::Abb)
                .unwrap()
                .role,
            Reviewer
        );
        assert_eq!(
            grant(&with_roles(&[Official]), Organisation::Abb),
            Err(Refusal::NoRole)
        );
    }

    #[test]
    fn officials_belong_to_their_municipality_or_partner_and_only_as_official() {
        use UserRole::*;
        let g = grant(&with_roles(&[Official]), Organisation::Municipality(7)).unwrap();
        assert_eq!(
            (g.role, g.municipality_id, g.partner_organisation_id),
            (Official, Some(7), None)
        );
        let g = grant(&with_roles(&[Official]), Organisation::Partner(3)).unwrap();
        assert_eq!(
            (g.municipality_id, g.partner_organisation_id),
            (None, Some(3))
        );
        assert_eq!(
            grant(&with_roles(&[Admin]), Organisation::Municipality(7)),
            Err(Refusal::NoRole),
            "a municipality cannot make someone an ABB admin"
        );
        assert_eq!(
            grant(&with_roles(&[]), Organisation::Partner(3)),
            Err(Refusal::NoRole)
        );
    }

    #[test]
    fn an_unknown_organisation_is_refused_whatever_the_roles() {
        assert_eq!(
            grant(&with_roles(&[UserRole::Admin]), Organisation::Unknown),
            Err(Refusal::UnknownOrganisation(Some("OVO9".into())))
        );
    }
}
