//! The Kubernetes launcher's sweeps without a cluster: kube's client over a
//! `tower_test` mock service, asserting the exact API calls for a sweep
//! (one Indexed Job created; listed and watched by name through kube's
//! runtime watcher; deleted with propagation
//! Background once every index succeeded and the sweep is completed; kept
//! after a failed index, the sweep failed with the shard's reason), and the
//! Indexed Job validated against the official `batch/v1` Job schema, its
//! pod template identical to the single-run Job's.

mod jobs_common;
mod k8s_mock;
mod k8s_schema;

use std::path::Path;
use std::time::Duration;

use backtest_app::db::sweep_results::{self, NewResult, StoredMetrics};
use backtest_app::db::sweeps::{self, NewSweep, SweepState};
use backtest_app::db::{self, Backend};
use backtest_app::jobs::k8s::{
    job_for_run, job_for_sweep, parse_template, K8sLauncher, K8sSettings, DEFAULT_TEMPLATE,
    INSTANCE_LABEL, SWEEP_ID_LABEL,
};
use backtest_app::jobs::JobLauncher;
use http::{Method, Request, Response, StatusCode};
use k8s_schema::{kubernetes_validate, schema_errors};
use kube::client::Body;
use serde_json::{json, Value};
use sqlx::AnyPool;

const NS: &str = "backtest";
const IMAGE: &str = "ghcr.io/stock-backtest/stock-backtest:0123abc";
const SHARDS: u64 = 3;

type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

fn settings() -> K8sSettings {
    K8sSettings {
        namespace: NS.to_owned(),
        template: parse_template(DEFAULT_TEMPLATE).expect("built-in template"),
        image: Some(IMAGE.to_owned()),
        result_wait: Duration::from_secs(3),
        retry_delay: Duration::from_millis(50),
        sweep_interval: Duration::from_secs(3600),
        watch_timeout_secs: k8s_mock::WATCH_TIMEOUT,
        sweep_parallelism: 2,
        data_dir: jobs_common::repo_root().join("data"),
    }
}

/// A migrated SQLite database with one queued sweep of three shards.
async fn database(dir: &Path, sweep_id: &str) -> AnyPool {
    let url = format!("sqlite://{}?mode=rwc", dir.join("k8s.db").display());
    let pool = db::connect(&url, 2).await.expect("connect");
    db::migrate(&pool, Backend::Sqlite).await.expect("migrate");
    let request = json!({
        "request": {"ticker": "GOOG", "rule_type": "RSI"},
        "grid": {"period": [10, 14, 20]},
        "objective": "sharpe",
        "shards": SHARDS,
    });
    sweeps::insert_queued(
        &pool,
        &NewSweep {
            sweep_id,
            ticker: "GOOG",
            rule_type: "RSI",
            objective: "sharpe",
            request_json: &request.to_string(),
            total: 3,
            shards: 3,
            owner: "",
            max_active_for_owner: None,
        },
    )
    .await
    .expect("insert")
    .expect("no quota applies");
    pool
}

/// What a shard's pod does: claim, store its row, complete.
async fn shard_done(pool: &AnyPool, sweep_id: &str, shard: i64) {
    assert!(sweeps::claim_shard(pool, sweep_id, shard, "pod")
        .await
        .expect("claim"));
    let row = NewResult {
        combo_index: shard,
        fold: 0,
        grid_index: shard,
        params_json: json!({"period": 10 + shard}).to_string(),
        rule_id: Some(format!("RSI_{shard}")),
        metrics: Some(StoredMetrics {
            json: json!({"total_return_pct": 1.0, "sharpe_ratio": 0.5, "max_drawdown_pct": 2.0,
                         "num_trades": 3, "profit_factor": null})
            .to_string(),
            total_return_pct: 1.0,
            sharpe_ratio: Some(0.5),
            max_drawdown_pct: 2.0,
            profit_factor: None,
            num_trades: 3,
        }),
        skip_reason: None,
    };
    assert_eq!(
        sweep_results::insert_batch(pool, Backend::Sqlite, sweep_id, shard, &[row])
            .await
            .expect("batch"),
        1
    );
    assert!(sweeps::complete_shard(pool, sweep_id, shard)
        .await
        .expect("complete"));
}

