//! Reminders of due dates, with a clock the test moves: `due_soon` an hour ahead and
//! `overdue` once past, each once; nothing for completed or re-dated tasks; catch-up
//! after downtime; exactly once with two instances; and the cron-driven scheduler.

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ManualClock, TestApp, TestUser};

/// The reminders `user` has received, as (kind, task id), oldest first.
async fn reminders(app: &TestApp, user: &TestUser) -> Vec<(String, String)> {
    let r = app.get("/api/v1/notifications?limit=100", user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut found: Vec<(String, String)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| matches!(n["kind"].as_str(), Some("due_soon" | "overdue")))
        .map(|n| (n["kind"].as_str().unwrap().to_owned(), n["task_id"].as_str().unwrap().to_owned()))
        .collect();
    found.reverse();
    found
}

fn at(clock: &ManualClock, ahead: TimeDelta) -> String {
    use server::clock::Clock;
    (clock.now() + ahead).to_rfc3339()
}

async fn task(
    app: &TestApp,
    project: &str,
    by: &TestUser,
    title: &str,
    due: String,
    assignees: &[&TestUser],
) -> String {
    let ids: Vec<&str> = assignees.iter().map(|u| u.id.as_str()).collect();
    let body = json!({ "title": title, "due_at": due, "assignee_ids": ids });
    app.task(project, by, body).await["id"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, task: &str, by: &TestUser, body: Value) {
    let r = app.patch(&format!("/api/v1/tasks/{task}"), by, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

fn pair(kind: &str, task: &str) -> (String, String) {
    (kind.to_owned(), task.to_owned())
}

#[tokio::test]
async fn due_soon_then_overdue_each_once_and_never_for_done_or_redated_tasks() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let report = task(&app, &project, &ada, "Report", at(&clock, TimeDelta::minutes(90)), &[&bob]).await;
    let mine = task(&app, &project, &ada, "Unassigned", at(&clock, TimeDelta::minutes(30)), &[]).await;
    let done = task(&app, &project, &ada, "Done early", at(&clock, TimeDelta::minutes(10)), &[&bob]).await;
    patch(&app, &done, &bob, json!({ "status": "done" })).await;

    // Within the hour: only the unassigned task, to its creator.
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(reminders(&app, &ada).await, [pair("due_soon", &mine)]);
    // Running again sends nothing new.
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);

    // 31 minutes on: the report is due within the hour, the unassigned task is late.
    clock.advance(TimeDelta::minutes(31));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 2);
    assert_eq!(reminders(&app, &bob).await, [pair("due_soon", &report)]);
    assert_eq!(reminders(&app, &ada).await, [pair("due_soon", &mine), pair("overdue", &mine)]);

    // The report is moved to later: reminded again before its new time, not at the old one.
    patch(&app, &report, &ada, json!({ "due_at": at(&clock, TimeDelta::minutes(150)) })).await;
    clock.advance(TimeDelta::minutes(60));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0, "the old due time passed: nothing");
    clock.advance(TimeDelta::minutes(31));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(reminders(&app, &bob).await, [pair("due_soon", &report), pair("due_soon", &report)]);

    // Completed before it came due: no overdue.
    patch(&app, &report, &bob, json!({ "status": "done" })).await;
    clock.advance(TimeDelta::hours(2));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    assert_eq!(reminders(&app, &bob).await.len(), 2);
    // Reminders are ordinary notifications: titled, linked to their task, unread.
    let listed = app.get("/api/v1/notifications?limit=1", &bob).await.body;
    assert!(listed["items"][0]["title"].as_str().unwrap().contains("Report"), "{listed}");
}

#[tokio::test]
async fn after_downtime_what_came_due_meanwhile_is_sent_once_as_overdue() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let first = task(&app, &project, &ada, "First", at(&clock, TimeDelta::hours(2)), &[]).await;
    let second = task(&app, &project, &ada, "Second", at(&clock, TimeDelta::hours(5)), &[]).await;
    let long_ago = task(&app, &project, &ada, "Ancient", at(&clock, TimeDelta::hours(3)), &[]).await;
    patch(&app, &long_ago, &ada, json!({ "due_at": at(&clock, -TimeDelta::days(30)) })).await;

    // No run for six hours: both came due; each is reminded once, as overdue only.
    clock.advance(TimeDelta::hours(6));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 2);
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    let mut got = reminders(&app, &ada).await;
    got.sort();
    let mut want = vec![pair("overdue", &first), pair("overdue", &second)];
    want.sort();
    assert_eq!(got, want, "a task due a month ago is past the catch-up window");
}

