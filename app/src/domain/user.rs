use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::input::char_len;
use super::{AppError, NotificationPrefs, NotificationPrefsPatch, Violations};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    /// IANA name, e.g. `Europe/Berlin`; dates are shown in it.
    pub timezone: String,
    /// A picture from the sign-in provider, when the account came from one.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// The shortest of `reminder_leads_minutes`; 0 when there are none.
    #[serde(default = "default_lead")]
    pub reminder_lead_minutes: u32,
    /// Each lead time before a task's due time at which `due_soon` reminds them, longest
    /// first; empty: never.
    #[serde(default = "default_leads")]
    pub reminder_leads_minutes: Vec<u32>,
    /// Which notifications reach them, on which channels, and their quiet hours.
    #[serde(default)]
    pub notifications: NotificationPrefs,
}

fn default_lead() -> u32 {
    DEFAULT_REMINDER_LEAD_MINUTES
}

fn default_leads() -> Vec<u32> {
    vec![DEFAULT_REMINDER_LEAD_MINUTES]
}

/// How many lead times a person may have.
pub const MAX_REMINDER_LEADS: usize = 4;

/// An hour ahead, unless the person chooses otherwise.
pub const DEFAULT_REMINDER_LEAD_MINUTES: u32 = 60;
/// The longest lead time: a week.
pub const MAX_REMINDER_LEAD_MINUTES: u32 = 7 * 24 * 60;

/// The signed-in user as the UI sees them: with their time zone's offsets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    pub zone: super::Zone,
    /// The channels this instance can reach people on (email needs an SMTP server).
    pub channels: Vec<super::Channel>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub email: String,
    pub name: String,
    pub password: String,
}

impl Registration {
    /// Trims and lower-cases what should be, then checks every field.
    pub fn normalized(self) -> Result<Self, AppError> {
        let reg =
            Self { email: normalize_email(&self.email), name: self.name.trim().to_owned(), password: self.password };
        let mut v = Violations::default();
        v.check(is_plausible_email(&reg.email), "email", "must be a valid email address");
        check_name(&mut v, &reg.name);
        v.check(char_len(&reg.password) >= 8, "password", "must be at least 8 characters");
        v.check(char_len(&reg.password) <= 1024, "password", "must be at most 1024 characters");
        v.into_result()?;
        Ok(reg)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    pub name: Option<String>,
    pub timezone: Option<String>,
    /// Minutes before a due time to be reminded, up to a week; 0 turns `due_soon` off.
    /// Replaces all lead times with this one.
    pub reminder_lead_minutes: Option<u32>,
    /// Several lead times at once (up to 4, each 1 to 10080 minutes); `[]` turns
    /// `due_soon` off. Not together with `reminder_lead_minutes`.
    pub reminder_leads_minutes: Option<Vec<u32>>,
    /// The notification kinds named change; the others stay as they are.
    pub notifications: Option<NotificationPrefsPatch>,
}

impl MePatch {
    pub fn normalized(self) -> Result<Self, AppError> {
        let patch = Self {
            name: self.name.map(|n| n.trim().to_owned()),
            timezone: self.timezone.map(|t| t.trim().to_owned()),
            reminder_lead_minutes: self.reminder_lead_minutes,
            reminder_leads_minutes: self.reminder_leads_minutes.map(|mut leads| {
                leads.sort_unstable_by(|a, b| b.cmp(a));
                leads.dedup();
                leads
            }),
            notifications: self.notifications.map(NotificationPrefsPatch::normalized).transpose()?,
        };
        let mut v = Violations::default();
        if let Some(name) = &patch.name {
            check_name(&mut v, name);
        }
        if let Some(tz) = &patch.timezone {
            // Whether the zone exists is checked by the server, which has the time zone database.
            v.check(
                !tz.is_empty() && tz.len() <= 64 && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c)),
                "timezone",
                TIMEZONE_MESSAGE,
            );
        }
        if let Some(lead) = patch.reminder_lead_minutes {
            v.check(lead <= MAX_REMINDER_LEAD_MINUTES, "reminder_lead_minutes", "must be at most a week (10080)");
            v.check(
                patch.reminder_leads_minutes.is_none(),
                "reminder_lead_minutes",
                "cannot be given with reminder_leads_minutes",
            );
        }
        if let Some(leads) = &patch.reminder_leads_minutes {
            let field = "reminder_leads_minutes";
            v.check(leads.len() <= MAX_REMINDER_LEADS, field, "may hold at most 4 lead times");
            v.check(
                leads.iter().all(|m| (1..=MAX_REMINDER_LEAD_MINUTES).contains(m)),
                field,
                "must each be 1 to 10080 minutes",
            );
        }
        v.into_result()?;
        Ok(patch)
    }
}