fn respond(send: tower_test::mock::SendResponse<Response<Body>>, status: StatusCode, body: &Value) {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).expect("JSON")));
    *response.status_mut() = status;
    send.send_response(response);
}

async fn next(
    handle: &mut Handle,
) -> (
    Request<Body>,
    tower_test::mock::SendResponse<Response<Body>>,
) {
    tokio::time::timeout(Duration::from_secs(10), handle.next_request())
        .await
        .expect("the launcher made no further call")
        .expect("service dropped")
}

async fn body_json(request: Request<Body>) -> Value {
    let bytes = request.into_body().collect_bytes().await.expect("body");
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&bytes).expect("JSON body")
}

fn with_status(job: &Value, status: Value) -> Value {
    let mut job = job.clone();
    job["apiVersion"] = json!("batch/v1");
    job["kind"] = json!("Job");
    job["metadata"]["resourceVersion"] = json!("42");
    job["status"] = status;
    job
}

fn job_name(sweep_id: &str) -> String {
    // The template's prefix, cut at a dash so the name fits in 63 characters.
    format!("stock-backtest-sweep-{sweep_id}")
}

/// Asserts the create call (the exact Indexed Job) and answers it.
async fn expect_create(handle: &mut Handle, sweep_id: &str) -> Value {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs")
    );
    let job = body_json(request).await;
    assert_eq!(job["metadata"]["name"], job_name(sweep_id).as_str());
    assert!(job["metadata"]["name"].as_str().expect("name").len() <= 63);
    assert_eq!(job["metadata"]["labels"][SWEEP_ID_LABEL], sweep_id);
    assert!(job["metadata"]["labels"].get(INSTANCE_LABEL).is_none());
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["completions"], SHARDS);
    assert_eq!(spec["parallelism"], 2);
    assert_eq!(spec["backoffLimitPerIndex"], 1);
    assert!(
        spec.get("backoffLimit").is_none(),
        "the per-index limit governs retries"
    );
    assert_eq!(spec["ttlSecondsAfterFinished"], 86400);
    assert_eq!(
        spec["template"]["metadata"]["labels"][SWEEP_ID_LABEL],
        sweep_id
    );
    // The same hardened pod as the single-run Job, but for its arguments.
    let single = serde_json::to_value(
        job_for_run(&settings().template, "r-1", Some(IMAGE)).expect("single-run Job"),
    )
    .expect("JSON");
    let mut expected_pod = single["spec"]["template"]["spec"].clone();
    expected_pod["containers"][0]["args"] = json!(["worker", "--sweep-id", sweep_id]);
    assert_eq!(spec["template"]["spec"], expected_pod);
    respond(send, StatusCode::CREATED, &with_status(&job, Value::Null));
    job
}

/// The runtime watcher's calls for the Job `name`: a quorum list by name
/// (answered with the first event's object), then a watch from the list's
/// version (answered with the other events).
async fn expect_watch(handle: &mut Handle, name: &str, events: &[Value]) {
    let (first, rest) = events.split_first().expect("at least one event");
    k8s_mock::expect_list(handle, name, "42", std::slice::from_ref(&first["object"])).await;
    k8s_mock::expect_watch(handle, name, "42", rest).await;
}

async fn expect_no_call(handle: &mut Handle) {
    if let Ok(Some((request, _))) =
        tokio::time::timeout(Duration::from_millis(700), handle.next_request()).await
    {
        panic!("unexpected call: {} {}", request.method(), request.uri());
    }
}

async fn wait_status(pool: &AnyPool, sweep_id: &str, status: SweepState) -> sweeps::Sweep {
    for _ in 0..100 {
        let sweep = sweeps::get(pool, sweep_id)
            .await
            .expect("get")
            .expect("sweep");
        if sweep.status == status {
            return sweep;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sweep {sweep_id} never {status}");
}

fn tmp() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("backtest-k8s-sweep-{}", jobs_common::unique()));
    std::fs::create_dir_all(&dir).expect("tmp");
    dir
}

