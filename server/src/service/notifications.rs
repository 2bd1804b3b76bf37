use app::domain::{AppError, Notification, Page, PageRequest, User};
use uuid::Uuid;

use super::Service;

impl Service {
    pub async fn list_notifications(
        &self,
        actor: &User,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError> {
        let (items, more) = self.store.notifications(actor.id, unread_only, page.limit, page.offset()).await?;
        Ok(Page { items, next_cursor: page.next_cursor(more) })
    }

    pub async fn unread_count(&self, actor: &User) -> Result<i64, AppError> {
        Ok(self.store.unread_count(actor.id).await?)
    }

    pub async fn mark_read(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        if self.store.mark_read(actor.id, id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(AppError::not_found("notification"))
        }
    }

    pub async fn mark_all_read(&self, actor: &User) -> Result<(), AppError> {
        Ok(self.store.mark_all_read(actor.id, self.clock.now()).await?)
    }
}