impl MePatch {
    /// The lead times this patch sets, longest first, whichever field named them.
    pub fn leads(&self) -> Option<Vec<u32>> {
        match (&self.reminder_leads_minutes, self.reminder_lead_minutes) {
            (Some(leads), _) => Some(leads.clone()),
            (None, Some(0)) => Some(Vec::new()),
            (None, Some(lead)) => Some(vec![lead]),
            (None, None) => None,
        }
    }
}

pub const TIMEZONE_MESSAGE: &str = "must be an IANA time zone such as Europe/Berlin";

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The email and name of an account made from a provider's profile: the email
/// normalized (`None` when not plausible), the name trimmed to the limit, or the email's
/// local part when the provider gave none.
pub fn provider_account(email: &str, name: Option<&str>) -> Option<(String, String)> {
    let email = normalize_email(email);
    if !is_plausible_email(&email) {
        return None;
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or_else(|| email.split('@').next().unwrap_or(""));
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    Some((email, name))
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_name(v: &mut Violations, name: &str) {
    v.check(!name.is_empty(), "name", "must not be empty");
    v.check(char_len(name) <= 100, "name", "must be at most 100 characters");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_profiles_make_valid_accounts() {
        assert_eq!(
            provider_account(" Ada@Example.COM ", Some("  Ada Lovelace ")),
            Some(("ada@example.com".into(), "Ada Lovelace".into()))
        );
        assert_eq!(provider_account("ada@example.com", None), Some(("ada@example.com".into(), "ada".into())));
        let long = "x".repeat(300);
        assert_eq!(provider_account("a@b.co", Some(&long)).unwrap().1.chars().count(), 100);
        assert_eq!(provider_account("not-an-email", Some("A")), None);
    }

    fn reg(email: &str, name: &str, password: &str) -> Registration {
        Registration { email: email.into(), name: name.into(), password: password.into() }
    }

    #[test]
    fn registration_normalizes_email_and_name() {
        let r = reg("  Ada@Example.COM ", " Ada ", "correct horse").normalized().unwrap();
        assert_eq!(r.email, "ada@example.com");
        assert_eq!(r.name, "Ada");
    }

    #[test]
    fn registration_rejects_short_password_and_bad_email_together() {
        let err = reg("not-an-email", "Ada", "short").normalized().unwrap_err();
        assert_eq!(err.field_error("email").as_deref(), Some("must be a valid email address"));
        assert_eq!(err.field_error("password").as_deref(), Some("must be at least 8 characters"));
    }

    #[test]
    fn me_patch_rejects_malformed_timezone() {
        let patch = MePatch { timezone: Some("Mars Olympus!".into()), ..Default::default() };
        assert!(patch.normalized().unwrap_err().field_error("timezone").is_some());
        let ok = MePatch { timezone: Some("Europe/Berlin".into()), ..Default::default() };
        assert!(ok.normalized().is_ok());
    }

    #[test]
    fn lead_times_reach_at_most_a_week() {
        let lead = |m| MePatch { reminder_lead_minutes: Some(m), ..Default::default() }.normalized();
        assert!(lead(0).is_ok() && lead(MAX_REMINDER_LEAD_MINUTES).is_ok());
        assert!(lead(MAX_REMINDER_LEAD_MINUTES + 1).unwrap_err().field_error("reminder_lead_minutes").is_some());
    }
}
