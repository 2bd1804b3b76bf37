//! Types shared by the browser and the server, each with the validation both apply.

mod account;
mod error;
mod filter;
mod identity;
mod input;
mod notification_prefs;
mod project;
mod push;
mod recurrence;
mod redirect;
mod task;
mod task_reminder;
mod user;
mod zone;

pub use account::{
    AccessInfo, AccessKind, AccountInfo, AccountPatch, CreatedToken, NewToken, PasswordChange, TokenScope,
    DEFAULT_TOKEN_DAYS,
};
pub use error::{AppError, ErrorCode, Violations};
pub use filter::{encode_component, AssigneeFilter, Page, PageRequest, TaskFilter, TaskSort};
pub use identity::{Identity, InstanceSettings, ProviderInfo, SignInFailure, SignInMethods, SignInOptions};
pub use input::double_option;
pub use notification_prefs::{local_to_utc, Channel, NotificationPrefs, NotificationPrefsPatch, QuietHours};
pub use project::{Member, MemberInput, NewProject, Project, ProjectPatch, Role};
pub use push::{NewPushSubscription, PushDevice, PushKey, PushKeys, MAX_PUSH_DEVICES};
pub use recurrence::{Every, Recurrence, MAX_INTERVAL};
pub use redirect::safe_next;
pub use task::{
    check_repeats_from_due, Activity, Comment, NewComment, NewTask, Notification, NotificationKind, Priority, Task,
    TaskPatch, TaskStatus, TaskView, Watcher,
};
pub use task_reminder::{describe_minutes, NewTaskReminder, TaskReminder, MAX_BEFORE_DUE_MINUTES, MAX_TASK_REMINDERS};
pub use user::{
    normalize_email, provider_account, Credentials, Me, MePatch, Registration, User, DEFAULT_REMINDER_LEAD_MINUTES,
    MAX_REMINDER_LEADS, MAX_REMINDER_LEAD_MINUTES, TIMEZONE_MESSAGE,
};
pub use zone::Zone;
