//! What a user manages about their own access: signed-in browsers, personal API tokens,
//! their password; and what an instance admin manages about accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::input::char_len;
use super::{AppError, User, Violations};

/// What a token may do: `read` tokens are refused for anything but reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    #[default]
    ReadWrite,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "read_write" => Some(Self::ReadWrite),
            _ => None,
        }
    }

    /// Whether a request with this HTTP method is within the scope.
    pub fn allows(self, method: &str) -> bool {
        self == Self::ReadWrite || matches!(method, "GET" | "HEAD" | "OPTIONS")
    }
}

/// How a session came to be: a browser sign-in, the token endpoint, or a personal
/// token made in the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    Browser,
    Api,
    Personal,
}

/// A signed-in browser or a token, as its owner sees it. The secret is never shown again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessInfo {
    pub id: Uuid,
    pub kind: AccessKind,
    /// The device (browser and system) for sessions; the name given for tokens.
    pub name: Option<String>,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The session or token that asked.
    pub current: bool,
}

/// A personal API token to make.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    #[serde(default)]
    pub scope: TokenScope,
    /// 1 to 365; 90 when absent.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

pub const DEFAULT_TOKEN_DAYS: i64 = 90;

impl NewToken {
    pub fn normalized(self) -> Result<Self, AppError> {
        let token = Self { name: self.name.trim().to_owned(), ..self };
        let mut v = Violations::default();
        v.check(!token.name.is_empty(), "name", "must not be empty");
        v.check(char_len(&token.name) <= 100, "name", "must be at most 100 characters");
        let days = token.expires_in_days.unwrap_or(DEFAULT_TOKEN_DAYS);
        v.check((1..=365).contains(&days), "expires_in_days", "must be between 1 and 365");
        v.into_result()?;
        Ok(Self { expires_in_days: Some(days), ..token })
    }
}

/// A token just made: `token` is shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: String,
    #[serde(flatten)]
    pub info: AccessInfo,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

impl PasswordChange {
    pub fn validate(&self) -> Result<(), AppError> {
        let mut v = Violations::default();
        v.check(char_len(&self.new_password) >= 8, "new_password", "must be at least 8 characters");
        v.check(char_len(&self.new_password) <= 1024, "new_password", "must be at most 1024 characters");
        v.into_result()
    }
}

/// An account as an instance admin sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountInfo {
    #[serde(flatten)]
    pub user: User,
    pub disabled: bool,
}

/// What an instance admin may change about an account.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub is_admin: Option<bool>,
    pub disabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_tokens_only_read() {
        assert!(TokenScope::Read.allows("GET") && TokenScope::Read.allows("HEAD"));
        for method in ["POST", "PATCH", "PUT", "DELETE"] {
            assert!(!TokenScope::Read.allows(method), "{method}");
            assert!(TokenScope::ReadWrite.allows(method), "{method}");
        }
    }

    #[test]
    fn new_tokens_need_a_name_and_a_sane_lifetime() {
        let token = |name: &str, days| NewToken { name: name.into(), scope: TokenScope::Read, expires_in_days: days };
        assert_eq!(token(" ci ", None).normalized().unwrap().expires_in_days, Some(DEFAULT_TOKEN_DAYS));
        assert_eq!(token(" ci ", None).normalized().unwrap().name, "ci");
        assert!(token("  ", None).normalized().unwrap_err().field_error("name").is_some());
        assert!(token("ci", Some(0)).normalized().unwrap_err().field_error("expires_in_days").is_some());
        assert!(token("ci", Some(366)).normalized().is_err());
    }
}
