use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};

struct Fixture {
    app: TestApp,
    ada: TestUser,
    project: String,
}

/// Five tasks with varied fields, created in this order.
async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let (ada, bob) = (app.user("Ada").await, app.user("Bob").await);
    let project = app.project(&ada, "Launch").await;
    app.add_member(&project, &ada, &bob, "member").await;
    for body in [
        json!({ "title": "Alpha plan", "priority": "low", "due_at": "2026-12-03T10:00:00Z", "labels": ["docs"], "assignee_ids": [ada.id] }),
        json!({ "title": "bravo build", "priority": "urgent", "status": "in_progress", "due_at": "2026-12-01T10:00:00Z", "assignee_ids": [bob.id] }),
        json!({ "title": "Charlie check", "priority": "medium", "description": "needs the launch checklist", "labels": ["ops", "docs"] }),
        json!({ "title": "delta deploy", "priority": "high", "status": "done", "due_at": "2026-12-02T10:00:00Z", "assignee_ids": [ada.id, bob.id] }),
        json!({ "title": "Echo 100% done_ish", "priority": "none" }),
    ] {
        app.task(&project, &ada, body).await;
    }
    Fixture { app, ada, project }
}

impl Fixture {
    async fn titles(&self, query: &str) -> Vec<String> {
        let r = self.app.get(&format!("/api/v1/projects/{}/tasks?{query}", self.project), &self.ada).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
        titles(&r.body)
    }
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn filters_by_status_assignee_label_priority_due_and_words() {
    let f = fixture().await;
    assert_eq!(f.titles("status=done").await, ["delta deploy"]);
    assert_eq!(f.titles("status=todo&status=in_progress").await.len(), 4);
    assert_eq!(f.titles("assignee=me").await, ["Alpha plan", "delta deploy"]);
    assert_eq!(f.titles("label=docs").await, ["Alpha plan", "Charlie check"]);
    assert_eq!(f.titles("priority=urgent").await, ["bravo build"]);
    assert_eq!(f.titles("due_after=2026-12-02T00:00:00Z&due_before=2026-12-03T00:00:00Z").await, ["delta deploy"]);
    assert_eq!(f.titles("q=launch%20CHECKLIST").await, ["Charlie check"]);
    assert_eq!(f.titles("q=plan&assignee=me&label=docs").await, ["Alpha plan"]);
}

#[tokio::test]
async fn search_finds_word_starts_in_titles_and_descriptions() {
    let f = fixture().await;
    for (task, description) in [("Résumé für Zoë", "Straße café"), ("foo-bar", "ada@example.com")] {
        f.app.task(&f.project, &f.ada, json!({ "title": task, "description": description })).await;
    }
    assert_eq!(f.titles("q=chec").await, ["Charlie check"], "a word's start is enough");
    assert_eq!(f.titles("q=lau").await, ["Charlie check"], "in the description");
    assert_eq!(f.titles("q=lan").await, Vec::<String>::new(), "\"lan\" is inside \"plan\" but starts no word");
    assert_eq!(f.titles("q=100%25").await, ["Echo 100% done_ish"], "punctuation separates words");
    assert_eq!(f.titles("q=ish").await, ["Echo 100% done_ish"]);
    assert_eq!(f.titles("q=ZOË").await, ["Résumé für Zoë"], "case folds beyond ASCII");
    assert_eq!(f.titles("q=straße%20caf").await, ["Résumé für Zoë"]);
    assert_eq!(f.titles("q=resume").await, Vec::<String>::new(), "accents are kept");
    assert_eq!(f.titles("q=bar").await, ["foo-bar"]);
    assert_eq!(f.titles("q=example").await, ["foo-bar"], "an email address is words too");
    assert_eq!(f.titles("q=launch%20nothing").await, Vec::<String>::new(), "every word must match");
    assert_eq!(f.titles("q=%22%20OR%20*").await, Vec::<String>::new(), "query syntax is only words");
    assert_eq!(f.titles("q=%22*%26%3A").await.len(), 7, "no words, no filter");
}

#[tokio::test]
async fn sorts_with_undated_tasks_last_both_ways() {
    let f = fixture().await;
    assert_eq!(
        f.titles("sort=due_at").await,
        ["bravo build", "delta deploy", "Alpha plan", "Charlie check", "Echo 100% done_ish"]
    );
    assert_eq!(
        f.titles("sort=-due_at").await,
        ["Alpha plan", "delta deploy", "bravo build", "Charlie check", "Echo 100% done_ish"]
    );
    assert_eq!(
        f.titles("sort=-priority").await,
        ["bravo build", "delta deploy", "Charlie check", "Alpha plan", "Echo 100% done_ish"]
    );
    assert_eq!(
        f.titles("sort=title").await,
        ["Alpha plan", "bravo build", "Charlie check", "delta deploy", "Echo 100% done_ish"]
    );
    assert_eq!(f.titles("sort=-created_at").await.first().unwrap(), "Echo 100% done_ish");
    assert_eq!(f.titles("").await.first().unwrap(), "Alpha plan", "oldest first by default");
}

#[tokio::test]
async fn pages_follow_the_cursor_without_repeats() {
    let f = fixture().await;
    let base = format!("/api/v1/projects/{}/tasks?sort=title&limit=2", f.project);
    let mut seen = Vec::new();
    let mut path = base.clone();
    loop {
        let r = f.app.get(&path, &f.ada).await;
        seen.extend(titles(&r.body));
        match r.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Alpha plan", "bravo build", "Charlie check", "delta deploy", "Echo 100% done_ish"]);
}

#[tokio::test]
async fn my_tasks_span_every_project_i_belong_to() {
    let f = fixture().await;
    let other = f.app.project(&f.ada, "Other").await;
    f.app.task(&other, &f.ada, json!({ "title": "Foxtrot", "assignee_ids": [f.ada.id] })).await;
    let r = f.app.get("/api/v1/tasks?assignee=me&sort=title", &f.ada).await;
    assert_eq!(titles(&r.body), ["Alpha plan", "delta deploy", "Foxtrot"]);
    let eve = f.app.user("Eve").await;
    assert_eq!(f.app.get("/api/v1/tasks?assignee=me", &eve).await.body["items"], json!([]));
}
