//! Storage behind one interface; each backend lives in its own module with its own
//! migrations. Writes that change a project carry a [`Commit`]: the event, activity and
//! notifications that must land in the same transaction as the change.

pub mod cache;
pub mod postgres;
pub mod sqlite;

use app::domain::{
    Activity, Channel, Comment, MePatch, Member, Notification, Project, ProjectPatch, Role, Task, TaskFilter, User,
    Watcher,
};
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; holds the table it guards.
    #[error("conflict in {0}")]
    Conflict(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// `NotFound` when a write that names one row by its key changed none.
pub fn found(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(match db.table() {
                Some(table) => table.to_owned(),
                // SQLite names the columns instead: "UNIQUE constraint failed: users.email".
                None => db.message().rsplit(": ").next().and_then(|c| c.split('.').next()).unwrap_or("").to_owned(),
            }),
            sqlx::Error::Database(db) if db.code().as_deref().is_some_and(server_unavailable) => {
                StoreError::Unavailable(error.to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(error.to_string())
            }
            _ => StoreError::Other(error.into()),
        }
    }
}

/// PostgreSQL's codes for "no usable connection": connection exceptions, too many
/// connections, a server or database shutting down, starting or closed to connections.
fn server_unavailable(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "3D000" || code == "55000"
}

/// How many connections a backend keeps and how long a request waits for one.
#[derive(Clone, Copy, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 8, acquire_timeout: Duration::from_secs(10) }
    }
}

/// The words a task search looks for: runs of letters and digits, lower-cased, as both
/// backends' full-text indexes split text; each must start a word of the task.
pub fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(10).map(str::to_lowercase).collect()
}

pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `''` for an account made through a provider: no password opens it.
    pub password_hash: String,
    pub avatar_url: Option<String>,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Api => "api",
        }
    }
}

pub struct NewSession {
    /// The public id it is listed and revoked by.
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub kind: SessionKind,
    /// Made in the profile (named, scoped), not by signing in.
    pub personal: bool,
    pub name: Option<String>,
    pub scope: app::domain::TokenScope,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored session or token, without its secret.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub id: Uuid,
    pub kind: SessionKind,
    pub personal: bool,
    pub name: Option<String>,
    pub scope: app::domain::TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl SessionKind {
    pub fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "browser" => Ok(Self::Browser),
            "api" => Ok(Self::Api),
            other => Err(StoreError::Other(anyhow::anyhow!("unknown session kind {other}"))),
        }
    }
}

pub struct NewEvent {
    pub project_id: Uuid,
    pub kind: &'static str,
    pub actor_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

pub struct NewActivity {
    pub task_id: Uuid,
    pub actor_id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub version: i64,
    pub changes: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub notification: Notification,
    /// Channels besides the app it still has to go out on, each not before its time.
    pub deliveries: Vec<NewDelivery>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewDelivery {
    pub channel: Channel,
    pub due_at: DateTime<Utc>,
}

/// A delivery claimed for sending, with what its message needs.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    pub notification: Notification,
    pub user: User,
    pub project_name: String,
    pub task_due_at: Option<DateTime<Utc>>,
    /// Tries so far, this one included.
    pub attempts: u32,
}

/// What a write records besides the change itself, committed with it.
#[derive(Default)]
pub struct Commit {
    pub event: Option<NewEvent>,
    pub activity: Option<NewActivity>,
    pub notifications: Vec<NewNotification>,
}

/// The occurrence a repeating task's completion creates, written in the same
/// transaction; it takes over the watchers and the reminders counted from the due date.
pub struct NextOccurrence {
    pub task: Task,
    pub commit: Commit,
}

/// A task's rule as stored: JSON text, in both databases.
pub fn recurrence_json(task: &Task) -> Option<String> {
    task.recurrence.as_ref().map(|r| serde_json::json!(r).to_string())
}

pub fn stored_recurrence(text: Option<String>) -> StoreResult<Option<app::domain::Recurrence>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Other(anyhow::anyhow!("bad recurrence in database: {e}")))
    })
    .transpose()
}

/// Which tasks a listing looks at.
#[derive(Clone, Copy, Debug)]
pub enum TaskScope {
    Project(Uuid),
    /// Every project the user belongs to.
    MemberOf(Uuid),
}

