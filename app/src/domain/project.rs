use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::input::{char_len, double_option, non_empty};
use super::{AppError, Violations};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Member,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }

    /// Members create and edit tasks and comment; viewers only read.
    pub fn can_edit_tasks(self) -> bool {
        self >= Role::Member
    }

    /// Admins and owners manage members and the project's settings.
    pub fn can_manage(self) -> bool {
        self >= Role::Admin
    }

    /// Only an owner may grant or take away ownership, or delete the project.
    pub fn can_own(self) -> bool {
        self == Role::Owner
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Number of the project's latest event.
    pub seq: i64,
    /// The caller's role in the project.
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

impl NewProject {
    pub fn normalized(self) -> Result<Self, AppError> {
        let p = Self { name: self.name.trim().to_owned(), description: non_empty(self.description) };
        let mut v = Violations::default();
        check_project_name(&mut v, &p.name);
        check_description(&mut v, p.description.as_deref());
        v.into_result()?;
        Ok(p)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
}

impl ProjectPatch {
    pub fn normalized(self) -> Result<Self, AppError> {
        let p = Self { name: self.name.map(|n| n.trim().to_owned()), description: self.description.map(non_empty) };
        let mut v = Violations::default();
        if let Some(name) = &p.name {
            check_project_name(&mut v, name);
        }
        if let Some(description) = &p.description {
            check_description(&mut v, description.as_deref());
        }
        v.into_result()?;
        Ok(p)
    }
}

fn check_project_name(v: &mut Violations, name: &str) {
    v.check(!name.is_empty(), "name", "must not be empty");
    v.check(char_len(name) <= 100, "name", "must be at most 100 characters");
}

fn check_description(v: &mut Violations, description: Option<&str>) {
    v.check(description.is_none_or(|d| char_len(d) <= 5000), "description", "must be at most 5000 characters");
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// Who to add to a project: an existing user, named by id or by email.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[serde(default)]
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub email: Option<String>,
    pub role: Role,
}

impl MemberInput {
    pub fn validate(&self) -> Result<(), AppError> {
        match (&self.user_id, &self.email) {
            (None, None) => Err(AppError::invalid("email", "or user_id is required")),
            (Some(_), Some(_)) => Err(AppError::invalid("email", "and user_id cannot both be given")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_contract_says() {
        assert!(!Role::Viewer.can_edit_tasks());
        assert!(Role::Member.can_edit_tasks() && !Role::Member.can_manage());
        assert!(Role::Admin.can_manage() && !Role::Admin.can_own());
        assert!(Role::Owner.can_own());
    }

    #[test]
    fn project_name_is_trimmed_and_required() {
        let err = NewProject { name: "   ".into(), description: None }.normalized().unwrap_err();
        assert_eq!(err.field_error("name").as_deref(), Some("must not be empty"));
        let ok = NewProject { name: " Launch ".into(), description: Some("  ".into()) }.normalized().unwrap();
        assert_eq!((ok.name.as_str(), ok.description), ("Launch", None));
    }

    #[test]
    fn member_input_needs_exactly_one_way_to_name_the_user() {
        let none = MemberInput { user_id: None, email: None, role: Role::Member };
        assert!(none.validate().is_err());
        let email = MemberInput { user_id: None, email: Some("a@b.co".into()), role: Role::Viewer };
        assert!(email.validate().is_ok());
    }
}