#[tokio::test]
async fn one_indexed_job_is_created_watched_and_deleted_once_complete() {
    let sweep_id = uuid::Uuid::new_v4().to_string();
    let dir = tmp();
    let pool = database(&dir, &sweep_id).await;
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let mut handle: Handle = handle;
    let launcher = K8sLauncher::new(kube::Client::new(service, NS), settings(), pool.clone());
    let launch = {
        let launcher = launcher.clone();
        let sweep_id = sweep_id.clone();
        tokio::spawn(async move { launcher.launch_sweep(&sweep_id, SHARDS).await })
    };
    let job = expect_create(&mut handle, &sweep_id).await;
    launch.await.expect("join").expect("launch");
    // The three pods store their rows; none completes the sweep (as if the
    // last one lost its connection), so the launcher does.
    for shard in 0..3 {
        shard_done(&pool, &sweep_id, shard).await;
    }
    let name = job_name(&sweep_id);
    expect_watch(
        &mut handle,
        &name,
        &[
            json!({"type": "ADDED", "object": with_status(&job, json!({"active": 2}))}),
            json!({"type": "MODIFIED", "object": with_status(&job, json!({
                "succeeded": 3, "completedIndexes": "0-2",
                "conditions": [{"type": "Complete", "status": "True"}]
            }))}),
        ],
    )
    .await;
    let (request, send) = next(&mut handle).await;
    assert_eq!(request.method(), Method::DELETE);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs/{name}")
    );
    assert_eq!(body_json(request).await["propagationPolicy"], "Background");
    respond(
        send,
        StatusCode::OK,
        &json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 200}),
    );
    expect_no_call(&mut handle).await;
    wait_status(&pool, &sweep_id, SweepState::Completed).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_failed_index_fails_the_sweep_with_the_shards_reason_and_keeps_the_job() {
    let sweep_id = uuid::Uuid::new_v4().to_string();
    let dir = tmp();
    let pool = database(&dir, &sweep_id).await;
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let mut handle: Handle = handle;
    let launcher = K8sLauncher::new(kube::Client::new(service, NS), settings(), pool.clone());
    let launch = {
        let launcher = launcher.clone();
        let sweep_id = sweep_id.clone();
        tokio::spawn(async move { launcher.launch_sweep(&sweep_id, SHARDS).await })
    };
    let job = expect_create(&mut handle, &sweep_id).await;
    launch.await.expect("join").expect("launch");
    shard_done(&pool, &sweep_id, 0).await;
    assert!(sweeps::claim_shard(&pool, &sweep_id, 1, "pod")
        .await
        .expect("claim"));
    assert!(
        sweeps::fail_shard(&pool, &sweep_id, 1, "cannot load the data: boom")
            .await
            .expect("fail")
    );
    expect_watch(
        &mut handle,
        &job_name(&sweep_id),
        &[
            json!({"type": "ADDED", "object": with_status(&job, json!({"active": 2}))}),
            json!({"type": "MODIFIED", "object": with_status(&job, json!({
                "active": 1, "failed": 2, "failedIndexes": "1", "completedIndexes": "0"
            }))}),
        ],
    )
    .await;
    let sweep = wait_status(&pool, &sweep_id, SweepState::Failed).await;
    assert_eq!(
        sweep.error_message.as_deref(),
        Some("shard 1 failed after its retries: shard 1: cannot load the data: boom")
    );
    expect_no_call(&mut handle).await;
    assert_eq!(
        sweep_results::count(&pool, &sweep_id).await.expect("count"),
        1,
        "the rows done are kept"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_indexed_job_validates_against_the_kubernetes_schema() {
    let template = parse_template(DEFAULT_TEMPLATE).expect("template");
    let sweep_id = uuid::Uuid::new_v4().to_string();
    let job = job_for_sweep(&template, &sweep_id, 8, 4, Some(IMAGE)).expect("job");
    let value = serde_json::to_value(&job).expect("JSON");
    let errors = schema_errors(&value);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    assert_eq!(value["spec"]["completions"], 8);
    assert_eq!(value["spec"]["parallelism"], 4);
    // Parallelism never exceeds the shards.
    let small = job_for_sweep(&template, &sweep_id, 2, 4, Some(IMAGE)).expect("job");
    assert_eq!(small.spec.and_then(|s| s.parallelism), Some(2));
    kubernetes_validate(&value, "the sweep's Indexed Job");
}
