//! The service as the UI's `Backend`: each method is the use case of the same name.

use app::backend::{Backend, IssuedToken};
use app::domain::*;
use uuid::Uuid;

use super::Service;

#[async_trait::async_trait]
impl Backend for Service {
    async fn current_user(&self, headers: &http::HeaderMap) -> Result<Option<User>, AppError> {
        Service::current_user(self, headers).await
    }
    async fn register(&self, input: Registration) -> Result<User, AppError> {
        Service::register(self, input).await
    }
    async fn sign_in(
        &self,
        input: Credentials,
        request: &http::request::Parts,
    ) -> Result<(User, IssuedToken), AppError> {
        Service::sign_in(self, input, request).await
    }
    async fn sign_out(&self, headers: &http::HeaderMap) -> Result<(), AppError> {
        Service::sign_out(self, headers).await
    }
    fn session_cookie(&self, session: Option<&IssuedToken>) -> String {
        Service::session_cookie(self, session)
    }
    async fn update_me(&self, actor: &User, patch: MePatch) -> Result<User, AppError> {
        Service::update_me(self, actor, patch).await
    }
    async fn list_access(&self, headers: &http::HeaderMap) -> Result<Vec<AccessInfo>, AppError> {
        Service::list_access(self, &self.signed_in(headers).await?).await
    }
    async fn revoke_access(&self, headers: &http::HeaderMap, id: Uuid) -> Result<(), AppError> {
        Service::revoke_access(self, &self.signed_in(headers).await?, id).await
    }
    async fn revoke_other_access(&self, headers: &http::HeaderMap) -> Result<u64, AppError> {
        Service::revoke_other_access(self, &self.signed_in(headers).await?).await
    }
    async fn create_token(&self, headers: &http::HeaderMap, input: NewToken) -> Result<CreatedToken, AppError> {
        Service::create_token(self, &self.signed_in(headers).await?, input).await
    }
    async fn change_password(&self, headers: &http::HeaderMap, input: PasswordChange) -> Result<(), AppError> {
        Service::change_password(self, &self.signed_in(headers).await?, input).await
    }
    async fn list_accounts(&self, actor: &User) -> Result<Vec<AccountInfo>, AppError> {
        Service::list_accounts(self, actor).await
    }
    async fn update_account(&self, actor: &User, id: Uuid, patch: AccountPatch) -> Result<AccountInfo, AppError> {
        Service::update_account(self, actor, id, patch).await
    }
    async fn sign_in_options(&self) -> Result<SignInOptions, AppError> {
        Service::sign_in_options(self).await
    }
    async fn sign_in_methods(&self, actor: &User) -> Result<SignInMethods, AppError> {
        Service::sign_in_methods(self, actor).await
    }
    async fn unlink_identity(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        Service::unlink_identity(self, actor, id).await
    }
    async fn instance_settings(&self, actor: &User) -> Result<InstanceSettings, AppError> {
        Service::instance_settings(self, actor).await
    }
    async fn update_instance_settings(
        &self,
        actor: &User,
        settings: InstanceSettings,
    ) -> Result<InstanceSettings, AppError> {
        Service::update_instance_settings(self, actor, settings).await
    }
    fn zone(&self, name: &str) -> Zone {
        crate::zone::zone_around(name, self.now())
    }
    fn timezone_names(&self) -> Vec<String> {
        crate::zone::names()
    }
    fn channels(&self) -> Vec<app::domain::Channel> {
        Service::channels(self)
    }
    async fn list_projects(&self, actor: &User) -> Result<Vec<Project>, AppError> {
        Service::list_projects(self, actor).await
    }
    async fn create_project(&self, actor: &User, input: NewProject) -> Result<Project, AppError> {
        Service::create_project(self, actor, input).await
    }
    async fn get_project(&self, actor: &User, id: Uuid) -> Result<Project, AppError> {
        Service::get_project(self, actor, id).await
    }
    async fn update_project(&self, actor: &User, id: Uuid, patch: ProjectPatch) -> Result<Project, AppError> {
        Service::update_project(self, actor, id, patch).await
    }
    async fn delete_project(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        Service::delete_project(self, actor, id).await
    }
    async fn list_members(&self, actor: &User, project_id: Uuid) -> Result<Vec<Member>, AppError> {
        Service::list_members(self, actor, project_id).await
    }
    async fn add_member(&self, actor: &User, project_id: Uuid, input: MemberInput) -> Result<Member, AppError> {
        Service::add_member(self, actor, project_id, input).await
    }
    async fn remove_member(&self, actor: &User, project_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
        Service::remove_member(self, actor, project_id, user_id).await
    }
    async fn list_tasks(&self, actor: &User, project_id: Uuid, filter: TaskFilter) -> Result<Page<Task>, AppError> {
        Service::list_tasks(self, actor, project_id, filter).await
    }
    async fn list_my_tasks(&self, actor: &User, filter: TaskFilter) -> Result<Page<Task>, AppError> {
        Service::list_my_tasks(self, actor, filter).await
    }
    async fn create_task(&self, actor: &User, project_id: Uuid, input: NewTask) -> Result<Task, AppError> {
        Service::create_task(self, actor, project_id, input).await
    }
    async fn get_task(&self, actor: &User, id: Uuid) -> Result<Task, AppError> {
        Service::get_task(self, actor, id).await
    }
    async fn task_view(&self, actor: &User, id: Uuid) -> Result<TaskView, AppError> {
        Service::task_view(self, actor, id).await
    }
    async fn set_watching(&self, actor: &User, id: Uuid, watching: bool) -> Result<(), AppError> {
        Service::set_watching(self, actor, id, watching).await
    }
    async fn push_key(&self) -> Result<PushKey, AppError> {
        Service::push_key(self)
    }
    async fn push_devices(&self, actor: &User) -> Result<Vec<PushDevice>, AppError> {
        Service::push_devices(self, actor).await
    }
    async fn subscribe_push(&self, actor: &User, input: NewPushSubscription) -> Result<PushDevice, AppError> {
        Service::subscribe_push(self, actor, input).await
    }
    async fn unsubscribe_push(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        Service::unsubscribe_push(self, actor, id).await
    }
    async fn list_task_reminders(&self, actor: &User, task_id: Uuid) -> Result<Vec<TaskReminder>, AppError> {
        Service::list_task_reminders(self, actor, task_id).await
    }
    async fn add_task_reminder(
        &self,
        actor: &User,
        task_id: Uuid,
        input: NewTaskReminder,
    ) -> Result<TaskReminder, AppError> {
        Service::add_task_reminder(self, actor, task_id, input).await
    }
    async fn remove_task_reminder(&self, actor: &User, task_id: Uuid, id: Uuid) -> Result<(), AppError> {
        Service::remove_task_reminder(self, actor, task_id, id).await
    }
    async fn update_task(&self, actor: &User, id: Uuid, patch: TaskPatch) -> Result<Task, AppError> {
        Service::update_task(self, actor, id, patch).await
    }
    async fn delete_task(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        Service::delete_task(self, actor, id).await
    }
    async fn list_comments(&self, actor: &User, task_id: Uuid) -> Result<Vec<Comment>, AppError> {
        Service::list_comments(self, actor, task_id).await
    }
    async fn add_comment(&self, actor: &User, task_id: Uuid, input: NewComment) -> Result<Comment, AppError> {
        Service::add_comment(self, actor, task_id, input).await
    }
    async fn list_activity(&self, actor: &User, task_id: Uuid) -> Result<Vec<Activity>, AppError> {
        Service::list_activity(self, actor, task_id).await
    }
    async fn list_notifications(
        &self,
        actor: &User,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError> {
        Service::list_notifications(self, actor, unread_only, page).await
    }
    async fn unread_count(&self, actor: &User) -> Result<i64, AppError> {
        Service::unread_count(self, actor).await
    }
    async fn mark_read(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        Service::mark_read(self, actor, id).await
    }
    async fn mark_all_read(&self, actor: &User) -> Result<(), AppError> {
        Service::mark_all_read(self, actor).await
    }
}

impl Service {
    /// The browser's door always needs a session that may change things.
    async fn signed_in(&self, headers: &http::HeaderMap) -> Result<super::SignedIn, AppError> {
        self.authenticate(headers, "POST").await?.ok_or_else(AppError::unauthorized)
    }
}
