use app::domain::{Activity, AppError, Comment, NewComment, NotificationKind, User};
use serde_json::json;
use uuid::Uuid;

use super::notify::{handle_matches, mentions, Notices};
use super::{notified, require, Service};
use crate::store::Commit;

impl Service {
    pub async fn list_comments(&self, actor: &User, task_id: Uuid) -> Result<Vec<Comment>, AppError> {
        self.readable_task(actor, task_id).await?;
        Ok(self.store.comments(task_id).await?)
    }

    /// Adds a comment; `@name` mentions notify those members, and the task's people hear of it.
    #[tracing::instrument(skip_all, fields(user = %actor.id, task = %task_id))]
    pub async fn add_comment(&self, actor: &User, task_id: Uuid, input: NewComment) -> Result<Comment, AppError> {
        let (task, role) = self.readable_task(actor, task_id).await?;
        require(role.can_edit_tasks(), "viewers cannot comment")?;
        let input = input.normalized()?;
        if let Some(parent) = input.parent_id {
            // The parent must be a comment on this very task.
            if self.store.comment_task(parent).await? != Some(task_id) {
                return Err(AppError::invalid("parent_id", "is not a comment on this task"));
            }
        }
        let now = self.clock.now();
        let comment = Comment {
            id: Uuid::now_v7(),
            task_id,
            author_id: actor.id,
            author_name: actor.name.clone(),
            parent_id: input.parent_id,
            body: input.body,
            created_at: now,
            updated_at: now,
        };
        let handles = mentions(&comment.body);
        let mut notices = Notices::new(actor, &task, now);
        if !handles.is_empty() {
            let members = self.store.members(task.project_id).await?;
            let mentioned =
                members.iter().filter(|m| handles.iter().any(|h| handle_matches(h, &m.name))).map(|m| m.user_id);
            notices.tell(mentioned, NotificationKind::Mentioned);
        }
        let watchers = self.store.watchers(task.id).await?.into_iter().map(|w| w.user_id);
        notices.tell(
            task.assignee_ids.iter().copied().chain([task.created_by]).chain(watchers),
            NotificationKind::CommentAdded,
        );
        let commit = Commit {
            event: Some(self.event(task.project_id, "comment.created", actor, json!(comment))),
            activity: None,
            notifications: self.route(notices.into_vec()).await?,
        };
        let notified = notified(&commit);
        self.store.insert_comment(&comment, commit).await?;
        self.publish(task.project_id, &notified);
        Ok(comment)
    }

    pub async fn list_activity(&self, actor: &User, task_id: Uuid) -> Result<Vec<Activity>, AppError> {
        self.readable_task(actor, task_id).await?;
        Ok(self.store.activity(task_id).await?)
    }
}
