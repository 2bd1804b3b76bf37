//! Periodic work shared by instances: each run is claimed by exactly one of them.

use chrono::{Duration, Utc};

use crate::helpers::TestApp;

#[tokio::test]
async fn each_run_of_a_job_is_claimed_once_by_one_of_many_instances() {
    let app = TestApp::spawn().await;
    // Two separate connection pools on the one database stand for two instances.
    let (one, two) = (app.store().await, app.store().await);
    let start = Utc::now();
    let mut claims = Vec::new();
    for minute in 0..6 {
        // Every minute both instances try, at the same time, several times over.
        let now = start + Duration::minutes(minute);
        let next = now + Duration::minutes(2);
        let tries = (0..8).map(|i| {
            let store = if i % 2 == 0 { one.clone() } else { two.clone() };
            async move { store.claim_job("clean-up", &format!("instance-{}", i % 2), now, next).await.unwrap() }
        });
        let won = futures::future::join_all(tries).await.into_iter().filter(|won| *won).count();
        claims.push(won);
    }
    // Due at once, then every two minutes.
    assert_eq!(claims, [1, 0, 1, 0, 1, 0]);
    // Jobs are independent of each other.
    assert!(one.claim_job("another", "instance-0", start, start + Duration::hours(1)).await.unwrap());
}
