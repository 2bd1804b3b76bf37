//! Repeating tasks: completing one creates the next occurrence, once, in the same
//! transaction, due at the rule's next date in the rule's zone; the rule is checked.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ManualClock, TestApp, TestUser};

/// The project's tasks, oldest first.
async fn tasks(app: &TestApp, project: &str, user: &TestUser) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/projects/{project}/tasks?sort=created_at&limit=100"), user).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn complete(app: &TestApp, task: &str, by: &TestUser) -> Value {
    let r = app.patch(&format!("/api/v1/tasks/{task}"), by, json!({ "status": "done" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

#[tokio::test]
async fn completing_a_weekday_task_creates_the_next_one_on_monday_at_the_same_local_time() {
    // Friday 20 November 2026, 10:00 in Paris.
    let clock = ManualClock::starting_at("2026-11-20T09:00:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let r = app.patch("/api/v1/me", &ada, json!({ "timezone": "Europe/Paris" })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let project = app.project(&ada, "Ops").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let body = json!({
        "title": "Stand-up notes",
        "description": "Post them in the channel",
        "priority": "high",
        "due_at": "2026-11-20T08:00:00Z",
        "assignee_ids": [bob.id],
        "labels": ["daily"],
        "recurrence": { "every": "weekday" },
    });
    let first = app.task(&project, &ada, body).await;
    assert_eq!(first["recurrence"], json!({ "every": "weekday", "interval": 1, "zone": "Europe/Paris" }));

    let done = complete(&app, first["id"].as_str().unwrap(), &bob).await;
    assert_eq!((done["status"].as_str(), &done["recurrence"]), (Some("done"), &Value::Null));

    let all = tasks(&app, &project, &ada).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let next = &all[1];
    // Monday 23 November, 09:00 Paris time (08:00 UTC): the weekend is skipped.
    assert_eq!(next["due_at"], "2026-11-23T08:00:00Z");
    assert_eq!(next["status"], "todo");
    assert_eq!(next["version"], 1);
    for field in ["title", "description", "priority", "assignee_ids", "labels", "recurrence", "created_by"] {
        assert_eq!(next[field], first[field], "{field} carries on");
    }
    let history = app.get(&format!("/api/v1/tasks/{}/activity", next["id"].as_str().unwrap()), &ada).await;
    assert_eq!(history.body["items"][0]["kind"], "created");
    assert_eq!(history.body["items"][0]["changes"]["follows"], first["id"]);
    let old_history = app.get(&format!("/api/v1/tasks/{}/activity", first["id"].as_str().unwrap()), &ada).await;
    let completion = old_history.body["items"].as_array().unwrap().iter().find(|a| a["kind"] == "updated").unwrap();
    assert_eq!(completion["changes"]["recurrence"]["to"], Value::Null);

    // Reopening and completing the old one again starts no second series.
    let id = first["id"].as_str().unwrap();
    let r = app.patch(&format!("/api/v1/tasks/{id}"), &bob, json!({ "status": "todo" })).await;
    assert_eq!(r.status, StatusCode::OK);
    complete(&app, id, &bob).await;
    assert_eq!(tasks(&app, &project, &ada).await.len(), 2);
}

#[tokio::test]
async fn a_task_completed_late_moves_to_its_next_date_still_ahead() {
    // A monthly task due 1 October is completed on 20 November.
    let clock = ManualClock::starting_at("2026-11-20T12:00:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Bills").await;
    let rule = json!({ "every": "month", "zone": "UTC" });
    let rent = app
        .task(&project, &ada, json!({ "title": "Rent", "due_at": "2026-10-01T09:00:00Z", "recurrence": rule }))
        .await;
    assert_eq!(rent["recurrence"]["day"], 1, "a monthly rule takes its due date's day");
    complete(&app, rent["id"].as_str().unwrap(), &ada).await;
    let all = tasks(&app, &project, &ada).await;
    assert_eq!(all[1]["due_at"], "2026-12-01T09:00:00Z");

    // A cron rule counts as crontab does: 1-5 is Monday to Friday.
    let cron = json!({ "every": "cron", "cron": "30 9 * * 1-5", "zone": "America/New_York" });
    let report = app
        .task(&project, &ada, json!({ "title": "Report", "due_at": "2026-11-20T14:30:00Z", "recurrence": cron }))
        .await;
    complete(&app, report["id"].as_str().unwrap(), &ada).await;
    let all = tasks(&app, &project, &ada).await;
    let next = all.iter().find(|t| t["title"] == "Report" && t["status"] == "todo").unwrap();
    assert_eq!(next["due_at"], "2026-11-23T14:30:00Z");
}

#[tokio::test]
async fn the_next_occurrence_keeps_watchers_and_reminders_counted_from_the_due_date() {
    let clock = ManualClock::starting_at("2026-11-20T09:00:00Z");
    let app = TestApp::spawn_with_clock(|_| {}, clock.clone()).await;
    let (ada, vic) = (app.user("Ada").await, app.user("Vic").await);
    let project = app.project(&ada, "Ops").await;
    app.add_member(&project, &ada, &vic, "viewer").await;
    let rule = json!({ "every": "week", "interval": 2 });
    let task = app
        .task(&project, &ada, json!({ "title": "Backup", "due_at": "2026-11-21T09:00:00Z", "recurrence": rule }))
        .await;
    let id = task["id"].as_str().unwrap();
    let watch = format!("/api/v1/tasks/{id}/watch");
    assert_eq!(app.request(reqwest::Method::PUT, &watch, Some(&vic.token), None).await.status, StatusCode::NO_CONTENT);
    let reminders = format!("/api/v1/tasks/{id}/reminders");
    assert_eq!(app.post(&reminders, &ada, json!({ "before_due_minutes": 60 })).await.status, StatusCode::CREATED);
    let fixed = json!({ "at": "2026-11-20T18:00:00Z" });
    assert_eq!(app.post(&reminders, &ada, fixed).await.status, StatusCode::CREATED);

    complete(&app, id, &ada).await;
    let all = tasks(&app, &project, &ada).await;
    let next = all[1]["id"].as_str().unwrap();
    assert_eq!(all[1]["due_at"], "2026-12-05T09:00:00Z", "two weeks on");
    let watchers = app.get(&format!("/api/v1/tasks/{next}/watchers"), &ada).await;
    assert_eq!(watchers.body[0]["user_id"], vic.id.as_str());
    let carried = app.get(&format!("/api/v1/tasks/{next}/reminders"), &ada).await;
    let carried = carried.body.as_array().unwrap();
    assert_eq!(carried.len(), 1, "{carried:?}");
    assert_eq!(carried[0]["before_due_minutes"], 60);
}

#[tokio::test]
async fn two_completions_at_once_create_one_next_occurrence() {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Ops").await;
    app.add_member(&project, &ada, &bob, "member").await;
    let due = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    for round in 0..5 {
        let task = app
            .task(
                &project,
                &ada,
                json!({ "title": format!("Round {round}"), "due_at": due, "recurrence": { "every": "day" } }),
            )
            .await;
        let id = task["id"].as_str().unwrap();
        let (a, b) = tokio::join!(complete(&app, id, &ada), complete(&app, id, &bob));
        assert_eq!((a["status"].as_str(), b["status"].as_str()), (Some("done"), Some("done")));
        let copies =
            tasks(&app, &project, &ada).await.into_iter().filter(|t| t["title"] == format!("Round {round}")).count();
        assert_eq!(copies, 2, "round {round}: the completed task and one next occurrence");
    }
}

#[tokio::test]
async fn a_rule_that_stops_or_never_started_creates_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Ops").await;
    let due = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    let task =
        app.task(&project, &ada, json!({ "title": "Once", "due_at": due, "recurrence": { "every": "day" } })).await;
    let id = task["id"].as_str().unwrap();
    let r = app.patch(&format!("/api/v1/tasks/{id}"), &ada, json!({ "recurrence": null })).await;
    assert_eq!((r.status, &r.body["recurrence"]), (StatusCode::OK, &Value::Null));
    complete(&app, id, &ada).await;
    let plain = app.task(&project, &ada, json!({ "title": "Plain", "due_at": due })).await;
    complete(&app, plain["id"].as_str().unwrap(), &ada).await;
    assert_eq!(tasks(&app, &project, &ada).await.len(), 2);
}

#[tokio::test]
async fn rules_that_cannot_work_are_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let ada = app.user("Ada").await;
    let project = app.project(&ada, "Ops").await;
    let path = format!("/api/v1/projects/{project}/tasks");
    let due = "2030-01-07T09:00:00Z";
    let refused = [
        json!({ "title": "No due date", "recurrence": { "every": "day" } }),
        json!({ "title": "Zero", "due_at": due, "recurrence": { "every": "day", "interval": 0 } }),
        json!({ "title": "Unknown zone", "due_at": due, "recurrence": { "every": "day", "zone": "Mars/Olympus" } }),
        json!({ "title": "Bad cron", "due_at": due, "recurrence": { "every": "cron", "cron": "99 9 * * *" } }),
        json!({ "title": "Never", "due_at": due, "recurrence": { "every": "cron", "cron": "0 0 30 2 *" } }),
        json!({ "title": "Seconds", "due_at": due, "recurrence": { "every": "cron", "cron": "0 0 9 * * *" } }),
        json!({ "title": "Day of week", "due_at": due, "recurrence": { "every": "week", "day": 3 } }),
    ];
    for body in refused {
        let r = app.post(&path, &ada, body.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            "{body}: {:?}",
            r.body
        );
        assert!(r.body["error"]["details"]["fields"]["recurrence"].is_string(), "{body}: {:?}", r.body);
    }
    for body in [
        json!({ "title": "Wrong type", "due_at": due, "recurrence": { "every": 5 } }),
        json!({ "title": "Unknown rule", "due_at": due, "recurrence": { "every": "fortnight" } }),
        json!({ "title": "Unknown field", "due_at": due, "recurrence": { "every": "day", "hours": 2 } }),
    ] {
        let r = app.post(&path, &ada, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", r.body);
    }
    assert_eq!(tasks(&app, &project, &ada).await.len(), 0, "nothing refused was kept");

    // A repeating task keeps its due date.
    let task =
        app.task(&project, &ada, json!({ "title": "Weekly", "due_at": due, "recurrence": { "every": "week" } })).await;
    let id = task["id"].as_str().unwrap();
    let r = app.patch(&format!("/api/v1/tasks/{id}"), &ada, json!({ "due_at": null })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["due_at"].is_string(), "{:?}", r.body);
    let r = app.get(&format!("/api/v1/tasks/{id}"), &ada).await;
    assert_eq!(r.body["due_at"], due);
}

#[tokio::test]
async fn someone_who_left_the_project_is_not_given_the_next_occurrence() {
    let app = TestApp::spawn().await;
    let (ada, bob, cy) = (app.user("Ada").await, app.user("Bob").await, app.user("Cy").await);
    let project = app.project(&ada, "Ops").await;
    app.add_member(&project, &ada, &bob, "member").await;
    app.add_member(&project, &ada, &cy, "member").await;
    let due = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    let body =
        json!({ "title": "Rota", "due_at": due, "assignee_ids": [bob.id, cy.id], "recurrence": { "every": "week" } });
    let task = app.task(&project, &ada, body).await;
    let r = app.delete(&format!("/api/v1/projects/{project}/members/{}", bob.id), &ada).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    complete(&app, task["id"].as_str().unwrap(), &ada).await;
    let all = tasks(&app, &project, &ada).await;
    assert_eq!(all[1]["assignee_ids"], json!([cy.id]));
}
