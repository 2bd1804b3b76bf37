//! The bridge to the server: the use cases the UI needs, implemented by the server's
//! service layer and provided to every request as Leptos context.

use std::sync::Arc;

use leptos::prelude::use_context;
use uuid::Uuid;

use crate::domain::*;

/// A freshly issued secret: a browser session or an API token.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in_secs: i64,
}

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The user a request's session cookie or bearer token belongs to, if any.
    async fn current_user(&self, headers: &http::HeaderMap) -> Result<Option<User>, AppError>;
    async fn register(&self, input: Registration) -> Result<User, AppError>;
    /// Checks the credentials (rate-limited by the request's client address and the
    /// account) and starts a browser session, ending the one the request carried.
    async fn sign_in(
        &self,
        input: Credentials,
        request: &http::request::Parts,
    ) -> Result<(User, IssuedToken), AppError>;
    /// Ends the session or revokes the token the request carried.
    async fn sign_out(&self, headers: &http::HeaderMap) -> Result<(), AppError>;
    /// The `Set-Cookie` value that stores a session in the browser (or clears it).
    fn session_cookie(&self, session: Option<&IssuedToken>) -> String;
    async fn update_me(&self, actor: &User, patch: MePatch) -> Result<User, AppError>;

    /// The requester's signed-in browsers and tokens (by the session the headers carry).
    async fn list_access(&self, headers: &http::HeaderMap) -> Result<Vec<AccessInfo>, AppError>;
    async fn revoke_access(&self, headers: &http::HeaderMap, id: Uuid) -> Result<(), AppError>;
    /// Revokes every session and token of the requester but the one asking.
    async fn revoke_other_access(&self, headers: &http::HeaderMap) -> Result<u64, AppError>;
    async fn create_token(&self, headers: &http::HeaderMap, input: NewToken) -> Result<CreatedToken, AppError>;
    async fn change_password(&self, headers: &http::HeaderMap, input: PasswordChange) -> Result<(), AppError>;
    async fn list_accounts(&self, actor: &User) -> Result<Vec<AccountInfo>, AppError>;
    async fn update_account(&self, actor: &User, id: Uuid, patch: AccountPatch) -> Result<AccountInfo, AppError>;

    async fn sign_in_options(&self) -> Result<SignInOptions, AppError>;
    async fn sign_in_methods(&self, actor: &User) -> Result<SignInMethods, AppError>;
    async fn unlink_identity(&self, actor: &User, id: Uuid) -> Result<(), AppError>;
    async fn instance_settings(&self, actor: &User) -> Result<InstanceSettings, AppError>;
    async fn update_instance_settings(
        &self,
        actor: &User,
        settings: InstanceSettings,
    ) -> Result<InstanceSettings, AppError>;
    /// The offsets of a time zone around now (UTC for an unknown name).
    fn zone(&self, name: &str) -> Zone;
    fn timezone_names(&self) -> Vec<String>;
    /// The channels notifications can go out on here.
    fn channels(&self) -> Vec<crate::domain::Channel>;

    async fn list_projects(&self, actor: &User) -> Result<Vec<Project>, AppError>;
    async fn create_project(&self, actor: &User, input: NewProject) -> Result<Project, AppError>;
    async fn get_project(&self, actor: &User, id: Uuid) -> Result<Project, AppError>;
    async fn update_project(&self, actor: &User, id: Uuid, patch: ProjectPatch) -> Result<Project, AppError>;
    async fn delete_project(&self, actor: &User, id: Uuid) -> Result<(), AppError>;
    async fn list_members(&self, actor: &User, project_id: Uuid) -> Result<Vec<Member>, AppError>;
    async fn add_member(&self, actor: &User, project_id: Uuid, input: MemberInput) -> Result<Member, AppError>;
    async fn remove_member(&self, actor: &User, project_id: Uuid, user_id: Uuid) -> Result<(), AppError>;

    async fn list_tasks(&self, actor: &User, project_id: Uuid, filter: TaskFilter) -> Result<Page<Task>, AppError>;
    async fn list_my_tasks(&self, actor: &User, filter: TaskFilter) -> Result<Page<Task>, AppError>;
    async fn create_task(&self, actor: &User, project_id: Uuid, input: NewTask) -> Result<Task, AppError>;
    async fn get_task(&self, actor: &User, id: Uuid) -> Result<Task, AppError>;
    async fn task_view(&self, actor: &User, id: Uuid) -> Result<TaskView, AppError>;
    async fn update_task(&self, actor: &User, id: Uuid, patch: TaskPatch) -> Result<Task, AppError>;
    async fn delete_task(&self, actor: &User, id: Uuid) -> Result<(), AppError>;
    async fn set_watching(&self, actor: &User, id: Uuid, watching: bool) -> Result<(), AppError>;
    /// The instance's VAPID public key, for subscribing a browser to push.
    async fn push_key(&self) -> Result<PushKey, AppError>;
    async fn push_devices(&self, actor: &User) -> Result<Vec<PushDevice>, AppError>;
    async fn subscribe_push(&self, actor: &User, input: NewPushSubscription) -> Result<PushDevice, AppError>;
    async fn unsubscribe_push(&self, actor: &User, id: Uuid) -> Result<(), AppError>;
    async fn list_task_reminders(&self, actor: &User, task_id: Uuid) -> Result<Vec<TaskReminder>, AppError>;
    async fn add_task_reminder(
        &self,
        actor: &User,
        task_id: Uuid,
        input: NewTaskReminder,
    ) -> Result<TaskReminder, AppError>;
    async fn remove_task_reminder(&self, actor: &User, task_id: Uuid, id: Uuid) -> Result<(), AppError>;

    async fn list_comments(&self, actor: &User, task_id: Uuid) -> Result<Vec<Comment>, AppError>;
    async fn add_comment(&self, actor: &User, task_id: Uuid, input: NewComment) -> Result<Comment, AppError>;
    async fn list_activity(&self, actor: &User, task_id: Uuid) -> Result<Vec<Activity>, AppError>;

    async fn list_notifications(
        &self,
        actor: &User,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError>;
    async fn unread_count(&self, actor: &User) -> Result<i64, AppError>;
    async fn mark_read(&self, actor: &User, id: Uuid) -> Result<(), AppError>;
    async fn mark_all_read(&self, actor: &User) -> Result<(), AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The response header through which a server-rendered page tells the server which
/// nonce its inline scripts carry; the server turns it into the Content-Security-Policy
/// and never sends it on.
pub const CSP_NONCE_HEADER: &str = "x-tandem-csp-nonce";

/// Called by the page shell while it renders on the server.
pub fn announce_nonce() {
    let nonce = leptos::nonce::use_nonce();
    let response = use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response) {
        if let Ok(value) = http::HeaderValue::from_str(&nonce) {
            response.insert_header(http::HeaderName::from_static(CSP_NONCE_HEADER), value);
        }
    }
}

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>().ok_or_else(|| {
        leptos::logging::error!("no Backend in context: the server must provide one");
        AppError::internal()
    })
}

/// The request's headers, as leptos_axum provides them.
pub fn request_headers() -> Result<http::HeaderMap, AppError> {
    request_parts().map(|parts| parts.headers)
}

/// The request (without its body), as leptos_axum provides it.
pub fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(AppError::internal)
}

/// The backend and the signed-in user, or `unauthorized`.
pub async fn signed_in() -> Result<(SharedBackend, User), AppError> {
    let backend = backend()?;
    let user = backend.current_user(&request_headers()?).await.and_then(|u| u.ok_or_else(AppError::unauthorized));
    Ok((backend, reply(user)?))
}

/// A server function's answer: errors also set the HTTP status their code stands for.
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(status) = http::StatusCode::from_u16(error.code.status()) {
            response.set_status(status);
        }
        if let Some(secs) = error.retry_after_secs() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
    result
}