#[tokio::test]
async fn two_instances_send_each_reminder_exactly_once() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let other = app.second_instance(clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    for i in 0..20 {
        let due = at(&clock, TimeDelta::minutes(20 + i));
        task(&app, &project, &ada, &format!("Task {i}"), due, &[&ada, &bob]).await;
    }
    let mut sent = 0;
    for step in 0..3 {
        // Both instances run at the same moment, several times over.
        let runs = (0..6).map(|i| {
            let service = if i % 2 == 0 { app.service.clone() } else { other.clone() };
            async move { service.send_due_reminders().await.unwrap() }
        });
        sent += futures::future::join_all(runs).await.into_iter().sum::<usize>();
        if step == 0 {
            clock.advance(TimeDelta::hours(1));
        }
    }
    // 20 tasks × 2 people × (due soon + overdue).
    assert_eq!(sent, 80);
    assert_eq!(reminders(&app, &ada).await.len(), 40);
    assert_eq!(reminders(&app, &bob).await.len(), 40);
}

#[tokio::test]
async fn the_scheduler_runs_on_its_cron_expression() {
    let app = TestApp::spawn_with(|c| c.reminder_cron = Some(server::reminders::parse("* * * * * *").unwrap())).await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let due: DateTime<Utc> = Utc::now() + TimeDelta::minutes(10);
    let soon = task(&app, &project, &ada, "Soon", due.to_rfc3339(), &[]).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if reminders(&app, &ada).await == [pair("due_soon", &soon)] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no reminder within 10 s of a per-second schedule");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn each_person_chooses_how_long_ahead_or_not_at_all() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    assert_eq!(app.get("/api/v1/me", &ada).await.body["reminder_lead_minutes"], 60);
    let day = app.patch("/api/v1/me", &ada, json!({ "reminder_lead_minutes": 1440 })).await;
    assert_eq!(day.body["reminder_lead_minutes"], 1440, "{:?}", day.body);
    assert_eq!(app.patch("/api/v1/me", &bob, json!({ "reminder_lead_minutes": 0 })).await.status, StatusCode::OK);
    let too_far = app.patch("/api/v1/me", &bob, json!({ "reminder_lead_minutes": 20000 })).await;
    assert_eq!(too_far.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_far.body["error"]["details"]["fields"]["reminder_lead_minutes"], "must be at most a week (10080)");
    let wrong_type = app.patch("/api/v1/me", &bob, json!({ "reminder_lead_minutes": "soon" })).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);

    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let both = task(&app, &project, &ada, "Both", at(&clock, TimeDelta::hours(20)), &[&ada, &bob]).await;
    // Twenty hours ahead: within Ada's day, and Bob wants no early reminder at all.
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(reminders(&app, &ada).await, [pair("due_soon", &both)]);
    assert_eq!(reminders(&app, &bob).await, []);
    // Late is late for everyone.
    clock.advance(TimeDelta::hours(21));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 2);
    assert_eq!(reminders(&app, &bob).await, [pair("overdue", &both)]);
}

#[tokio::test]
async fn several_lead_times_remind_at_each_once_and_a_late_run_sends_only_the_nearest() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    assert_eq!(app.get("/api/v1/me", &ada).await.body["reminder_leads_minutes"], json!([60]));
    let r = app.patch("/api/v1/me", &ada, json!({ "reminder_leads_minutes": [60, 1440, 60] })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["reminder_leads_minutes"], json!([1440, 60]), "longest first, each once");
    assert_eq!(r.body["reminder_lead_minutes"], 60, "the single field shows the shortest");
    assert_eq!(
        app.patch("/api/v1/me", &bob, json!({ "reminder_leads_minutes": [1440, 60] })).await.status,
        StatusCode::OK
    );
    for refused in [
        json!({ "reminder_leads_minutes": [15, 30, 60, 120, 1440] }),
        json!({ "reminder_leads_minutes": [0] }),
        json!({ "reminder_leads_minutes": [20000] }),
        json!({ "reminder_leads_minutes": [60], "reminder_lead_minutes": 60 }),
        json!({ "reminder_leads_minutes": 60 }),
    ] {
        let r = app.patch("/api/v1/me", &ada, refused.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}: {:?}", r.body);
    }
    assert_eq!(app.get("/api/v1/me", &ada).await.body["reminder_leads_minutes"], json!([1440, 60]));

    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let report = task(&app, &project, &ada, "Report", at(&clock, TimeDelta::hours(30)), &[&ada]).await;
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0, "30 hours ahead: no lead time reached");
    clock.advance(TimeDelta::hours(7));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1, "a day ahead");
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    clock.advance(TimeDelta::hours(22) + TimeDelta::minutes(30));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1, "an hour ahead");
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    assert_eq!(reminders(&app, &ada).await, [pair("due_soon", &report), pair("due_soon", &report)]);

    // Bob's task first comes into view 40 minutes ahead (no instance ran before): one
    // reminder, for the hour, not the day as well.
    let late = task(&app, &project, &ada, "Late", at(&clock, TimeDelta::minutes(40)), &[&bob]).await;
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(reminders(&app, &bob).await, [pair("due_soon", &late)]);

    // A single lead time replaces them all; 0 means none.
    let r = app.patch("/api/v1/me", &bob, json!({ "reminder_lead_minutes": 0 })).await;
    assert_eq!(
        (r.body["reminder_leads_minutes"].clone(), r.body["reminder_lead_minutes"].clone()),
        (json!([]), json!(0))
    );
}

