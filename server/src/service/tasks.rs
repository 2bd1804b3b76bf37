use app::domain::{
    AppError, ErrorCode, NewTask, NotificationKind, Page, Priority, Task, TaskFilter, TaskPatch, TaskStatus, TaskView,
    User,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::notify::Notices;
use super::{notified, require, Service};
use crate::recurrence;
use crate::store::{Commit, NewActivity, NextOccurrence, TaskScope};

/// Concurrent writers to one task retry this often (with a short random pause) before
/// answering with a conflict.
const WRITE_ATTEMPTS: u32 = 25;

impl Service {
    pub async fn list_tasks(&self, actor: &User, project_id: Uuid, filter: TaskFilter) -> Result<Page<Task>, AppError> {
        self.role_in(actor, project_id).await?;
        let (items, more) = self.store.list_tasks(TaskScope::Project(project_id), &filter, actor.id).await?;
        Ok(Page { items, next_cursor: filter.next_cursor(more) })
    }

    /// Tasks across every project the actor belongs to.
    pub async fn list_my_tasks(&self, actor: &User, filter: TaskFilter) -> Result<Page<Task>, AppError> {
        let (items, more) = self.store.list_tasks(TaskScope::MemberOf(actor.id), &filter, actor.id).await?;
        Ok(Page { items, next_cursor: filter.next_cursor(more) })
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, project = %project_id))]
    pub async fn create_task(&self, actor: &User, project_id: Uuid, input: NewTask) -> Result<Task, AppError> {
        let role = self.role_in(actor, project_id).await?;
        require(role.can_edit_tasks(), "viewers cannot create tasks")?;
        let mut input = input.normalized()?;
        input.recurrence = input.recurrence.map(|r| recurrence::checked(r, &actor.timezone)).transpose()?;
        self.check_assignees(project_id, &input.assignee_ids).await?;
        let now = self.clock.now();
        let status = input.status.unwrap_or(TaskStatus::Todo);
        let task = Task {
            id: Uuid::now_v7(),
            project_id,
            title: input.title,
            description: input.description,
            status,
            priority: input.priority.unwrap_or(Priority::None),
            due_at: input.due_at,
            assignee_ids: input.assignee_ids,
            labels: input.labels,
            created_by: actor.id,
            created_at: now,
            updated_at: now,
            completed_at: (status == TaskStatus::Done).then_some(now),
            version: 1,
            recurrence: input.recurrence.map(|r| recurrence::anchored(r, input.due_at)),
        };
        let mut notices = Notices::new(actor, &task, now);
        notices.tell(task.assignee_ids.iter().copied(), NotificationKind::TaskAssigned);
        let commit = Commit {
            event: Some(self.event(project_id, "task.created", actor, json!(task))),
            activity: Some(NewActivity {
                task_id: task.id,
                actor_id: actor.id,
                at: now,
                kind: "created",
                version: 1,
                changes: json!({}),
            }),
            notifications: self.route(notices.into_vec()).await?,
        };
        let notified = notified(&commit);
        self.store.insert_task(&task, commit).await?;
        self.publish(project_id, &notified);
        Ok(task)
    }

    /// A task the actor may read, with their role in its project.
    pub(super) async fn readable_task(&self, actor: &User, id: Uuid) -> Result<(Task, app::domain::Role), AppError> {
        let task = self.store.task(id).await?.ok_or_else(|| AppError::not_found("task"))?;
        let role = self.store.project_for_user(task.project_id, actor.id).await?.map(|p| p.role);
        role.map(|r| (task, r)).ok_or_else(|| AppError::not_found("task"))
    }

    pub async fn get_task(&self, actor: &User, id: Uuid) -> Result<Task, AppError> {
        Ok(self.readable_task(actor, id).await?.0)
    }

    pub async fn task_view(&self, actor: &User, id: Uuid) -> Result<TaskView, AppError> {
        let (task, role) = self.readable_task(actor, id).await?;
        // The task is read again after the project's `seq`, so that the page, watching
        // from that `seq`, cannot miss a change made in between.
        let seq = self.store.latest_seq(task.project_id).await?;
        let task = self.store.task(task.id).await?.ok_or_else(|| AppError::not_found("task"))?;
        let description_html = crate::markdown::render(task.description.as_deref().unwrap_or_default());
        let watching = self.store.watchers(task.id).await?.iter().any(|w| w.user_id == actor.id);
        Ok(TaskView { task, description_html, role, seq, watching })
    }

    /// Starts or stops the actor following a task they can read; viewers may too.
    #[tracing::instrument(skip_all, fields(user = %actor.id, task = %id))]
    pub async fn set_watching(&self, actor: &User, id: Uuid, watching: bool) -> Result<(), AppError> {
        self.readable_task(actor, id).await?;
        Ok(self.store.set_watching(id, actor.id, watching, self.clock.now()).await?)
    }

    pub async fn list_watchers(&self, actor: &User, id: Uuid) -> Result<Vec<app::domain::Watcher>, AppError> {
        self.readable_task(actor, id).await?;
        Ok(self.store.watchers(id).await?)
    }

    /// Applies a patch. With a `version` older than the task's, fields changed since
    /// then are refused with `version_conflict`; other fields merge.
    #[tracing::instrument(skip_all, fields(user = %actor.id, task = %id))]
    pub async fn update_task(&self, actor: &User, id: Uuid, patch: TaskPatch) -> Result<Task, AppError> {
        let mut patch = patch.normalized()?;
        if let Some(Some(rule)) = patch.recurrence {
            patch.recurrence = Some(Some(recurrence::checked(rule, &actor.timezone)?));
        }
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                let pause = rand::random::<u64>() % (2 * attempt as u64 + 2);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            let (current, role) = self.readable_task(actor, id).await?;
            require(role.can_edit_tasks(), "viewers cannot change tasks")?;
            self.check_version(&current, &patch).await?;
            if let Some(ids) = &patch.assignee_ids {
                self.check_assignees(current.project_id, ids).await?;
            }
            let now = self.clock.now();
            let (mut next, mut changes) = apply(&current, &patch, now);
            if changes.is_empty() {
                return Ok(current);
            }
            if next.recurrence.is_some() && next.due_at.is_none() {
                return Err(match patch.due_at {
                    Some(None) => AppError::invalid("due_at", "is needed while the task repeats"),
                    _ => AppError::invalid("recurrence", "needs a due date to count from"),
                });
            }
            next.recurrence = next.recurrence.map(|r| recurrence::anchored(r, next.due_at));
            let following = self.next_occurrence(actor, &current, &mut next, &mut changes, now).await?;
            let mut notices = Notices::new(actor, &next, now);
            notices.tell(
                next.assignee_ids.iter().filter(|u| !current.assignee_ids.contains(u)).copied(),
                NotificationKind::TaskAssigned,
            );
            let watchers = self.store.watchers(id).await?.into_iter().map(|w| w.user_id);
            notices.tell(
                current.assignee_ids.iter().copied().chain([current.created_by]).chain(watchers),
                NotificationKind::TaskUpdated,
            );
            let commit = Commit {
                event: Some(self.event(next.project_id, "task.updated", actor, json!(next))),
                activity: Some(NewActivity {
                    task_id: id,
                    actor_id: actor.id,
                    at: now,
                    kind: "updated",
                    version: next.version,
                    changes: Value::Object(changes),
                }),
                notifications: self.route(notices.into_vec()).await?,
            };
            let notified = notified(&commit);
            if self.store.update_task(&next, current.version, commit, following).await? {
                self.publish(next.project_id, &notified);
                return Ok(next);
            }
        }
        Err(AppError::new(ErrorCode::VersionConflict, "the task is being changed by others right now; try again"))
    }

    /// When `next` completes a repeating task: the occurrence that follows, due at the
    /// rule's next date, carrying the rule on (the completed one stops repeating, so
    /// reopening and completing it again creates no second one).
    async fn next_occurrence(
        &self,
        actor: &User,
        current: &Task,
        next: &mut Task,
        changes: &mut Map<String, Value>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<NextOccurrence>, AppError> {
        if current.status == TaskStatus::Done || next.status != TaskStatus::Done {
            return Ok(None);
        }
        let Some(rule) = next.recurrence.take() else { return Ok(None) };
        changes.insert("recurrence".into(), json!({ "from": rule, "to": null }));
        let Some(due_at) = next.due_at.and_then(|due| recurrence::next_due(&rule, due, now)) else {
            return Ok(None);
        };
        // Someone who has left the project is not given its next occurrence.
        let members = self.store.member_ids(next.project_id, &next.assignee_ids).await?;
        let task = Task {
            id: Uuid::now_v7(),
            status: TaskStatus::Todo,
            due_at: Some(due_at),
            created_at: now,
            updated_at: now,
            completed_at: None,
            version: 1,
            recurrence: Some(rule),
            assignee_ids: next.assignee_ids.iter().copied().filter(|id| members.contains(id)).collect(),
            ..next.clone()
        };
        let commit = Commit {
            event: Some(self.event(task.project_id, "task.created", actor, json!(task))),
            activity: Some(NewActivity {
                task_id: task.id,
                actor_id: actor.id,
                at: now,
                kind: "created",
                version: 1,
                changes: json!({ "follows": current.id }),
            }),
            notifications: Vec::new(),
        };
        Ok(Some(NextOccurrence { task, commit }))
    }

    async fn check_version(&self, current: &Task, patch: &TaskPatch) -> Result<(), AppError> {
        let Some(seen) = patch.version else {
            return Ok(());
        };
        if seen > current.version || seen < 1 {
            return Err(AppError::invalid("version", "is not a version this task has had"));
        }
        if seen == current.version {
            return Ok(());
        }
        let moved = self.store.fields_changed_since(current.id, seen).await?;
        let clashes: Vec<&str> = patch.fields().into_iter().filter(|f| moved.iter().any(|m| m == f)).collect();
        if clashes.is_empty() {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::VersionConflict,
            format!("someone else changed {} since you loaded this task", clashes.join(", ").replace('_', " ")),
        )
        .with_details(json!({ "current": current, "fields": clashes })))
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, task = %id))]
    pub async fn delete_task(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        let (task, role) = self.readable_task(actor, id).await?;
        require(role.can_edit_tasks(), "viewers cannot delete tasks")?;
        let event = self.event(task.project_id, "task.deleted", actor, json!({ "id": id }));
        self.store.delete_task(id, Commit { event: Some(event), ..Default::default() }).await?;
        self.publish(task.project_id, &[]);
        Ok(())
    }

    async fn check_assignees(&self, project_id: Uuid, ids: &[Uuid]) -> Result<(), AppError> {
        let members = self.store.member_ids(project_id, ids).await?;
        if ids.iter().all(|id| members.contains(id)) {
            Ok(())
        } else {
            Err(AppError::invalid("assignee_ids", "must all be members of the project"))
        }
    }
}

