//! The email a person gets for their notifications: one message for however many are
//! ready at once, as plain text and HTML, each notification linking to its task.

use app::domain::User;
use chrono::{DateTime, Utc};

use crate::store::{ClaimedDelivery, DigestTask};

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `digest`: the tasks of a daily digest among `items`, listed after them.
pub fn render(user: &User, items: &[ClaimedDelivery], digest: &[DigestTask], public_url: &str) -> Rendered {
    let zone = crate::zone::tz_or_utc(&user.timezone);
    let subject = match items {
        [one] => one.notification.title.clone(),
        many => format!("{} new notifications in Tandem", many.len()),
    };
    let settings = format!("{public_url}/settings");
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1f2328\">\
         <ul style=\"padding-left: 1.2em\">",
    );
    for item in items {
        let n = &item.notification;
        let link = match n.task_id {
            Some(task) => format!("{public_url}/tasks/{task}"),
            None => format!("{public_url}/projects/{}", n.project_id),
        };
        let context = match item.task_due_at {
            Some(due) => format!("{} · due {}", item.project_name, local(due, &zone)),
            None => item.project_name.clone(),
        };
        text.push_str(&format!("{}\n{}\n{}\n\n", n.title, context, link));
        html.push_str(&format!(
            "<li style=\"margin-bottom: 1em\"><a href=\"{}\"><strong>{}</strong></a><br>\
             <span style=\"color: #59636e\">{}</span></li>",
            escape(&link),
            escape(&n.title),
            escape(&context)
        ));
    }
    html.push_str("</ul>");
    if !digest.is_empty() {
        text.push_str("Due today and overdue:\n\n");
        html.push_str("<h2 style=\"font-size: 1.1em\">Due today and overdue</h2><ul style=\"padding-left: 1.2em\">");
        for task in digest {
            let link = format!("{public_url}/tasks/{}", task.task_id);
            let context = format!("{} · due {}", task.project_name, local(task.due_at, &zone));
            text.push_str(&format!("- {}\n  {}\n  {}\n", task.title, context, link));
            html.push_str(&format!(
                "<li style=\"margin-bottom: .6em\"><a href=\"{}\">{}</a><br>\
                 <span style=\"color: #59636e\">{}</span></li>",
                escape(&link),
                escape(&task.title),
                escape(&context)
            ));
        }
        text.push('\n');
        html.push_str("</ul>");
    }
    text.push_str(&format!("--\nChoose which notifications you get by email: {settings}\n"));
    html.push_str(&format!(
        "<p style=\"color: #59636e; font-size: 0.9em\">\
         <a href=\"{}\">Choose which notifications you get by email</a></p></body></html>",
        escape(&settings)
    ));
    Rendered { subject, text, html }
}

/// `Tue 24 Nov 2026, 09:00 (Europe/Berlin)`.
fn local(at: DateTime<Utc>, zone: &chrono_tz::Tz) -> String {
    format!("{} ({})", at.with_timezone(zone).format("%a %-d %b %Y, %H:%M"), zone.name())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{Notification, NotificationKind};
    use uuid::Uuid;

    fn item(title: &str, due: Option<&str>) -> ClaimedDelivery {
        let user = user();
        ClaimedDelivery {
            notification: Notification {
                id: Uuid::now_v7(),
                kind: NotificationKind::TaskAssigned,
                project_id: Uuid::from_u128(7),
                task_id: Some(Uuid::from_u128(9)),
                actor_id: None,
                title: title.into(),
                created_at: Utc::now(),
                read_at: None,
            },
            user,
            project_name: "Launch <beta>".into(),
            task_due_at: due.map(|d| DateTime::parse_from_rfc3339(d).unwrap().with_timezone(&Utc)),
            attempts: 1,
        }
    }

    fn user() -> User {
        User {
            id: Uuid::from_u128(1),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            is_admin: false,
            created_at: Utc::now(),
            timezone: "Europe/Berlin".into(),
            avatar_url: None,
            reminder_lead_minutes: 60,
            reminder_leads_minutes: vec![60],
            notifications: Default::default(),
        }
    }

    #[test]
    fn one_notification_is_its_own_subject_and_links_to_its_task_in_the_persons_time() {
        let mail = render(
            &user(),
            &[item("Grace assigned you “<b>Ship</b>”", Some("2026-11-24T08:00:00Z"))],
            &[],
            "https://t.example",
        );
        assert_eq!(mail.subject, "Grace assigned you “<b>Ship</b>”");
        let task = format!("https://t.example/tasks/{}", Uuid::from_u128(9));
        assert!(mail.text.contains(&task));
        assert!(mail.text.contains("Launch <beta> · due Tue 24 Nov 2026, 09:00 (Europe/Berlin)"));
        assert!(mail.html.contains(&format!("href=\"{task}\"")));
        assert!(mail.html.contains("&lt;b&gt;Ship&lt;/b&gt;") && !mail.html.contains("<b>Ship"));
        assert!(mail.html.contains("Launch &lt;beta&gt;"));
    }

    #[test]
    fn several_notifications_make_one_message() {
        let mail = render(&user(), &[item("One", None), item("Two", None)], &[], "https://t.example");
        assert_eq!(mail.subject, "2 new notifications in Tandem");
        assert!(mail.text.contains("One\n") && mail.text.contains("Two\n"));
        assert!(mail.text.contains("https://t.example/settings"));
    }
}
