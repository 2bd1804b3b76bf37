//! The OpenAPI 3.1 document, generated from the handlers' annotations and the shared
//! types, served at `/api/v1/openapi.json` and browsable at `/api/docs`.

use app::domain::{
    AccessInfo, AccessKind, AccountInfo, AccountPatch, Activity, Channel, Comment, CreatedToken, Every, Identity,
    InstanceSettings, MePatch, Member, MemberInput, NewComment, NewProject, NewPushSubscription, NewTask,
    NewTaskReminder, NewToken, Notification, NotificationKind, NotificationPrefs, NotificationPrefsPatch, Page,
    PasswordChange, Priority, Project, ProjectPatch, ProviderInfo, PushDevice, PushKey, PushKeys, QuietHours,
    Recurrence, Registration, Role, SignInMethods, SignInOptions, Task, TaskPatch, TaskReminder, TaskStatus,
    TokenScope, User, Watcher,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use super::{account, auth, comments, identities, notifications, projects, push, task_reminders, tasks, watchers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        description = "Projects, tasks, comments and notifications of a Tandem instance. \
            Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/token`. \
            Every error answers `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    paths(
        auth::register, auth::token, auth::logout, auth::me, auth::update_me,
        projects::list, projects::create, projects::get, projects::update, projects::remove,
        projects::members, projects::add_member, projects::remove_member,
        tasks::list, tasks::list_mine, tasks::create, tasks::get, tasks::update, tasks::remove,
        comments::list, comments::create, comments::activity, watchers::list, watchers::watch, watchers::unwatch,
        task_reminders::list, task_reminders::create, task_reminders::remove,
        notifications::list, notifications::read, notifications::read_all,
        account::sessions, account::revoke, account::revoke_others, account::create_token,
        account::change_password, account::accounts, account::update_account,
        identities::providers, identities::identities, identities::unlink, identities::settings,
        identities::update_settings, push::key, push::list, push::subscribe, push::unsubscribe,
    ),
    components(schemas(
        User, Registration, MePatch, Project, NewProject, ProjectPatch, Member, MemberInput, Role,
        Task, NewTask, TaskPatch, TaskStatus, Priority, Comment, NewComment, Activity,
        Notification, NotificationKind, Page<Task>, ErrorBody, ErrorDetail, RegisteredUser,
        TokenRequest, TokenResponse, Revoked, AccessInfo, AccessKind, TokenScope, NewToken, CreatedToken,
        PasswordChange, AccountInfo, AccountPatch, SignInOptions, ProviderInfo, SignInMethods, Identity,
        InstanceSettings, NotificationPrefs, NotificationPrefsPatch, QuietHours, Channel, Watcher, TaskReminder, NewTaskReminder,
        Recurrence, Every, PushKey, PushDevice, NewPushSubscription, PushKeys,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts, tokens and the signed-in user"),
        (name = "account", description = "Your signed-in browsers, API tokens and password"),
        (name = "admin", description = "Every account on the instance, for instance admins"),
        (name = "projects", description = "Projects you belong to"),
        (name = "members", description = "Who is in a project, with which role"),
        (name = "tasks", description = "Tasks, their filters and optimistic concurrency"),
        (name = "comments", description = "Comment threads and activity history"),
        (name = "notifications", description = "What happened that concerns you"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every 4xx and 5xx answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case word, e.g. `validation_failed`.
    pub code: String,
    pub message: String,
    /// For validation errors `fields` maps each field to its message; for version
    /// conflicts `current` holds the task as it is now.
    pub details: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredUser {
    pub user: User,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Always `password`.
    pub grant_type: String,
    /// The account's email.
    pub username: String,
    pub password: String,
}

/// How many sessions and tokens were revoked.
#[derive(Serialize, ToSchema)]
pub struct Revoked {
    pub revoked: u64,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// The task list's query parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskQuery {
    /// Repeatable: `todo`, `in_progress`, `done`.
    status: Option<Vec<TaskStatus>>,
    /// A user id, or `me`.
    assignee: Option<String>,
    label: Option<String>,
    /// Repeatable: `none`, `low`, `medium`, `high`, `urgent`.
    priority: Option<Vec<Priority>>,
    /// RFC 3339 timestamp or a date.
    due_before: Option<String>,
    /// RFC 3339 timestamp or a date.
    due_after: Option<String>,
    /// Words that must all appear in the title or description.
    q: Option<String>,
    /// `due_at`, `-due_at`, `priority`, `-priority`, `created_at` (default), `-created_at`,
    /// `updated_at`, `-updated_at` or `title`; tasks without a due date sort last.
    sort: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}