/// The task after the patch, and each changed field as `{"from", "to"}`.
fn apply(current: &Task, patch: &TaskPatch, now: chrono::DateTime<chrono::Utc>) -> (Task, Map<String, Value>) {
    let mut next = current.clone();
    let mut changes = Map::new();
    let mut set = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    };
    if let Some(title) = &patch.title {
        set("title", json!(current.title), json!(title));
        next.title = title.clone();
    }
    if let Some(description) = &patch.description {
        set("description", json!(current.description), json!(description));
        next.description = description.clone();
    }
    if let Some(status) = patch.status {
        set("status", json!(current.status), json!(status));
        next.status = status;
    }
    if let Some(priority) = patch.priority {
        set("priority", json!(current.priority), json!(priority));
        next.priority = priority;
    }
    if let Some(due_at) = patch.due_at {
        set("due_at", json!(current.due_at), json!(due_at));
        next.due_at = due_at;
    }
    if let Some(ids) = &patch.assignee_ids {
        set("assignee_ids", json!(current.assignee_ids), json!(ids));
        next.assignee_ids = ids.clone();
    }
    if let Some(labels) = &patch.labels {
        set("labels", json!(current.labels), json!(labels));
        next.labels = labels.clone();
    }
    if let Some(recurrence) = &patch.recurrence {
        set("recurrence", json!(current.recurrence), json!(recurrence));
        next.recurrence = recurrence.clone();
    }
    if !changes.is_empty() {
        next.version = current.version + 1;
        next.updated_at = now;
        next.completed_at = match (current.status, next.status) {
            (TaskStatus::Done, TaskStatus::Done) => current.completed_at,
            (_, TaskStatus::Done) => Some(now),
            _ => None,
        };
    }
    (next, changes)
}
