//! Email notifications against a real SMTP server on loopback: what arrives and what it
//! says, preferences per kind and channel, quiet hours, retries with backoff when the
//! server is down or refuses, giving up on a refused mailbox, and exactly once with two
//! instances.

use chrono::{TimeDelta, Timelike};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ManualClock, TestApp, TestUser};
use crate::smtp::{url_for, SmtpSink};

fn smtp(url: String) -> server::email::SmtpSettings {
    server::email::SmtpSettings { url, from: "Tandem <tandem@example.com>".into() }
}

/// A server sending email through `url`; with a clock the test moves, and no background
/// sender, so that the test decides when email goes out.
async fn app_sending_to(url: String, clock: std::sync::Arc<ManualClock>) -> TestApp {
    TestApp::spawn_with_clock(
        move |c| {
            c.smtp = Some(smtp(url));
            c.email_sender = false;
        },
        clock,
    )
    .await
}

async fn assign(app: &TestApp, project: &str, by: &TestUser, title: &str, to: &[&TestUser]) -> String {
    let ids: Vec<&str> = to.iter().map(|u| u.id.as_str()).collect();
    app.task(project, by, json!({ "title": title, "assignee_ids": ids })).await["id"].as_str().unwrap().to_owned()
}

async fn notifications(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let r = app.get("/api/v1/notifications", user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn set_prefs(app: &TestApp, user: &TestUser, notifications: Value) -> Value {
    let r = app.patch("/api/v1/me", user, json!({ "notifications": notifications })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

#[tokio::test]
async fn an_assignment_arrives_by_email_with_a_link_and_comments_stay_in_the_app() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    // The background sender, as it runs in production.
    let app = TestApp::spawn_with(move |c| c.smtp = Some(smtp(url))).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    // Ada assigns herself too: nobody is told of their own action.
    let task = assign(&app, &project, &ada, "Write the <report>", &[&ada, &bob]).await;

    let mail = sink.wait_for(1).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];
    assert_eq!(m["rcpt_tos"], json!(["bob@example.com"]));
    assert_eq!(m["to"], "Bob <bob@example.com>");
    assert_eq!(m["from"], "Tandem <tandem@example.com>");
    assert_eq!(m["subject"], "Ada assigned you “Write the <report>”");
    assert_eq!(m["content_type"], "multipart/alternative");
    let link = format!("http://localhost:3000/tasks/{task}");
    assert!(m["text"].as_str().unwrap().contains(&link), "{m}");
    assert!(m["text"].as_str().unwrap().contains("Launch"), "{m}");
    let html = m["html"].as_str().unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(html.contains("Write the &lt;report&gt;"), "{html}");

    // A comment notifies Bob in the app only (the default), a mention by email too.
    let path = format!("/api/v1/tasks/{task}/comments");
    assert_eq!(app.post(&path, &ada, json!({ "body": "Draft is up" })).await.status, StatusCode::CREATED);
    assert_eq!(app.post(&path, &ada, json!({ "body": "@Bob please review" })).await.status, StatusCode::CREATED);
    let mail = sink.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mail_after = sink.messages();
    assert_eq!(mail_after.len(), 2, "{mail_after:?}");
    assert_eq!(mail[1]["subject"], "Ada mentioned you on “Write the <report>”");
    let kinds: Vec<String> =
        notifications(&app, &bob).await.iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["mentioned", "comment_added", "task_assigned"]);
    assert!(sink.messages().iter().all(|m| m["rcpt_tos"] == json!(["bob@example.com"])));
}

#[tokio::test]
async fn preferences_choose_the_kinds_and_the_channels() {
    let clock = ManualClock::starting_now();
    let sink = SmtpSink::start().await;
    let app = app_sending_to(sink.url(), clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;

    let me = app.get("/api/v1/me", &bob).await.body;
    assert_eq!(me["notifications"]["events"]["task_assigned"], json!(["app", "email", "push"]));
    assert_eq!(me["notifications"]["events"]["comment_added"], json!(["app"]));
    assert_eq!(me["notifications"]["quiet_hours"], Value::Null);

    // Assignments by email only; changes not at all; the rest as they were.
    let me = set_prefs(&app, &bob, json!({ "events": { "task_assigned": ["email"], "task_updated": [] } })).await;
    assert_eq!(me["notifications"]["events"]["task_assigned"], json!(["email"]));
    assert_eq!(me["notifications"]["events"]["task_updated"], json!([]));
    assert_eq!(me["notifications"]["events"]["mentioned"], json!(["app", "email", "push"]));
    assert_eq!(app.get("/api/v1/me", &bob).await.body["notifications"], me["notifications"]);

    let task = assign(&app, &project, &ada, "Report", &[&bob]).await;
    let r = app.patch(&format!("/api/v1/tasks/{task}"), &ada, json!({ "title": "Annual report" })).await;
    assert_eq!(r.status, StatusCode::OK);
    // The assignment is kept, already read, and emailed; the change is not recorded.
    let list = notifications(&app, &bob).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "task_assigned");
    assert!(list[0]["read_at"].is_string());
    assert_eq!(app.get("/api/v1/notifications?unread=true", &bob).await.body["items"], json!([]));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    assert_eq!(sink.messages()[0]["subject"], "Ada assigned you “Report”");

    // Nothing by email at all: nothing queued.
    set_prefs(&app, &bob, json!({ "events": { "task_assigned": ["app"] } })).await;
    assign(&app, &project, &ada, "Slides", &[&bob]).await;
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(notifications(&app, &bob).await[0]["read_at"], Value::Null);
}

#[tokio::test]
async fn bad_preferences_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let bob = app.user("Bob").await;
    let before = app.get("/api/v1/me", &bob).await.body;
    for (body, field) in [
        (json!({ "notifications": { "events": { "weather": ["app"] } } }), None),
        (json!({ "notifications": { "events": { "overdue": ["pigeon"] } } }), None),
        (json!({ "notifications": { "events": { "overdue": "app" } } }), None),
        (json!({ "notifications": { "quiet_hours": { "from": "25:00", "to": "07:00" } } }), None),
        (json!({ "notifications": { "quiet_hours": { "from": "22:00" } } }), None),
        (json!({ "notifications": { "quiet": true } }), None),
        (
            json!({ "notifications": { "quiet_hours": { "from": "07:00", "to": "07:00" } } }),
            Some("notifications.quiet_hours"),
        ),
    ] {
        let r = app.patch("/api/v1/me", &bob, body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {:?}", r.body);
        if let Some(field) = field {
            assert_eq!(r.code(), "validation_failed");
            assert!(r.body["error"]["details"]["fields"][field].is_string(), "{:?}", r.body);
        }
    }
    assert_eq!(app.get("/api/v1/me", &bob).await.body, before);
}

/// `HH:MM` of the clock's time moved by `by`.
fn hh_mm(clock: &ManualClock, by: TimeDelta) -> String {
    use server::clock::Clock;
    let t = clock.now() + by;
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[tokio::test]
async fn quiet_hours_hold_email_until_they_end_then_send_it_together() {
    let clock = ManualClock::starting_now();
    let sink = SmtpSink::start().await;
    let app = app_sending_to(sink.url(), clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    // Bob's time zone is UTC, as the clock.
    let quiet = json!({ "from": hh_mm(&clock, TimeDelta::hours(-1)), "to": hh_mm(&clock, TimeDelta::hours(2)) });
    let me = set_prefs(&app, &bob, json!({ "quiet_hours": quiet })).await;
    assert_eq!(me["notifications"]["quiet_hours"], quiet);

    assign(&app, &project, &ada, "Report", &[&bob]).await;
    assign(&app, &project, &ada, "Slides", &[&bob]).await;
    // The app has them at once; email waits.
    assert_eq!(app.get("/api/v1/notifications?unread=true", &bob).await.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    clock.advance(TimeDelta::minutes(90));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    assert!(sink.messages().is_empty());

    clock.advance(TimeDelta::minutes(32));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["subject"], "2 new notifications in Tandem");
    let text = mail[0]["text"].as_str().unwrap();
    assert!(text.contains("Ada assigned you “Report”") && text.contains("Ada assigned you “Slides”"), "{text}");

    // Quiet hours off: the next goes at once.
    set_prefs(&app, &bob, json!({ "quiet_hours": null })).await;
    assign(&app, &project, &ada, "Budget", &[&bob]).await;
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
}

#[tokio::test]
async fn a_failing_smtp_server_is_retried_with_backoff_and_holds_up_nothing() {
    let clock = ManualClock::starting_now();
    let port = crate::ports::free_port();
    // Nobody listens on the port yet.
    let app = app_sending_to(url_for(port), clock.clone()).await;
    let (ada, bob, cy) = (app.user("Ada").await, app.user("Bob").await, app.user("Cy").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    app.add_member(&project, &ada, &cy, "member").await;
    let started = std::time::Instant::now();
    assign(&app, &project, &ada, "Report", &[&bob, &cy]).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(notifications(&app, &bob).await.len(), 1);
    assert_eq!(notifications(&app, &cy).await.len(), 1);

    // Refused connection: both tried again after 30 s, not before.
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    let sink = SmtpSink::start_on(port, &["--refuse", "1"]).await;
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    clock.advance(TimeDelta::seconds(31));
    // The server answers the first with 451 (tried again after a minute) and takes the other.
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    assert_eq!(sink.refusals().len(), 1);
    clock.advance(TimeDelta::seconds(31));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    clock.advance(TimeDelta::seconds(30));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    let mail = sink.messages();
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().all(|m| m["subject"] == "Ada assigned you “Report”"));
    let mut to: Vec<&str> = mail.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["bob@example.com", "cy@example.com"]);
    // Sent once: nothing more however late.
    clock.advance(TimeDelta::hours(6));
    assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
}

#[tokio::test]
async fn a_refused_mailbox_is_given_up_while_others_get_theirs() {
    let clock = ManualClock::starting_now();
    let sink = SmtpSink::start_on(crate::ports::free_port(), &["--reject", "bob@example.com"]).await;
    let app = app_sending_to(sink.url(), clock.clone()).await;
    let (ada, bob, cy) = (app.user("Ada").await, app.user("Bob").await, app.user("Cy").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    app.add_member(&project, &ada, &cy, "member").await;
    assign(&app, &project, &ada, "Report", &[&bob, &cy]).await;
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    assert_eq!(sink.messages()[0]["rcpt_tos"], json!(["cy@example.com"]));
    assert_eq!(sink.refusals(), [json!({ "stage": "rcpt", "detail": "bob@example.com" })]);
    // Given up: never offered again, however long one waits.
    for _ in 0..3 {
        clock.advance(TimeDelta::hours(2));
        assert_eq!(app.service.send_due_emails().await.unwrap(), 0);
    }
    assert_eq!(sink.refusals().len(), 1);
    assert_eq!(sink.messages().len(), 1);
    // Bob still has it in the app.
    assert_eq!(notifications(&app, &bob).await.len(), 1);
    // The given-up email is remembered for a month, then forgotten.
    assert_eq!(app.service.prune_sent_records().await.unwrap(), 0);
    clock.advance(TimeDelta::days(31));
    assert_eq!(app.service.prune_sent_records().await.unwrap(), 1);
    assert_eq!(app.service.prune_sent_records().await.unwrap(), 0);
}

#[tokio::test]
async fn two_instances_send_each_email_exactly_once() {
    let clock = ManualClock::starting_now();
    let sink = SmtpSink::start().await;
    let app = app_sending_to(sink.url(), clock.clone()).await;
    let other = app.second_instance(clock.clone()).await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let mut people = Vec::new();
    for i in 0..6 {
        let user = app.user(&format!("Person {i}")).await;
        app.add_member(&project, &ada, &user, "member").await;
        people.push(user);
    }
    for (i, person) in people.iter().enumerate() {
        assign(&app, &project, &ada, &format!("Task {i}"), &[person]).await;
    }
    let runs = (0..6).map(|i| {
        let service = if i % 2 == 0 { app.service.clone() } else { other.clone() };
        async move { service.send_due_emails().await.unwrap() }
    });
    let sent: usize = futures::future::join_all(runs).await.into_iter().sum();
    assert_eq!(sent, 6);
    let mut to: Vec<String> = sink.messages().iter().map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned()).collect();
    to.sort();
    let mut expected: Vec<String> = people.iter().map(|p| p.email.clone()).collect();
    expected.sort();
    assert_eq!(to, expected);
}
