//! One module per page.

mod access_panel;
mod admin_page;
mod auth_pages;
mod members_panel;
mod not_found_page;
mod notification_settings_panel;
mod notifications_page;
mod project_page;
mod projects_page;
mod push_panel;
mod settings_page;
mod sign_in_methods_panel;
mod task_comments;
mod task_detail;
mod task_form;
mod task_list;
mod task_page;
mod task_reminders_panel;
mod watch_button;

pub use admin_page::AdminPage;
pub use auth_pages::{LoginPage, RegisterPage};
pub use not_found_page::NotFoundPage;
pub use notifications_page::NotificationsPage;
pub use project_page::ProjectPage;
pub use projects_page::ProjectsPage;
pub use settings_page::SettingsPage;
pub use task_page::TaskPage;
