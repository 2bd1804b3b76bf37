use app::domain::{AppError, Member, MemberInput, NewProject, Project, ProjectPatch, Role, User};
use serde_json::json;
use uuid::Uuid;

use super::{require, Service};
use crate::store::{Commit, NewEvent};

impl Service {
    pub async fn list_projects(&self, actor: &User) -> Result<Vec<Project>, AppError> {
        Ok(self.store.projects_for_user(actor.id).await?)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id))]
    pub async fn create_project(&self, actor: &User, input: NewProject) -> Result<Project, AppError> {
        let input = input.normalized()?;
        let now = self.clock.now();
        let project = Project {
            id: Uuid::now_v7(),
            name: input.name,
            description: input.description,
            created_at: now,
            updated_at: now,
            seq: 0,
            role: Role::Owner,
        };
        self.store.insert_project(&project, actor.id).await?;
        Ok(project)
    }

    pub async fn get_project(&self, actor: &User, id: Uuid) -> Result<Project, AppError> {
        self.project_as(actor, id).await
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, project = %id))]
    pub async fn update_project(&self, actor: &User, id: Uuid, patch: ProjectPatch) -> Result<Project, AppError> {
        let project = self.project_as(actor, id).await?;
        require(project.role.can_manage(), "only the project's admins and owners can change it")?;
        let patch = patch.normalized()?;
        if patch.name.is_none() && patch.description.is_none() {
            return Ok(project);
        }
        let now = self.clock.now();
        let updated = Project {
            name: patch.name.clone().unwrap_or(project.name),
            description: patch.description.clone().unwrap_or(project.description),
            updated_at: now,
            seq: project.seq + 1,
            ..project
        };
        let event = self.event(id, "project.updated", actor, json!(public_project(&updated)));
        self.store.update_project(id, &patch, now, Commit { event: Some(event), ..Default::default() }).await?;
        self.publish(id, &[]);
        // Another write may have taken a seq meanwhile; read back what was stored.
        self.project_as(actor, id).await
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, project = %id))]
    pub async fn delete_project(&self, actor: &User, id: Uuid) -> Result<(), AppError> {
        let role = self.role_in(actor, id).await?;
        require(role.can_own(), "only an owner can delete the project")?;
        Ok(self.store.delete_project(id).await?)
    }

    pub async fn list_members(&self, actor: &User, project_id: Uuid) -> Result<Vec<Member>, AppError> {
        self.role_in(actor, project_id).await?;
        Ok(self.store.members(project_id).await?)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, project = %project_id))]
    pub async fn add_member(&self, actor: &User, project_id: Uuid, input: MemberInput) -> Result<Member, AppError> {
        let role = self.role_in(actor, project_id).await?;
        require(role.can_manage(), "only the project's admins and owners can add members")?;
        input.validate()?;
        require(input.role != Role::Owner || role.can_own(), "only an owner can make someone an owner")?;
        let user = match (input.user_id, input.email) {
            (Some(id), _) => self.store.user_by_id(id).await?,
            (None, Some(email)) => {
                self.store.user_by_email(&app::domain::normalize_email(&email)).await?.map(|(u, _)| u)
            }
            (None, None) => None,
        }
        .ok_or_else(|| AppError::invalid("email", "does not belong to any account on this instance"))?;
        let now = self.clock.now();
        let member = Member { user_id: user.id, email: user.email, name: user.name, role: input.role, joined_at: now };
        let event = self.event(project_id, "member.added", actor, json!(member));
        self.store
            .insert_member(project_id, user.id, input.role, now, Commit { event: Some(event), ..Default::default() })
            .await?;
        self.publish(project_id, &[]);
        Ok(member)
    }

    #[tracing::instrument(skip_all, fields(user = %actor.id, project = %project_id))]
    pub async fn remove_member(&self, actor: &User, project_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
        let role = self.role_in(actor, project_id).await?;
        let leaving = user_id == actor.id;
        require(leaving || role.can_manage(), "only the project's admins and owners can remove members")?;
        let members = self.store.members(project_id).await?;
        let target = members.iter().find(|m| m.user_id == user_id).ok_or_else(|| AppError::not_found("member"))?;
        if target.role == Role::Owner {
            require(role.can_own(), "only an owner can remove an owner")?;
            let owners = members.iter().filter(|m| m.role == Role::Owner).count();
            require(owners > 1, "a project needs at least one owner; make someone else owner first")?;
        }
        let event = self.event(project_id, "member.removed", actor, json!({ "user_id": user_id }));
        self.store.delete_member(project_id, user_id, Commit { event: Some(event), ..Default::default() }).await?;
        self.publish(project_id, &[]);
        Ok(())
    }

    pub(super) fn event(
        &self,
        project_id: Uuid,
        kind: &'static str,
        actor: &User,
        payload: serde_json::Value,
    ) -> NewEvent {
        NewEvent { project_id, kind, actor_id: Some(actor.id), at: self.clock.now(), payload }
    }
}

/// The project as every member sees it: without the reader's own role.
fn public_project(p: &Project) -> serde_json::Value {
    json!({
        "id": p.id, "name": p.name, "description": p.description,
        "created_at": p.created_at, "updated_at": p.updated_at, "seq": p.seq,
    })
}
