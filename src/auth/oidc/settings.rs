//! The OpenID Connect settings, read from the environment with the rest of [`Config`]
//! (`crate::config`). Absent `OIDC_DISCOVERY_URL` and `OIDC_CLIENT_ID` mean "no OpenID
//! Connect": the sign-in page offers passwords only.
//!
//! | setting | meaning | default |
//! |---|---|---|
//! | `OIDC_DISCOVERY_URL` | the provider's discovery document (`…/.well-known/openid-configuration`) | — |
//! | `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` | the client registered at the provider | — |
//! | `OIDC_REDIRECT_URL` | `PUBLIC_URL/aanmelden/vlaanderen/terug` as registered | — |
//! | `OIDC_POST_LOGOUT_REDIRECT_URL` | where the provider sends the user after logging out | `PUBLIC_URL/` |
//! | `OIDC_SCOPES` | scopes asked for, space-separated | `openid profile vo` |
//! | `OIDC_CLAIM_ID`, `OIDC_CLAIM_GIVEN_NAME`, `OIDC_CLAIM_FAMILY_NAME`, `OIDC_CLAIM_EMAIL`, `OIDC_CLAIM_ORG_CODE`, `OIDC_CLAIM_ROLE` | claim names | `vo_id`, `given_name`, `family_name`, `vo_email`, `vo_orgcode`, `abb_subsidiepunt_rol_2d` |
//! | `OIDC_ABB_ORG_CODES` | ABB's own organisation code(s), comma-separated | none |
//! | `OIDC_ROLE_MAP` | role names in the role claim → `official`, `reviewer` or `admin` | `SamenlevenGebruiker=official,SamenlevenBeoordelaar=reviewer,SamenlevenBeheerder=admin` |
//! | `OIDC_CLOCK_SKEW_SECONDS` | how far the provider's clock may differ from ours | 60 |
//!
//! [`Config`]: crate::config::Config

use chrono::Duration;

use entity::app_user::UserRole;

use crate::accounts::RoleExt;
use crate::config::{ConfigError, Secret};

pub const DEFAULT_ROLE_MAP: &str =
    "SamenlevenGebruiker=official,SamenlevenBeoordelaar=reviewer,SamenlevenBeheerder=admin";

/// The names of the claims the provider sends, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// The account at the provider (ACM/IDM: `vo_id`); `sub` when the token lacks it.
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub org_code: String,
    pub role: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            id: "vo_id".into(),
            given_name: "given_name".into(),
            family_name: "family_name".into(),
            email: "vo_email".into(),
            org_code: "vo_orgcode".into(),
            role: "abb_subsidiepunt_rol_2d".into(),
        }
    }
}

/// Role names of the role claim (the part before `:` in `RoleName:OrgCode`) and the role each
/// gives here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMap(Vec<(String, UserRole)>);

impl RoleMap {
    /// Parses `Name=role,Name=role`; roles are `official`, `reviewer`, `admin`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((name, role)) = item.split_once('=') else {
                return Err(format!("'{item}' heeft niet de vorm RolNaam=rol"));
            };
            let (name, role) = (name.trim(), role.trim());
            if name.is_empty() || name.contains(':') {
                return Err(format!(
                    "'{item}': geef de naam van de rol zonder organisatiecode"
                ));
            }
            let Some(role) = UserRole::parse(role) else {
                return Err(format!("'{role}' is geen van official, reviewer, admin"));
            };
            if pairs.iter().any(|(n, _): &(String, UserRole)| n == name) {
                return Err(format!("de rol '{name}' staat er meer dan eens in"));
            }
            pairs.push((name.to_owned(), role));
        }
        if pairs.is_empty() {
            return Err("geef minstens één rol, bijvoorbeeld SamenlevenGebruiker=official".into());
        }
        Ok(Self(pairs))
    }

    /// The role a role name gives, if any.
    pub fn role(&self, name: &str) -> Option<UserRole> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, r)| *r)
    }
}