/// The `reminder` notifications `user` has, as titles, oldest first.
async fn own_reminders(app: &TestApp, user: &TestUser) -> Vec<String> {
    let r = app.get("/api/v1/notifications?limit=100", user).await;
    let mut found: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reminder")
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect();
    found.reverse();
    found
}

#[tokio::test]
async fn a_task_carries_its_own_reminders_at_a_moment_or_before_it_is_due() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob, vic, sam) =
        (app.user("Ada").await, app.user("Bob").await, app.user("Vic").await, app.user("Sam").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    app.add_member(&project, &ada, &vic, "viewer").await;
    let report = task(&app, &project, &ada, "Report", at(&clock, TimeDelta::hours(3)), &[&bob]).await;
    let other = task(&app, &project, &ada, "Other", at(&clock, TimeDelta::days(40)), &[&bob]).await;
    let path = format!("/api/v1/tasks/{report}/reminders");

    let relative = app.post(&path, &ada, json!({ "before_due_minutes": 120 })).await;
    assert_eq!(relative.status, StatusCode::CREATED, "{:?}", relative.body);
    let fixed = app.post(&path, &bob, json!({ "at": at(&clock, TimeDelta::minutes(30)) })).await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{:?}", fixed.body);
    assert_eq!(fixed.body["before_due_minutes"], Value::Null);
    // Viewers read them but may not add; outsiders see nothing; nonsense is refused.
    assert_eq!(app.get(&path, &vic).await.body.as_array().unwrap().len(), 2);
    assert_eq!(app.post(&path, &vic, json!({ "before_due_minutes": 5 })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&path, &sam).await.status, StatusCode::NOT_FOUND);
    for bad in [
        json!({}),
        json!({ "before_due_minutes": 5, "at": at(&clock, TimeDelta::hours(1)) }),
        json!({ "before_due_minutes": 50000 }),
    ] {
        let r = app.post(&path, &ada, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {:?}", r.body);
    }
    assert_eq!(app.post(&path, &ada, json!({ "before_due_minutes": "soon" })).await.status.as_u16() / 100, 4);
    // Moments already past are refused: a fixed one, and one too long before the due time.
    let past = app.post(&path, &ada, json!({ "at": at(&clock, TimeDelta::minutes(-1)) })).await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    let too_early = app.post(&path, &ada, json!({ "before_due_minutes": 4 * 60 })).await;
    assert!(too_early.body["error"]["details"]["fields"]["before_due_minutes"].is_string(), "{:?}", too_early.body);
    let undated = app.task(&project, &ada, json!({ "title": "Someday" })).await["id"].as_str().unwrap().to_owned();
    let r = app.post(&format!("/api/v1/tasks/{undated}/reminders"), &ada, json!({ "before_due_minutes": 60 })).await;
    assert_eq!(r.code(), "validation_failed");
    // One removed through another task's address is not found there.
    let spare =
        app.post(&path, &ada, json!({ "before_due_minutes": 10 })).await.body["id"].as_str().unwrap().to_owned();
    let wrong = app.delete(&format!("/api/v1/tasks/{other}/reminders/{spare}"), &ada).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&format!("{path}/{spare}"), &vic).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&format!("{path}/{spare}"), &ada).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, &ada).await.body.as_array().unwrap().len(), 2);

    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    clock.advance(TimeDelta::minutes(31));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(own_reminders(&app, &bob).await, ["Reminder: “Report” is due in 2 hours"]);
    clock.advance(TimeDelta::minutes(30));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0, "each once");
    assert_eq!(own_reminders(&app, &bob).await.len(), 2);
    assert!(own_reminders(&app, &ada).await.is_empty(), "the assignee is reminded, not the creator");

    // Moved a day later: the relative one follows the due date; the fixed one is spent.
    patch(&app, &report, &ada, json!({ "due_at": at(&clock, TimeDelta::hours(26)) })).await;
    clock.advance(TimeDelta::hours(23) + TimeDelta::minutes(59));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 0);
    clock.advance(TimeDelta::minutes(2));
    assert_eq!(app.service.send_due_reminders().await.unwrap(), 1);
    assert_eq!(own_reminders(&app, &bob).await.len(), 3);

    // Done: nothing more, not even `due_soon` or `overdue`.
    patch(&app, &report, &ada, json!({ "status": "done" })).await;
    clock.advance(TimeDelta::hours(5));
    app.service.send_due_reminders().await.unwrap();
    assert_eq!(own_reminders(&app, &bob).await.len(), 3);
    assert_eq!(reminders(&app, &bob).await, [], "no due_soon or overdue for a finished task");
}

#[tokio::test]
async fn a_task_carries_at_most_ten_reminders() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Launch").await;
    let due = (Utc::now() + TimeDelta::days(30)).to_rfc3339();
    let t =
        app.task(&project, &ada, json!({ "title": "Busy", "due_at": due })).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tasks/{t}/reminders");
    for i in 0..10 {
        let r = app.post(&path, &ada, json!({ "before_due_minutes": i * 10 })).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app.post(&path, &ada, json!({ "before_due_minutes": 5 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("at most 10"));
}
