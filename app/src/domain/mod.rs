//! Types shared by the browser and the server, each with the validation both apply.

mod account;
mod error;
mod filter;
mod identity;
mod input;
mod project;
mod redirect;
mod task;
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
pub use project::{Member, MemberInput, NewProject, Project, ProjectPatch, Role};
pub use redirect::safe_next;
pub use task::{
    Activity, Comment, NewComment, NewTask, Notification, NotificationKind, Priority, Task, TaskPatch, TaskStatus,
    TaskView,
};
pub use user::{
    normalize_email, provider_account, Credentials, Me, MePatch, Registration, User, DEFAULT_REMINDER_LEAD_MINUTES,
    MAX_REMINDER_LEAD_MINUTES, TIMEZONE_MESSAGE,
};
pub use zone::Zone;
