//! Signing in through OAuth2/OpenID Connect providers: what the sign-in page offers,
//! the identities linked to an account, and why a provider sign-in failed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A configured provider, as a sign-in button shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderInfo {
    /// The name in its URLs: `/auth/{name}/login`.
    pub name: String,
    /// The button's text: "Sign in with {label}".
    pub label: String,
}

/// The ways in this instance offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignInOptions {
    /// Whether email and password work (an admin may turn them off).
    pub password: bool,
    pub providers: Vec<ProviderInfo>,
}

/// A provider identity linked to the signed-in account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Identity {
    pub id: Uuid,
    /// The provider's name; its label when it is still configured.
    pub provider: String,
    pub label: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
}

/// The signed-in account's ways in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignInMethods {
    /// Whether the password signs in: the account has one and password sign-in is on.
    pub password: bool,
    /// Whether the account has a password at all (it may be changed even while
    /// password sign-in is off).
    pub has_password: bool,
    pub identities: Vec<Identity>,
    /// Providers the account may still connect.
    pub available: Vec<ProviderInfo>,
}

/// Instance-wide settings an admin chooses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceSettings {
    pub password_sign_in: bool,
}

/// Why a provider sign-in did not end signed in; carried as `?error=` to the page the
/// browser lands on, which explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInFailure {
    UnknownProvider,
    /// The provider said no (the user cancelled, or the app is not allowed).
    Denied,
    /// The callback's `state` is unknown, used already, or from another browser.
    InvalidState,
    Expired,
    /// The provider could not be reached or answered nonsense.
    ProviderUnavailable,
    /// The code exchange or the ID token failed a check.
    Rejected,
    NoEmail,
    /// The email belongs to an account that this identity is not linked to.
    EmailInUse,
    /// The identity belongs to another account.
    LinkedElsewhere,
    AccountDisabled,
    TooManyAttempts,
    /// Linking needs the account signed in, in this browser, to be the one that asked.
    NotSignedIn,
    /// Connecting a provider was started from another site's page.
    CrossSite,
    /// The provider's email domain may not make accounts here.
    DomainNotAllowed,
    Internal,
}

impl SignInFailure {
    const ALL: [Self; 15] = [
        Self::UnknownProvider,
        Self::Denied,
        Self::InvalidState,
        Self::Expired,
        Self::ProviderUnavailable,
        Self::Rejected,
        Self::NoEmail,
        Self::EmailInUse,
        Self::LinkedElsewhere,
        Self::AccountDisabled,
        Self::TooManyAttempts,
        Self::NotSignedIn,
        Self::CrossSite,
        Self::DomainNotAllowed,
        Self::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownProvider => "unknown_provider",
            Self::Denied => "denied",
            Self::InvalidState => "invalid_state",
            Self::Expired => "expired",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::Rejected => "rejected",
            Self::NoEmail => "no_email",
            Self::EmailInUse => "email_in_use",
            Self::LinkedElsewhere => "linked_elsewhere",
            Self::AccountDisabled => "account_disabled",
            Self::TooManyAttempts => "too_many_attempts",
            Self::NotSignedIn => "not_signed_in",
            Self::CrossSite => "cross_site",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::Internal => "internal",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the person is told, and what they can do about it.
    pub fn message(self) -> &'static str {
        match self {
            Self::UnknownProvider => "That sign-in provider is not set up on this instance.",
            Self::Denied => "The provider did not let you sign in (perhaps you cancelled). Nothing was changed.",
            Self::InvalidState => {
                "That sign-in link was already used or started in another browser. Please start again here."
            }
            Self::Expired => "The sign-in took too long and expired. Please start again.",
            Self::ProviderUnavailable => "The provider could not be reached. Please try again in a moment.",
            Self::Rejected => "The provider's answer did not pass our checks, so you were not signed in.",
            Self::NoEmail => "The provider did not share an email address it has verified, which an account needs.",
            Self::EmailInUse => {
                "An account with this email already exists. Sign in the way you did before, then connect \
                 this provider in Settings."
            }
            Self::LinkedElsewhere => "That provider account is already connected to another Tandem account.",
            Self::AccountDisabled => "This account is disabled; ask an admin of this instance.",
            Self::TooManyAttempts => "Too many sign-in attempts from here. Please wait a few minutes.",
            Self::NotSignedIn => "Sign in first to connect another way in to your account.",
            Self::CrossSite => "Connecting a provider must be started from Settings here. Nothing was changed.",
            Self::DomainNotAllowed => {
                "Accounts here are only for some email domains, and this one is not among them; ask an admin."
            }
            Self::Internal => "Something went wrong on our side. Please try again.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SignInFailure;

    #[test]
    fn failure_codes_round_trip_and_unknown_codes_are_ignored() {
        for failure in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_code(failure.code()), Some(failure));
            assert!(failure.message().ends_with('.'));
        }
        assert_eq!(SignInFailure::from_code("<script>"), None);
    }
}
