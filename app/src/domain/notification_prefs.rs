//! What each person wants to hear about and how: for every kind of notification the
//! channels it goes to, and quiet hours during which email waits.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::input::double_option;
use super::{AppError, NotificationKind, Violations};

/// Where a notification can reach someone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The notification list and its unread badge, live over the WebSocket.
    App,
    /// An email, when the instance has an SMTP server (`TANDEM_SMTP_URL`).
    Email,
    /// A web push notification on each device the person turned push on for.
    Push,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::App, Channel::Email, Channel::Push];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Email => "email",
            Self::Push => "push",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::App => "In the app",
            Self::Email => "By email",
            Self::Push => "Push",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotificationPrefs {
    /// For each kind, the channels it goes to; an empty list turns it off. Any channel
    /// keeps the notification in the list; without `app` it arrives already read.
    #[schema(value_type = BTreeMap<String, Vec<Channel>>)]
    pub events: BTreeMap<NotificationKind, Vec<Channel>>,
    /// Email waits while these are in force, in the person's own time zone.
    pub quiet_hours: Option<QuietHours>,
    /// When the daily digest of the day's and overdue tasks comes, local time (`HH:MM`);
    /// `None`: no digest.
    #[serde(default, with = "hh_mm_option")]
    #[schema(value_type = Option<String>, example = "08:00")]
    pub digest_at: Option<NaiveTime>,
}

impl Default for NotificationPrefs {
    fn default() -> Self {
        let events = NotificationKind::ALL.into_iter().map(|kind| (kind, default_channels(kind))).collect();
        Self { events, quiet_hours: None, digest_at: None }
    }
}

/// Everything in the app; by email and push what asks something of the person.
fn default_channels(kind: NotificationKind) -> Vec<Channel> {
    match kind {
        NotificationKind::TaskUpdated | NotificationKind::CommentAdded => vec![Channel::App],
        _ => vec![Channel::App, Channel::Email, Channel::Push],
    }
}

impl NotificationPrefs {
    /// Preferences as stored, with defaults for kinds added since they were saved; what
    /// cannot be read at all gives the defaults.
    pub fn from_stored(json: &str) -> Self {
        let mut prefs: Self = serde_json::from_str(json).unwrap_or_default();
        for kind in NotificationKind::ALL {
            prefs.events.entry(kind).or_insert_with(|| default_channels(kind));
        }
        prefs
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn channels(&self, kind: NotificationKind) -> &[Channel] {
        self.events.get(&kind).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn wants(&self, kind: NotificationKind, channel: Channel) -> bool {
        self.channels(kind).contains(&channel)
    }

    /// These preferences with a patch applied.
    pub fn patched(&self, patch: &NotificationPrefsPatch) -> Self {
        let mut next = self.clone();
        for (kind, channels) in &patch.events {
            next.events.insert(*kind, channels.clone());
        }
        if let Some(quiet) = &patch.quiet_hours {
            next.quiet_hours = *quiet;
        }
        if let Some(digest_at) = patch.digest_at {
            next.digest_at = digest_at;
        }
        next
    }
}

/// The instant a local wall-clock time names: the earlier of two in a repeated hour, an
/// hour later for one skipped by a clock change.
pub fn local_to_utc<Tz: TimeZone>(zone: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(local + TimeDelta::hours(1))).earliest())
        .map(|at| at.with_timezone(&Utc))
}

/// A span of local time, possibly across midnight (22:00 to 07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`, local time.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "22:00")]
    pub from: NaiveTime,
    /// `HH:MM`, local time; the first minute that is no longer quiet.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "07:00")]
    pub to: NaiveTime,
}

impl QuietHours {
    /// When the quiet hours in force at `now` end; `None` when `now` is outside them.
    pub fn end_after<Tz: TimeZone>(&self, now: DateTime<Utc>, zone: &Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(zone).naive_local();
        let time = local.time();
        let inside = if self.from <= self.to {
            self.from <= time && time < self.to
        } else {
            time >= self.from || time < self.to
        };
        if !inside {
            return None;
        }
        let day = if time < self.to { local.date() } else { local.date() + TimeDelta::days(1) };
        let end = local_to_utc(zone, day.and_time(self.to)).unwrap_or(now + TimeDelta::hours(1));
        Some(end.max(now))
    }

    /// `22:00–07:00`.
    pub fn describe(&self) -> String {
        format!("{}–{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
    }
}

/// A change to someone's notification preferences: the kinds it names and, when
/// present, the quiet hours (`null` turns them off).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefsPatch {
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, Vec<Channel>>)]
    pub events: BTreeMap<NotificationKind, Vec<Channel>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<Option<QuietHours>>,
    /// `HH:MM` local time for the daily digest; `null` turns it off.
    #[serde(default, deserialize_with = "digest_at_patch", skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "serialize_digest_at_patch")]
    #[schema(value_type = Option<String>, example = "08:00")]
    pub digest_at: Option<Option<NaiveTime>>,
}

fn digest_at_patch<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveTime>>, D::Error> {
    hh_mm_option::deserialize(d).map(Some)
}

fn serialize_digest_at_patch<S: serde::Serializer>(value: &Option<Option<NaiveTime>>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(inner) => hh_mm_option::serialize(inner, s),
        None => s.serialize_none(),
    }
}

