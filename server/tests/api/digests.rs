//! The daily digest at each person's local time, with a clock the test sets: the day's
//! and late tasks that are theirs, once a day however many instances run, nothing on a
//! day whose time passed long ago while no instance ran, and the email listing them.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ManualClock, TestApp, TestUser};
use crate::smtp::SmtpSink;

async fn task(app: &TestApp, project: &str, by: &TestUser, title: &str, due: &str, assignees: &[&TestUser]) -> String {
    let ids: Vec<&str> = assignees.iter().map(|u| u.id.as_str()).collect();
    let body = json!({ "title": title, "due_at": due, "assignee_ids": ids });
    app.task(project, by, body).await["id"].as_str().unwrap().to_owned()
}

async fn digests(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let r = app.get("/api/v1/notifications", user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "digest").cloned().collect()
}

#[tokio::test]
async fn the_digest_comes_once_a_day_at_the_local_time_with_the_days_and_the_late_tasks() {
    // 06:00 in Kolkata (UTC+05:30).
    let clock = ManualClock::starting_at("2026-11-23T00:30:00Z");
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with_clock(
        move |c| {
            c.smtp = Some(server::email::SmtpSettings { url, from: "Tandem <tandem@example.com>".into() });
            c.email_sender = false;
        },
        clock.clone(),
    )
    .await;
    let other = app.second_instance(clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let late = task(&app, &project, &ada, "Late one", "2026-11-22T20:00:00Z", &[&bob]).await;
    let today = task(&app, &project, &ada, "Today's", "2026-11-23T12:00:00Z", &[&bob]).await;
    // 15:30 on the 24th in Kolkata: tomorrow's.
    task(&app, &project, &ada, "Tomorrow's", "2026-11-24T10:00:00Z", &[&bob]).await;
    let done = task(&app, &project, &ada, "Done already", "2026-11-23T10:00:00Z", &[&bob]).await;
    let r = app.patch(&format!("/api/v1/tasks/{done}"), &ada, json!({ "status": "done" })).await;
    assert_eq!(r.status, StatusCode::OK);
    task(&app, &project, &ada, "Ada's own", "2026-11-23T10:00:00Z", &[&ada]).await;
    let mine = task(&app, &project, &bob, "Bob's unassigned", "2026-11-23T15:00:00Z", &[]).await;
    let me = app
        .patch("/api/v1/me", &bob, json!({ "timezone": "Asia/Kolkata", "notifications": { "digest_at": "07:00" } }))
        .await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["notifications"]["digest_at"], "07:00");

    // The assignments' own email goes first.
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0, "not 07:00 yet");
    clock.advance(TimeDelta::minutes(61));
    let runs = (0..4).map(|i| {
        let service = if i % 2 == 0 { app.service.clone() } else { other.clone() };
        async move { service.send_due_digests().await.unwrap() }
    });
    assert_eq!(futures::future::join_all(runs).await.into_iter().sum::<usize>(), 1);
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0, "once a day");
    let got = digests(&app, &bob).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["title"], "Your day: 2 tasks due, 1 overdue. Start with “Late one”");
    assert_eq!(got[0]["task_id"], late.as_str());
    assert_eq!(got[0]["actor_id"], Value::Null);
    assert!(digests(&app, &ada).await.is_empty());

    // The email lists every task of the day with its link.
    assert_eq!(app.service.send_due_emails().await.unwrap(), 1);
    let mail = sink.messages();
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1]["subject"], got[0]["title"]);
    let text = mail[1]["text"].as_str().unwrap();
    for id in [&late, &today, &mine] {
        assert!(text.contains(&format!("http://localhost:3000/tasks/{id}")), "{text}");
    }
    assert!(!text.contains("Tomorrow's") && !text.contains("Done already") && !text.contains("Ada's own"), "{text}");
    assert!(text.contains("due Mon 23 Nov 2026, 17:30 (Asia/Kolkata)"), "{text}");

    // The next day: yesterday's are late, tomorrow's is today's.
    clock.advance(TimeDelta::hours(24));
    assert_eq!(app.service.send_due_digests().await.unwrap(), 1);
    assert_eq!(digests(&app, &bob).await[0]["title"], "Your day: 1 task due, 3 overdue. Start with “Late one”");

    // A day whose digest time passed more than 12 hours ago while nothing ran: skipped.
    clock.advance(TimeDelta::hours(24 + 13));
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0);

    // Turned off: nothing the next day.
    app.patch("/api/v1/me", &bob, json!({ "notifications": { "digest_at": null } })).await;
    clock.advance(TimeDelta::hours(11));
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0);
    assert_eq!(digests(&app, &bob).await.len(), 2);
    // A month on, the two days' claims are forgotten (the notifications stay).
    clock.advance(TimeDelta::days(31));
    assert_eq!(app.service.prune_sent_records().await.unwrap(), 2);
}

#[tokio::test]
async fn a_day_with_nothing_due_sends_no_digest_and_the_next_day_does() {
    let clock = ManualClock::starting_at("2026-11-23T07:30:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let bob = app.user("Bob").await;
    let project = app.project(&bob, "Quiet").await;
    task(&app, &project, &bob, "Next week", "2026-11-30T09:00:00Z", &[&bob]).await;
    let r = app.patch("/api/v1/me", &bob, json!({ "notifications": { "digest_at": "07:00" } })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0);
    assert!(digests(&app, &bob).await.is_empty());
    task(&app, &project, &bob, "Tomorrow", "2026-11-24T16:00:00Z", &[&bob]).await;
    clock.advance(TimeDelta::hours(24));
    assert_eq!(app.service.send_due_digests().await.unwrap(), 1);
    assert_eq!(digests(&app, &bob).await[0]["title"], "Your day: 1 task due. Start with “Tomorrow”");
}

#[tokio::test]
async fn a_late_evening_digest_missed_before_midnight_still_comes_after_it() {
    let clock = ManualClock::starting_at("2026-11-23T23:00:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let bob = app.user("Bob").await;
    let project = app.project(&bob, "Night").await;
    task(&app, &project, &bob, "Overdue", "2026-11-23T10:00:00Z", &[&bob]).await;
    let r = app.patch("/api/v1/me", &bob, json!({ "notifications": { "digest_at": "23:30" } })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0);
    // No instance ran at 23:30; the first run is after midnight.
    clock.advance(TimeDelta::minutes(70));
    assert_eq!(app.service.send_due_digests().await.unwrap(), 1);
    assert_eq!(app.service.send_due_digests().await.unwrap(), 0);
    assert_eq!(digests(&app, &bob).await[0]["title"], "Your day: 1 overdue. Start with “Overdue”");
}
