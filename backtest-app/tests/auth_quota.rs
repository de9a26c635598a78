//! Quotas and sweep ownership under access control (issue 13), each test on
//! a fresh SQLite file and on a fresh MySQL/MariaDB database: the quota
//! admission is atomic under concurrency, another token's sweeps are 404,
//! and active sweeps have a per-owner quota.

#[macro_use]
mod support;

use backtest_app::db::runs::{self, Admission, AdmissionLimits};
use backtest_app::db::sweeps::{self, NewSweep};
use rocket::http::{Method, Status};
use support::auth::{call, pool, token, token_client as client};
use support::{new_run, unique, Kind, TestDb};

on_both_databases!(
    quota_admission_is_atomic_under_concurrency,
    another_tokens_sweeps_are_404_and_sweeps_have_a_quota,
);

/// Twelve submissions of one owner at once against a cap of 3: exactly three
/// are stored, whatever the interleaving (the count and the insert are one
/// serialised step).
async fn quota_admission_is_atomic_under_concurrency(db: TestDb) {
    // No web here: its launcher would fail these runs (their worker is
    // this test binary), freeing quota in the middle of the test.
    let pool = migrated_pool(&db).await;
    let owner = unique("busy");
    let limits = AdmissionLimits {
        max_active_for_owner: Some(3),
        max_queued: u32::MAX,
    };
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let pool = pool.clone();
            let owner = owner.clone();
            rocket::tokio::spawn(async move {
                let run_id = uuid::Uuid::new_v4().to_string();
                let outcome = runs::admit_queued(&pool, &new_run(&run_id), &owner, limits).await;
                (run_id, outcome)
            })
        })
        .collect();
    let mut admitted = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (run_id, outcome) = task.await.expect("the task ran");
        match outcome.expect("no database error") {
            Admission::Admitted => admitted.push(run_id),
            Admission::OwnerQuota { active } => {
                assert_eq!(active, 3);
                refused += 1;
            }
            Admission::QueueFull { .. } => panic!("no queue cap in this test"),
        }
    }
    assert_eq!((admitted.len(), refused), (3, 9));
    let (_, total) = runs::list(&pool, backtest_app::db::Scope::Owner(&owner), 100, 0)
        .await
        .expect("list");
    assert_eq!(total, 3, "exactly three stored");
    // A finished run frees its place.
    runs::fail(&pool, &admitted[0], "finished by the test")
        .await
        .expect("fail");
    let run_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        runs::admit_queued(&pool, &new_run(&run_id), &owner, limits)
            .await
            .expect("admit"),
        Admission::Admitted
    );
    admitted.push(run_id);
    // The global cap refuses anyone once the queue holds that many runs.
    let full = AdmissionLimits {
        max_active_for_owner: None,
        max_queued: 0,
    };
    let run_id = uuid::Uuid::new_v4().to_string();
    assert!(matches!(
        runs::admit_queued(&pool, &new_run(&run_id), &unique("other"), full).await,
        Ok(Admission::QueueFull { .. })
    ));
    pool.close().await;
}

/// A migrated pool on the test's own database.
async fn migrated_pool(db: &TestDb) -> sqlx::AnyPool {
    use backtest_app::db::{self, Backend};
    let backend = match db.kind {
        Kind::Sqlite => Backend::Sqlite,
        Kind::MySql => Backend::MySql,
    };
    let pool = db::connect(&db.url, 8).await.expect("connect");
    db::migrate(&pool, backend).await.expect("migrate");
    pool
}

fn new_sweep<'a>(sweep_id: &'a str, owner: &'a str, max_active: Option<u32>) -> NewSweep<'a> {
    NewSweep {
        sweep_id,
        ticker: "GOOG",
        rule_type: "RSI",
        objective: "sharpe",
        request_json: r#"{"request":{"ticker":"GOOG","rule_type":"RSI"},"grid":{"period":[10,14]},"objective":"sharpe","shards":1}"#,
        total: 2,
        shards: 1,
        owner,
        max_active_for_owner: max_active,
    }
}

async fn another_tokens_sweeps_are_404_and_sweeps_have_a_quota(db: TestDb) {
    let client = client(&db, false).await;
    let (alice_name, bob_name) = (unique("alice"), unique("bob"));
    let alice = token(&client, &alice_name, false).await;
    let bob = token(&client, &bob_name, false).await;
    let admin = token(&client, &unique("admin"), true).await;

    // Two active sweeps fill a quota of two; the third is refused, stores
    // nothing, and another owner is not affected.
    let ids: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    for id in &ids[..2] {
        let stored = sweeps::insert_queued(pool(&client), &new_sweep(id, &alice_name, Some(2)))
            .await
            .expect("store alice's sweep");
        assert_eq!(stored, Ok(()));
    }
    let refused = sweeps::insert_queued(pool(&client), &new_sweep(&ids[2], &alice_name, Some(2)))
        .await
        .expect("the database answers");
    assert_eq!(refused, Err(2), "the third active sweep is over the quota");
    assert!(sweeps::get(pool(&client), &ids[2])
        .await
        .expect("get")
        .is_none());
    let bobs = uuid::Uuid::new_v4().to_string();
    let stored = sweeps::insert_queued(pool(&client), &new_sweep(&bobs, &bob_name, Some(2)))
        .await
        .expect("store bob's sweep");
    assert_eq!(stored, Ok(()), "quotas are per owner");

    let path = format!("/api/sweeps/{}", ids[0]);
    let (status, body) = call(&client, Method::Get, &path, Some(&alice), None).await;
    assert_eq!(status, Status::Ok, "{body}");
    for other in [
        path.clone(),
        format!("{path}/results"),
        format!("{path}/heatmap?x=period&y=period"),
    ] {
        let (status, body) = call(&client, Method::Get, &other, Some(&bob), None).await;
        assert_eq!(status, Status::NotFound, "{other}: {body}");
    }
    let (status, body) = call(&client, Method::Delete, &path, Some(&bob), None).await;
    assert_eq!(
        status,
        Status::NotFound,
        "bob cannot cancel alice's sweep: {body}"
    );
    let (status, _) = call(&client, Method::Get, &path, Some(&admin), None).await;
    assert_eq!(status, Status::Ok, "an admin reads every sweep");

    let (_, page) = call(
        &client,
        Method::Get,
        "/api/sweeps?limit=100",
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(page["total"], 1, "bob lists only his own: {page}");
    assert_eq!(page["sweeps"][0]["sweep_id"], bobs.as_str());
    let (_, page) = call(
        &client,
        Method::Get,
        "/api/sweeps?limit=100",
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(page["total"], 2, "{page}");

    // Cancelling one frees a place in alice's quota.
    let (status, body) = call(&client, Method::Delete, &path, Some(&alice), None).await;
    assert_eq!(status, Status::Ok, "{body}");
    let stored = sweeps::insert_queued(pool(&client), &new_sweep(&ids[2], &alice_name, Some(2)))
        .await
        .expect("store");
    assert_eq!(stored, Ok(()));
    for id in ids.iter().chain([&bobs]) {
        sweeps::cancel(pool(&client), id).await.expect("cancel");
    }
}