impl NotificationPrefsPatch {
    /// Each kind's channels once, in order; quiet hours that span some time.
    pub fn normalized(mut self) -> Result<Self, AppError> {
        for channels in self.events.values_mut() {
            channels.sort();
            channels.dedup();
        }
        let mut v = Violations::default();
        if let Some(Some(quiet)) = &self.quiet_hours {
            v.check(quiet.from != quiet.to, "notifications.quiet_hours", "must end at another time than it starts");
        }
        v.into_result()?;
        Ok(self)
    }
}

/// An optional `NaiveTime` as `HH:MM` or `null`.
mod hh_mm_option {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => super::hh_mm::serialize(time, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => super::hh_mm::parse(&text).map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// `NaiveTime` as `HH:MM` (seconds are accepted and dropped).
mod hh_mm {
    use chrono::{NaiveTime, Timelike};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    pub fn parse(text: &str) -> Result<NaiveTime, String> {
        NaiveTime::parse_from_str(text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
            .map(|t| t.with_second(0).unwrap_or(t))
            .map_err(|_| format!("{text:?} is not a time of day such as 22:00"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn quiet(from: &str, to: &str) -> QuietHours {
        serde_json::from_value(serde_json::json!({ "from": from, "to": to })).unwrap()
    }

    #[test]
    fn quiet_hours_across_midnight_end_the_next_morning_in_the_persons_zone() {
        let berlin_winter = FixedOffset::east_opt(3600).unwrap();
        let night = quiet("22:00", "07:00");
        // 23:30 local: quiet until 07:00 local tomorrow, which is 06:00 UTC.
        assert_eq!(night.end_after(at("2026-11-23T22:30:00Z"), &berlin_winter), Some(at("2026-11-24T06:00:00Z")));
        // 03:00 local: until 07:00 the same day.
        assert_eq!(night.end_after(at("2026-11-24T02:00:00Z"), &berlin_winter), Some(at("2026-11-24T06:00:00Z")));
        // 07:00 local sharp and noon: not quiet.
        assert_eq!(night.end_after(at("2026-11-24T06:00:00Z"), &berlin_winter), None);
        assert_eq!(night.end_after(at("2026-11-24T11:00:00Z"), &berlin_winter), None);
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let lunch = quiet("12:00", "13:30");
        assert_eq!(lunch.end_after(at("2026-11-24T12:15:00Z"), &Utc), Some(at("2026-11-24T13:30:00Z")));
        assert_eq!(lunch.end_after(at("2026-11-24T11:59:00Z"), &Utc), None);
        assert_eq!(lunch.describe(), "12:00–13:30");
    }

    #[test]
    fn stored_preferences_gain_defaults_for_kinds_they_lack_and_nonsense_gives_defaults() {
        let prefs = NotificationPrefs::from_stored(r#"{"events":{"overdue":[]},"quiet_hours":null}"#);
        assert!(prefs.channels(NotificationKind::Overdue).is_empty());
        assert!(prefs.wants(NotificationKind::TaskAssigned, Channel::Email));
        assert!(!prefs.wants(NotificationKind::CommentAdded, Channel::Email));
        assert_eq!(NotificationPrefs::from_stored("not json"), NotificationPrefs::default());
        assert_eq!(NotificationPrefs::from_stored(&prefs.to_stored()), prefs);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch: NotificationPrefsPatch = serde_json::from_value(serde_json::json!({
            "events": { "comment_added": ["email", "app", "email"] },
            "quiet_hours": { "from": "21:30", "to": "06:45" }
        }))
        .unwrap();
        let patch = patch.normalized().unwrap();
        let prefs = NotificationPrefs::default().patched(&patch);
        assert_eq!(prefs.channels(NotificationKind::CommentAdded), [Channel::App, Channel::Email]);
        assert_eq!(prefs.channels(NotificationKind::Mentioned), [Channel::App, Channel::Email, Channel::Push]);
        assert_eq!(prefs.quiet_hours, Some(quiet("21:30", "06:45")));
        let off: NotificationPrefsPatch = serde_json::from_str(r#"{"quiet_hours":null}"#).unwrap();
        assert_eq!(prefs.patched(&off).quiet_hours, None);
        let untouched: NotificationPrefsPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(prefs.patched(&untouched), prefs);
        let digest: NotificationPrefsPatch = serde_json::from_str(r#"{"digest_at":"08:30"}"#).unwrap();
        let with_digest = prefs.patched(&digest);
        assert_eq!(with_digest.digest_at, NaiveTime::from_hms_opt(8, 30, 0));
        assert_eq!(serde_json::to_value(&with_digest).unwrap()["digest_at"], "08:30");
        let no_digest: NotificationPrefsPatch = serde_json::from_str(r#"{"digest_at":null}"#).unwrap();
        assert_eq!(with_digest.patched(&no_digest).digest_at, None);
        assert_eq!(NotificationPrefs::from_stored(&with_digest.to_stored()), with_digest);
    }

    #[test]
    fn bad_patches_are_refused() {
        assert!(serde_json::from_str::<NotificationPrefsPatch>(r#"{"events":{"nonsense":["app"]}}"#).is_err());
        assert!(serde_json::from_str::<NotificationPrefsPatch>(r#"{"events":{"overdue":["pigeon"]}}"#).is_err());
        assert!(
            serde_json::from_str::<NotificationPrefsPatch>(r#"{"quiet_hours":{"from":"25:00","to":"07:00"}}"#).is_err()
        );
        let same: NotificationPrefsPatch =
            serde_json::from_str(r#"{"quiet_hours":{"from":"07:00","to":"07:00"}}"#).unwrap();
        assert!(same.normalized().unwrap_err().field_error("notifications.quiet_hours").is_some());
    }
}