#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub discovery_url: String,
    /// The issuer the discovery document must name: the discovery URL without
    /// `/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_url: String,
    pub post_logout_redirect_url: String,
    pub scopes: Vec<String>,
    pub claims: ClaimNames,
    /// ABB's organisation codes, normalised (upper case).
    pub abb_org_codes: Vec<String>,
    pub role_map: RoleMap,
    pub clock_skew: Duration,
}

const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// An organisation code as stored and compared: trimmed, upper case.
pub fn normalise_org_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// A URL of the provider or of this application: `https://`, or `http://` on this machine only
/// (tests and a local demo).
fn check_url(key: &'static str, value: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        key,
        reason: format!("'{value}' {reason}"),
    };
    let url = openidconnect::url::Url::parse(value).map_err(|_| invalid("is geen URL"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(value.to_owned()),
        "http" if local => Ok(value.to_owned()),
        _ => Err(invalid("moet met https:// beginnen")),
    }
}

impl OidcSettings {
    /// The settings from `get` (a lookup of non-empty values), `None` when OpenID Connect is not
    /// configured; an error names the setting that is missing or wrong.
    pub fn from_sources<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
        public_url: &str,
    ) -> Result<Option<Self>, ConfigError> {
        if get("OIDC_DISCOVERY_URL").is_none() && get("OIDC_CLIENT_ID").is_none() {
            return Ok(None);
        }
        let required = |key: &'static str| {
            get(key).map(str::trim).ok_or(ConfigError::Invalid {
                key,
                reason: "ontbreekt: OpenID Connect vraagt OIDC_DISCOVERY_URL, OIDC_CLIENT_ID, \
                         OIDC_CLIENT_SECRET en OIDC_REDIRECT_URL"
                    .into(),
            })
        };
        let discovery_url = check_url("OIDC_DISCOVERY_URL", required("OIDC_DISCOVERY_URL")?)?;
        let issuer = discovery_url
            .strip_suffix(WELL_KNOWN)
            .ok_or(ConfigError::Invalid {
                key: "OIDC_DISCOVERY_URL",
                reason: format!("moet eindigen op {WELL_KNOWN}"),
            })?
            .to_owned();
        let client_id = required("OIDC_CLIENT_ID")?.to_owned();
        let client_secret = Secret::new(required("OIDC_CLIENT_SECRET")?);
        let redirect_url = check_url("OIDC_REDIRECT_URL", required("OIDC_REDIRECT_URL")?)?;
        let post_logout_redirect_url = match get("OIDC_POST_LOGOUT_REDIRECT_URL") {
            Some(url) => check_url("OIDC_POST_LOGOUT_REDIRECT_URL", url.trim())?,
            None => format!("{}/", public_url.trim_end_matches('/')),
        };
        let scopes: Vec<String> = get("OIDC_SCOPES")
            .unwrap_or("openid profile vo")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::Invalid {
                key: "OIDC_SCOPES",
                reason: "moet 'openid' bevatten".into(),
            });
        }
        let defaults = ClaimNames::default();
        let name =
            |key: &str, default: String| get(key).map(|v| v.trim().to_owned()).unwrap_or(default);
        let claims = ClaimNames {
            id: name("OIDC_CLAIM_ID", defaults.id),
            given_name: name("OIDC_CLAIM_GIVEN_NAME", defaults.given_name),
            family_name: name("OIDC_CLAIM_FAMILY_NAME", defaults.family_name),
            email: name("OIDC_CLAIM_EMAIL", defaults.email),
            org_code: name("OIDC_CLAIM_ORG_CODE", defaults.org_code),
            role: name("OIDC_CLAIM_ROLE", defaults.role),
        };
        let abb_org_codes = get("OIDC_ABB_ORG_CODES")
            .unwrap_or("")
            .split(',')
            .map(normalise_org_code)
            .filter(|c| !c.is_empty())
            .collect();
        let role_map =
            RoleMap::parse(get("OIDC_ROLE_MAP").unwrap_or(DEFAULT_ROLE_MAP)).map_err(|reason| {
                ConfigError::Invalid {
                    key: "OIDC_ROLE_MAP",
                    reason,
                }
            })?;
        let clock_skew = match get("OIDC_CLOCK_SKEW_SECONDS") {
            None => Duration::seconds(60),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(s) if (0..=300).contains(&s) => Duration::seconds(s),
                _ => {
                    return Err(ConfigError::Invalid {
                        key: "OIDC_CLOCK_SKEW_SECONDS",
                        reason: format!("'{v}' is geen aantal seconden tussen 0 en 300"),
                    });
                }
            },
        };
        Ok(Some(Self {
            discovery_url,
            issuer,
            client_id,
            client_secret,
            redirect_url,
            post_logout_redirect_url,
            scopes,
            claims,
            abb_org_codes,
            role_map,
            clock_skew,
        }))
    }

    /// Whether `code` (normalised) is one of ABB's own codes.
    pub fn is_abb(&self, code: &str) -> bool {
        self.abb_org_codes.iter().any(|c| c == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Option<OidcSettings>, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        OidcSettings::from_sources(
            |k| map.get(k).map(String::as_str),
            "https://samenleven.test",
        )
    }

    const COMPLETE: [(&str, &str); 4] = [
        (
            "OIDC_DISCOVERY_URL",
            "https://authenticatie.vlaanderen.be/op/.well-known/openid-configuration",
        ),
        ("OIDC_CLIENT_ID", "samenleven"),
        ("OIDC_CLIENT_SECRET", "heel-geheim"),
        (
            "OIDC_REDIRECT_URL",
            "https://samenleven.test/aanmelden/vlaanderen/terug",
        ),
    ];

    #[test]
    fn without_a_discovery_url_or_client_there_is_no_openid_connect() {
        assert!(settings(&[]).unwrap().is_none());
    }

    #[test]
    fn complete_settings_get_the_acm_defaults() {
        let s = settings(&COMPLETE).unwrap().unwrap();
        assert_eq!(s.issuer, "https://authenticatie.vlaanderen.be/op");
        assert_eq!(s.claims, ClaimNames::default());
        assert_eq!(s.claims.role, "abb_subsidiepunt_rol_2d");
        assert_eq!(
            s.role_map.role("SamenlevenBeheerder"),
            Some(UserRole::Admin)
        );
        assert_eq!(s.clock_skew, Duration::seconds(60));
        assert_eq!(s.post_logout_redirect_url, "https://samenleven.test/");
        assert!(
            !format!("{s:?}").contains("heel-geheim"),
            "the secret never prints"
        );
    }

    #[test]
    fn a_missing_or_wrong_setting_is_named() {
        let err = settings(&COMPLETE[..3]).unwrap_err();
        assert!(err.to_string().contains("OIDC_REDIRECT_URL"), "{err}");
        let mut pairs = COMPLETE.to_vec();
        pairs[0].1 = "http://elders.example/.well-known/openid-configuration";
        let err = settings(&pairs).unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        pairs[0].1 = "https://elders.example/op";
        assert!(
            settings(&pairs).is_err(),
            "not a discovery document address"
        );
        let mut pairs = COMPLETE.to_vec();
        pairs.push(("OIDC_ROLE_MAP", "Beheerder=baas"));
        let err = settings(&pairs).unwrap_err();
        assert!(err.to_string().contains("OIDC_ROLE_MAP"), "{err}");
    }

    #[test]
    fn the_role_map_reads_names_and_roles_and_refuses_the_rest() {
        let map = RoleMap::parse(" A = official , B=admin").unwrap();
        assert_eq!(map.role("A"), Some(UserRole::Official));
        assert_eq!(map.role("B"), Some(UserRole::Admin));
        assert_eq!(map.role("C"), None);
        for bad in ["", "A", "A=boss", "A:OVO1=admin", "A=admin,A=official"] {
            assert!(RoleMap::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_role_claim_name_and_abb_codes_are_configurable() {
        let mut pairs = COMPLETE.to_vec();
        pairs.push(("OIDC_CLAIM_ROLE", "mijn_rol"));
        pairs.push(("OIDC_ABB_ORG_CODES", " ovo001 , OVO002,"));
        let s = settings(&pairs).unwrap().unwrap();
        assert_eq!(s.claims.role, "mijn_rol");
        assert!(s.is_abb("OVO001") && s.is_abb("OVO002") && !s.is_abb("OVO003"));
    }
}