/// The whole storage interface, one sub-trait per area so each backend file implements one.
#[async_trait::async_trait]
pub trait Store:
    UserStore
    + IdentityStore
    + ProjectStore
    + TaskStore
    + CommentStore
    + NotificationStore
    + EventStore
    + ScheduleStore
    + ReminderStore
    + DeliveryStore
    + WatcherStore
    + DigestStore
    + TaskReminderStore
    + PushStore
{
    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;
}

#[async_trait::async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// The first user of an instance becomes its admin, decided inside the insert.
    async fn insert_user(&self, user: NewUser) -> StoreResult<User>;
    /// The user with this (normalized) email, and their password hash.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<(User, String)>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<User>>;
    /// Those of `ids` that exist, in no particular order.
    async fn users_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<User>>;
    async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()>;
    /// Applies the fields the (normalized) patch sets; a change of notification
    /// preferences is merged into the stored ones in the same transaction.
    async fn update_user(&self, id: Uuid, patch: &MePatch, now: DateTime<Utc>) -> StoreResult<User>;

    /// Replaces the password hash.
    async fn set_password(&self, id: Uuid, password_hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Disables the account from `at` on, or enables it again (`None`).
    async fn set_disabled(&self, id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()>;
    async fn is_disabled(&self, id: Uuid) -> StoreResult<bool>;
    /// Every account, oldest first, with whether it is disabled.
    async fn list_accounts(&self) -> StoreResult<Vec<(User, bool)>>;

    async fn insert_session(&self, session: NewSession) -> StoreResult<()>;
    /// The live session or token with this secret's hash and its enabled account.
    async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<Option<(User, SessionRecord)>>;
    /// Notes that the session was used at `now`.
    async fn touch_session(&self, token_hash: &[u8], now: DateTime<Utc>) -> StoreResult<()>;
    /// A user's sessions and tokens that have not expired, newest first.
    async fn user_sessions(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<Vec<SessionRecord>>;
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()>;
    /// Deletes one of the user's sessions by its public id; false if they have none such.
    async fn delete_user_session(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool>;
    /// Deletes the user's sessions (browser sign-ins and tokens alike) but `keep`.
    async fn delete_user_sessions(&self, user_id: Uuid, keep: Option<Uuid>) -> StoreResult<u64>;
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// A sign-in through a provider, linking (issuer, subject) to an account.
pub struct NewIdentity {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The configured provider's name, e.g. `github`.
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct IdentityRecord {
    pub id: Uuid,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlinked {
    Done,
    NotFound,
    /// It is the account's last way in.
    LastWayIn,
}

/// Whether removing identity `id` from `identities` (id, provider) leaves a way in.
pub fn unlink_decision(
    identities: &[(Uuid, String)],
    id: Uuid,
    password_usable: bool,
    usable_providers: &[String],
) -> Unlinked {
    if !identities.iter().any(|(i, _)| *i == id) {
        return Unlinked::NotFound;
    }
    let others = identities.iter().filter(|(i, p)| *i != id && usable_providers.contains(p)).count();
    if password_usable || others > 0 {
        Unlinked::Done
    } else {
        Unlinked::LastWayIn
    }
}

/// A provider sign-in under way, between the redirect out and the callback.
#[derive(Clone, Debug)]
pub struct OAuthFlow {
    /// SHA-256 of the `state` sent to the provider.
    pub state_hash: Vec<u8>,
    /// SHA-256 of the secret in the browser's flow cookie: the callback must come from
    /// the browser that started the sign-in.
    pub browser_hash: Vec<u8>,
    pub provider: String,
    pub pkce_verifier: String,
    pub nonce: String,
    /// Where to go afterwards (a same-site path).
    pub next: String,
    /// Set when a signed-in user is connecting another way in to their account.
    pub link_user_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

#[async_trait::async_trait]
pub trait IdentityStore: Send + Sync + 'static {
    /// Stores a flow, removing flows that expired before `now`.
    async fn insert_oauth_flow(&self, flow: &OAuthFlow, now: DateTime<Utc>) -> StoreResult<()>;
    /// Removes and returns the flow with this state hash: a state works once.
    async fn take_oauth_flow(&self, state_hash: &[u8]) -> StoreResult<Option<OAuthFlow>>;
    /// The account behind a provider identity.
    async fn identity_owner(&self, issuer: &str, subject: &str) -> StoreResult<Option<Uuid>>;
    /// Links an identity to an existing account; `Conflict("identities")` if it is
    /// linked already.
    async fn insert_identity(&self, identity: NewIdentity) -> StoreResult<()>;
    /// A new account (without a password) and its identity, together or not at all.
    async fn insert_user_with_identity(&self, user: NewUser, identity: NewIdentity) -> StoreResult<User>;
    async fn identities(&self, user_id: Uuid) -> StoreResult<Vec<IdentityRecord>>;
    /// Unlinks one of the user's identities unless that leaves no way in: when the
    /// password does not sign in (`password_usable` false), another identity of one of
    /// `usable_providers` must remain. Checked and done under a lock on the account, so
    /// two unlinks at once cannot both pass.
    async fn unlink_identity(
        &self,
        user_id: Uuid,
        id: Uuid,
        password_usable: bool,
        usable_providers: &[String],
    ) -> StoreResult<Unlinked>;
    /// Whether the account has a password (accounts made through a provider do not).
    async fn has_password(&self, user_id: Uuid) -> StoreResult<bool>;
    /// An instance-wide setting chosen by an admin.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;
}

#[async_trait::async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    async fn insert_project(&self, project: &Project, owner: Uuid) -> StoreResult<()>;
    async fn projects_for_user(&self, user_id: Uuid) -> StoreResult<Vec<Project>>;
    /// The project as `user_id` sees it (with their role), if they are a member.
    async fn project_for_user(&self, project_id: Uuid, user_id: Uuid) -> StoreResult<Option<Project>>;
    async fn update_project(
        &self,
        id: Uuid,
        patch: &ProjectPatch,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()>;
    async fn delete_project(&self, id: Uuid) -> StoreResult<()>;

    async fn members(&self, project_id: Uuid) -> StoreResult<Vec<Member>>;
    /// Those of `user_ids` who are members of the project.
    async fn member_ids(&self, project_id: Uuid, user_ids: &[Uuid]) -> StoreResult<Vec<Uuid>>;
    async fn insert_member(
        &self,
        project_id: Uuid,
        user_id: Uuid,
        role: Role,
        now: DateTime<Utc>,
        commit: Commit,
    ) -> StoreResult<()>;
    async fn delete_member(&self, project_id: Uuid, user_id: Uuid, commit: Commit) -> StoreResult<()>;
}

#[async_trait::async_trait]
pub trait TaskStore: Send + Sync + 'static {
    async fn insert_task(&self, task: &Task, commit: Commit) -> StoreResult<()>;
    async fn task(&self, id: Uuid) -> StoreResult<Option<Task>>;
    /// One page of tasks, and whether more follow.
    async fn list_tasks(&self, scope: TaskScope, filter: &TaskFilter, me: Uuid) -> StoreResult<(Vec<Task>, bool)>;
    /// Writes `task` if the stored version is still `expected_version`; false when it moved.
    /// With `next`, the occurrence that follows is created in the same transaction.
    async fn update_task(
        &self,
        task: &Task,
        expected_version: i64,
        commit: Commit,
        next: Option<NextOccurrence>,
    ) -> StoreResult<bool>;
    async fn delete_task(&self, id: Uuid, commit: Commit) -> StoreResult<()>;
    /// Fields changed by versions after `version`.
    async fn fields_changed_since(&self, task_id: Uuid, version: i64) -> StoreResult<Vec<String>>;
}

#[async_trait::async_trait]
pub trait WatcherStore: Send + Sync + 'static {
    /// Starts or stops `user_id` watching the task; doing what is already so is fine.
    async fn set_watching(&self, task_id: Uuid, user_id: Uuid, watching: bool, now: DateTime<Utc>) -> StoreResult<()>;
    /// Those watching the task who are still members of its project, by name.
    async fn watchers(&self, task_id: Uuid) -> StoreResult<Vec<Watcher>>;
}

#[async_trait::async_trait]
pub trait CommentStore: Send + Sync + 'static {
    async fn insert_comment(&self, comment: &Comment, commit: Commit) -> StoreResult<()>;
    /// The task a comment belongs to.
    async fn comment_task(&self, comment_id: Uuid) -> StoreResult<Option<Uuid>>;
    async fn comments(&self, task_id: Uuid) -> StoreResult<Vec<Comment>>;
    async fn activity(&self, task_id: Uuid) -> StoreResult<Vec<Activity>>;
}

/// A row of the per-project event log.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub project_id: Uuid,
    pub seq: i64,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

#[async_trait::async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Events of a project after `after_seq`, in order, at most `limit`.
    async fn events_since(&self, project_id: Uuid, after_seq: i64, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// The project's latest `seq` (0 before its first event).
    async fn latest_seq(&self, project_id: Uuid) -> StoreResult<i64>;
}

#[async_trait::async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Newest first, and whether more follow.
    async fn notifications(
        &self,
        user_id: Uuid,
        unread_only: bool,
        limit: u32,
        offset: u64,
    ) -> StoreResult<(Vec<Notification>, bool)>;
    async fn unread_count(&self, user_id: Uuid) -> StoreResult<i64>;
    async fn mark_read(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> StoreResult<bool>;
    async fn mark_all_read(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;
}

/// Someone to remind of an open task with a due date.
#[derive(Clone, Debug)]
pub struct DueTask {
    pub task_id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub due_at: DateTime<Utc>,
    /// An assignee, or the task's creator when nobody is assigned.
    pub user_id: Uuid,
    /// How long ahead that person wants `due_soon`, longest first; empty for never.
    pub leads: Vec<u32>,
    /// The lead time this `due_soon` is sent for: each is claimed once on its own.
    pub lead: Option<u32>,
}

impl DueTask {
    /// What the claim of this reminder is recorded as.
    pub fn claim_kind(&self, kind: app::domain::NotificationKind) -> String {
        match (kind, self.lead) {
            (app::domain::NotificationKind::DueSoon, Some(lead)) => format!("due_soon:{lead}"),
            (kind, _) => kind.as_str().to_owned(),
        }
    }
}

/// A person's lead times from their two columns: the JSON list when set, else the
/// single lead (none when 0).
pub fn stored_leads(list: Option<&str>, single: i64) -> Vec<u32> {
    match list.and_then(|l| serde_json::from_str::<Vec<u32>>(l).ok()) {
        Some(leads) => leads,
        None => u32::try_from(single).ok().filter(|m| *m > 0).into_iter().collect(),
    }
}

/// The two columns for lead times, longest first: the JSON list and the shortest.
pub fn leads_columns(leads: &[u32]) -> (String, i64) {
    (serde_json::json!(leads).to_string(), leads.iter().min().copied().map(i64::from).unwrap_or(0))
}

#[async_trait::async_trait]
pub trait ReminderStore: Send + Sync + 'static {
    /// Open tasks due from `from` to `until`, once per person to remind.
    async fn due_tasks(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> StoreResult<Vec<DueTask>>;
    /// Claims each reminder (task, person, kind, due date) and stores its notification,
    /// in one transaction; returns the notifications of the reminders this call claimed
    /// (a reminder claimed before, by any instance, is skipped).
    async fn claim_reminders(
        &self,
        reminders: Vec<(DueTask, NewNotification)>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<NewNotification>>;
}

/// A task reminder that may go off, with someone to remind.
#[derive(Clone, Debug)]
pub struct DueTaskReminder {
    pub reminder: app::domain::TaskReminder,
    pub project_id: Uuid,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    /// An assignee, or the task's creator when nobody is assigned.
    pub user_id: Uuid,
}

#[async_trait::async_trait]
pub trait TaskReminderStore: Send + Sync + 'static {
    /// Oldest first.
    async fn task_reminders(&self, task_id: Uuid) -> StoreResult<Vec<app::domain::TaskReminder>>;
    /// Adds the reminder unless its task has `max` already (then `false`).
    async fn insert_task_reminder(&self, reminder: &app::domain::TaskReminder, max: usize) -> StoreResult<bool>;
    async fn delete_task_reminder(&self, task_id: Uuid, id: Uuid) -> StoreResult<bool>;
    /// Reminders of open tasks that may go off from `from` to `until`: fixed ones in
    /// that window, relative ones of tasks due from `from` to `due_until`; once per
    /// person to remind.
    async fn due_task_reminders(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        due_until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueTaskReminder>>;
}

/// An open task in someone's daily digest.
#[derive(Clone, Debug, PartialEq)]
pub struct DigestTask {
    pub task_id: Uuid,
    pub project_id: Uuid,
    pub project_name: String,
    pub title: String,
    pub due_at: DateTime<Utc>,
}

#[async_trait::async_trait]
pub trait DigestStore: Send + Sync + 'static {
    /// Everyone who may have chosen a daily digest (their preferences decide) and has
    /// had none claimed since `unclaimed_since`.
    async fn digest_users(&self, unclaimed_since: DateTime<Utc>) -> StoreResult<Vec<User>>;
    /// Open tasks due by `until` (late ones included) that are `user_id`'s: assigned to
    /// them, or theirs by creation with nobody assigned; in projects they belong to.
    /// Soonest due first, at most `limit`.
    async fn digest_tasks(&self, user_id: Uuid, until: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DigestTask>>;
    /// Claims the digest of `user_id` for the local `day` and stores its notification
    /// (if any) with it; `false` when it was claimed before, by any instance.
    async fn claim_digest(
        &self,
        user_id: Uuid,
        day: chrono::NaiveDate,
        note: Option<NewNotification>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

#[async_trait::async_trait]
pub trait DeliveryStore: Send + Sync + 'static {
    /// Claims up to `limit` deliveries on `channel` that are due by `now` and not held by
    /// another sender, holding them until `until`; oldest first.
    async fn claim_deliveries(
        &self,
        channel: Channel,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Forgets what only guarded against repeats and no longer can: emails given up,
    /// digests sent and reminders claimed before `before`. Returns the rows removed.
    async fn prune_sent_records(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Hands claimed deliveries back untried: due at `due_at`, the claim's try not counted.
    async fn release_deliveries(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        due_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Forgets deliveries that went out.
    async fn deliveries_sent(&self, channel: Channel, notification_ids: &[Uuid]) -> StoreResult<()>;
    /// Records a failure: the deliveries are tried again at `retry_at`, or never when it
    /// is `None`.
    async fn deliveries_failed(
        &self,
        channel: Channel,
        notification_ids: &[Uuid],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

#[async_trait::async_trait]
pub trait ScheduleStore: Send + Sync + 'static {
    /// Claims the run of `job` due at or before `now` and moves its next run to `next`;
    /// false when it is not due or another instance claimed it first. A job never seen
    /// before is due at once.
    async fn claim_job(&self, job: &str, by: &str, now: DateTime<Utc>, next: DateTime<Utc>) -> StoreResult<bool>;
}

#[async_trait::async_trait]
pub trait PushStore: Send + Sync + 'static {
    /// The instance's secret called `name`: the one stored, or `candidate`, stored now.
    /// Instances starting together all end up with the same.
    async fn instance_secret(&self, name: &str, candidate: &str) -> StoreResult<String>;
    /// A person's devices, newest first.
    async fn push_subscriptions(&self, user_id: Uuid) -> StoreResult<Vec<crate::push::StoredSubscription>>;
    /// Saves a device's subscription. The same endpoint again replaces the old one when
    /// it is the same person's or comes with the same keys (the same browser, signed in
    /// as someone else); otherwise nothing changes and the answer is `None`. Only the
    /// person's newest `keep` are kept.
    async fn save_push_subscription(
        &self,
        subscription: &crate::push::StoredSubscription,
        keep: usize,
    ) -> StoreResult<Option<crate::push::StoredSubscription>>;
    async fn delete_push_subscription(&self, user_id: Uuid, id: Uuid) -> StoreResult<bool>;
    /// Forgets an endpoint the push service no longer knows.
    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()>;
    /// Which of these people have at least one device.
    async fn users_with_push(&self, ids: &[Uuid]) -> StoreResult<Vec<Uuid>>;
}

#[cfg(test)]
mod tests {
    use super::{unlink_decision, Unlinked};
    use uuid::Uuid;

    #[test]
    fn an_identity_goes_only_if_a_way_in_remains() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let usable = ["github".to_owned()];
        let both = [(a, "github".to_owned()), (b, "github".to_owned())];
        assert_eq!(unlink_decision(&both, a, false, &usable), Unlinked::Done);
        assert_eq!(unlink_decision(&both[..1], a, false, &usable), Unlinked::LastWayIn);
        assert_eq!(unlink_decision(&both[..1], a, true, &usable), Unlinked::Done, "the password is a way in");
        assert_eq!(unlink_decision(&both[..1], b, true, &usable), Unlinked::NotFound);
        // An identity of a provider no longer configured is no way in.
        let stale = [(a, "github".to_owned()), (b, "removed".to_owned())];
        assert_eq!(unlink_decision(&stale, a, false, &usable), Unlinked::LastWayIn);
        assert_eq!(unlink_decision(&stale, b, false, &usable), Unlinked::Done);
    }
}
