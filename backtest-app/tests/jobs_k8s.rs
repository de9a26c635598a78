//! The Kubernetes launcher without a cluster: kube's client over a
//! `tower_test` mock service, asserting the exact API calls (create with the
//! expected Job; the runtime watcher's list by name, then its watch from the
//! list's `resourceVersion`, again from the last version or bookmark seen
//! when a watch ends, and a re-list when the version is gone; delete with
//! propagation Background once the run is completed, no delete after a
//! failure; the sweep's lookup by label; nothing after shutdown), and the
//! generated Jobs validated against the official Kubernetes 1.33 JSON schema
//! of `batch/v1` Job (strict: unknown fields are errors), vendored in
//! `tests/data/k8s/` by `scripts/jobs/vendor-job-schema`. When the
//! `kubernetes-validate` tool is installed (`.tools/bin/`, by
//! `scripts/validate-deploy`) the Jobs are also checked with it.

mod jobs_common;
mod k8s_mock;
mod k8s_schema;

use std::path::Path;
use std::time::Duration;

use backtest_app::db::runs::{self, NewRun, RunState};
use backtest_app::db::{self, Backend};
use backtest_app::jobs::k8s::{
    job_for_run, parse_template, K8sLauncher, K8sSettings, DEFAULT_TEMPLATE, INSTANCE_LABEL,
    RUN_ID_LABEL,
};
use backtest_app::jobs::JobLauncher;
use http::{Method, Request, Response, StatusCode};
use k8s_mock::*;
use k8s_openapi::api::batch::v1::Job;
use k8s_schema::{kubernetes_validate, schema_errors};
use kube::client::Body;
use serde_json::{json, Value};
use sqlx::AnyPool;

fn settings() -> K8sSettings {
    K8sSettings {
        namespace: NS.to_owned(),
        template: parse_template(DEFAULT_TEMPLATE).expect("built-in template"),
        image: Some(IMAGE.to_owned()),
        result_wait: Duration::from_secs(3),
        retry_delay: Duration::from_millis(50),
        sweep_interval: Duration::from_secs(3600),
        watch_timeout_secs: WATCH_TIMEOUT,
        sweep_parallelism: 2,
        data_dir: jobs_common::repo_root().join("data"),
    }
}

/// A migrated SQLite database with one queued run.
async fn database(dir: &Path, run_id: &str) -> AnyPool {
    let url = format!("sqlite://{}?mode=rwc", dir.join("k8s.db").display());
    let pool = db::connect(&url, 2).await.expect("connect");
    db::migrate(&pool, Backend::Sqlite).await.expect("migrate");
    runs::insert_queued(
        &pool,
        &NewRun {
            run_id,
            ticker: "GOOG",
            rule_type: "RSI",
            rule_id: Some("RSI_14_30_70"),
            request_json: r#"{"ticker":"GOOG"}"#,
            params_json: "{}",
            fingerprint: Some("f"),
        },
    )
    .await
    .expect("insert");
    pool
}

async fn wait_status(pool: &AnyPool, run_id: &str, status: RunState) -> runs::Run {
    for _ in 0..100 {
        let run = runs::get(pool, run_id).await.expect("get").expect("run");
        if run.status == status {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {run_id} never {status}");
}

async fn status_of(pool: &AnyPool, run_id: &str) -> RunState {
    runs::get(pool, run_id)
        .await
        .expect("get")
        .expect("run")
        .status
}

fn tmp() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("backtest-k8s-{}", jobs_common::unique()));
    std::fs::create_dir_all(&dir).expect("tmp");
    dir
}

/// A launcher over a fresh mock API and a database with one queued run.
async fn setup() -> (K8sLauncher, Handle, AnyPool, String, std::path::PathBuf) {
    let run_id = uuid::Uuid::new_v4().to_string();
    let dir = tmp();
    let pool = database(&dir, &run_id).await;
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let launcher = K8sLauncher::new(kube::Client::new(service, NS), settings(), pool.clone());
    (launcher, handle, pool, run_id, dir)
}

/// Launches the run: asserts the create call; returns the Job sent.
async fn launch(launcher: &K8sLauncher, handle: &mut Handle, run_id: &str) -> Value {
    let task = {
        let launcher = launcher.clone();
        let run_id = run_id.to_owned();
        tokio::spawn(async move { launcher.launch(&run_id).await })
    };
    let job = expect_create(handle, run_id).await;
    task.await.expect("join").expect("launch");
    job
}

/// What the pod does: claim the run and store a result.
async fn worker_completes(pool: &AnyPool, run_id: &str) {
    assert!(runs::mark_running(pool, run_id, "pod")
        .await
        .expect("claim"));
    assert!(runs::complete(pool, run_id, None, "{}", "{}", "f")
        .await
        .expect("complete"));
}

#[tokio::test]
async fn succeeded_job_is_deleted_once_the_result_is_stored() {
    let (launcher, mut handle, pool, run_id, dir) = setup().await;
    let job = launch(&launcher, &mut handle, &run_id).await;
    worker_completes(&pool, &run_id).await;
    let name = job_name(&run_id);

    expect_list(&mut handle, &name, "41", &[active(&job, "41")]).await;
    // The first watch ends (the server's timeout) after a change and a
    // bookmark: the next one starts from the bookmark's version.
    expect_watch(
        &mut handle,
        &name,
        "41",
        &[
            event("MODIFIED", active(&job, "43")),
            json!({"type": "BOOKMARK", "object": {
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"resourceVersion": "45"}
            }}),
        ],
    )
    .await;
    expect_watch(
        &mut handle,
        &name,
        "45",
        &[event("MODIFIED", succeeded(&job, "46"))],
    )
    .await;
    expect_delete(&mut handle, &name).await;
    expect_no_call(&mut handle).await;
    assert_eq!(status_of(&pool, &run_id).await, RunState::Completed);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_gone_resource_version_relists() {
    let (launcher, mut handle, pool, run_id, dir) = setup().await;
    let job = launch(&launcher, &mut handle, &run_id).await;
    let name = job_name(&run_id);
    expect_list(&mut handle, &name, "41", &[active(&job, "41")]).await;
    worker_completes(&pool, &run_id).await;
    // 410 Gone: the version is too old to watch from; the watcher lists again
    // and finds the Job finished.
    expect_watch(
        &mut handle,
        &name,
        "41",
        &[json!({"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "status": "Failure",
            "reason": "Expired", "code": 410, "message": "too old resource version: 41 (60)"
        }})],
    )
    .await;
    expect_list(&mut handle, &name, "60", &[succeeded(&job, "59")]).await;
    expect_delete(&mut handle, &name).await;
    expect_no_call(&mut handle).await;
    assert_eq!(status_of(&pool, &run_id).await, RunState::Completed);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn failed_job_is_kept_and_fails_the_run_with_its_reason() {
    let (launcher, mut handle, pool, run_id, dir) = setup().await;
    let job = launch(&launcher, &mut handle, &run_id).await;
    // The pod started and claimed the run, then was OOM-killed twice.
    assert!(runs::mark_running(&pool, &run_id, "pod")
        .await
        .expect("claim"));

    let name = job_name(&run_id);
    expect_list(&mut handle, &name, "41", &[active(&job, "41")]).await;
    expect_watch(
        &mut handle,
        &name,
        "41",
        &[event(
            "MODIFIED",
            with_status(
                &job,
                "44",
                json!({
                    "failed": 2,
                    "conditions": [{
                        "type": "Failed", "status": "True",
                        "reason": "BackoffLimitExceeded",
                        "message": "Job has reached the specified backoff limit"
                    }]
                }),
            ),
        )],
    )
    .await;
    let run = wait_status(&pool, &run_id, RunState::Failed).await;
    assert_eq!(
        run.error_message.as_deref(),
        Some(
            "worker Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
        )
    );
    expect_no_call(&mut handle).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_job_missing_from_the_list_fails_the_run() {
    let (launcher, mut handle, pool, run_id, dir) = setup().await;
    launch(&launcher, &mut handle, &run_id).await;
    assert!(runs::mark_running(&pool, &run_id, "pod")
        .await
        .expect("claim"));
    expect_list(&mut handle, &job_name(&run_id), "41", &[]).await;
    let run = wait_status(&pool, &run_id, RunState::Failed).await;
    assert_eq!(
        run.error_message.as_deref(),
        Some("worker lost: its Job was deleted before the run finished")
    );
    expect_no_call(&mut handle).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn shutdown_stops_the_sweep_and_the_watches() {
    let (launcher, mut handle, pool, run_id, dir) = setup().await;
    let job = job_for_run(&settings().template, &run_id, Some(IMAGE)).expect("job");
    let job = serde_json::to_value(job).expect("JSON");
    // Start-up: the sweep finds the queued run's Job by label and watches it.
    let recover = {
        let launcher = launcher.clone();
        tokio::spawn(async move { launcher.recover().await })
    };
    expect_list_by_label(&mut handle, &run_id, &[active(&job, "41")]).await;
    recover.await.expect("join").expect("recover");
    let name = job_name(&run_id);
    expect_list(&mut handle, &name, "41", &[active(&job, "41")]).await;
    // A watch in flight when the web shuts down.
    let pending = expect_watch_call(&mut handle, &name, "41").await;
    tokio::time::timeout(Duration::from_secs(5), launcher.shutdown(Duration::ZERO))
        .await
        .expect("the sweep and the watch stop at once");
    drop(pending);
    expect_no_call(&mut handle).await;
    // The run is left as it was: the next web's sweep watches it again.
    assert_eq!(status_of(&pool, &run_id).await, RunState::Queued);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_existing_job_counts_as_launched() {
    let (launcher, mut handle, _pool, run_id, dir) = setup().await;
    let launch = {
        let launcher = launcher.clone();
        let run_id = run_id.clone();
        tokio::spawn(async move { launcher.create(&run_id).await })
    };
    let (request, send) = next(&mut handle).await;
    assert_eq!(request.method(), Method::POST);
    respond(
        send,
        StatusCode::CONFLICT,
        &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": "AlreadyExists", "code": 409, "message": "jobs.batch already exists"}),
    );
    let name = launch.await.expect("join").expect("409 is success");
    assert_eq!(name, job_name(&run_id));

    // Any other API error is the launcher's failure.
    let launch = {
        let launcher = launcher.clone();
        let run_id = run_id.clone();
        tokio::spawn(async move { launcher.create(&run_id).await })
    };
    let (_, send) = next(&mut handle).await;
    respond(
        send,
        StatusCode::FORBIDDEN,
        &json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "reason": "Forbidden", "code": 403, "message": "jobs.batch is forbidden"}),
    );
    assert!(launch.await.expect("join").is_err());
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------
// Schema validation.

#[test]
fn the_schema_check_rejects_invalid_jobs() {
    let job = serde_json::to_value(
        job_for_run(
            &parse_template(DEFAULT_TEMPLATE).expect("t"),
            "r-1",
            Some(IMAGE),
        )
        .expect("job"),
    )
    .expect("JSON");
    assert!(schema_errors(&job).is_empty());
    let mut unknown = job.clone();
    unknown["spec"]["template"]["spec"]["containers"][0]["imagePullPolice"] = json!("Always");
    assert!(schema_errors(&unknown)
        .iter()
        .any(|e| e.contains("imagePullPolice: unknown field")));
    let mut wrong = job.clone();
    wrong["spec"]["backoffLimit"] = json!("one");
    assert!(!schema_errors(&wrong).is_empty());
    let mut kind = job;
    kind["kind"] = json!("Pod");
    assert!(!schema_errors(&kind).is_empty());
}

#[test]
fn built_in_job_validates_against_the_kubernetes_schema() {
    let template = parse_template(DEFAULT_TEMPLATE).expect("template");
    let job: Job =
        job_for_run(&template, &uuid::Uuid::new_v4().to_string(), Some(IMAGE)).expect("job");
    let value = serde_json::to_value(&job).expect("JSON");
    let errors = schema_errors(&value);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    kubernetes_validate(&value, "the built-in worker Job");
}

#[test]
fn helm_chart_job_template_is_consumed_and_validates() {
    let root = jobs_common::repo_root();
    let helm = root.join(".tools/bin/helm");
    let helm = if helm.exists() { helm } else { "helm".into() };
    let output = std::process::Command::new(&helm)
        .args([
            "template",
            "rel",
            "helm/stock-backtest",
            "--show-only",
            "templates/job-template-configmap.yaml",
        ])
        .current_dir(&root)
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!(
            "helm template failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            assert!(
                std::env::var("SKIP_K8S_SCHEMA").as_deref() == Ok("1"),
                "helm not found ({e}); run scripts/validate-deploy to install .tools/, \
                 or set SKIP_K8S_SCHEMA=1 to skip the chart template check"
            );
            eprintln!("SKIP_K8S_SCHEMA=1: helm missing, chart template not checked");
            return;
        }
    };
    let configmap: Value = serde_norway::from_slice(&output.stdout).expect("ConfigMap YAML");
    let text = configmap["data"]["job-template.yaml"]
        .as_str()
        .expect("job-template.yaml");
    let template = parse_template(text).expect("the chart's template parses");
    assert!(
        template.metadata.generate_name.is_some(),
        "the chart uses generateName"
    );
    let run_id = uuid::Uuid::new_v4().to_string();
    let job = job_for_run(&template, &run_id, Some(IMAGE)).expect("job");
    let value = serde_json::to_value(&job).expect("JSON");
    let name = value["metadata"]["name"].as_str().expect("name");
    assert!(name.ends_with(&run_id) && name.len() <= 63, "{name}");
    assert_eq!(value["metadata"]["labels"][RUN_ID_LABEL], run_id.as_str());
    assert!(value["metadata"]["labels"].get(INSTANCE_LABEL).is_none());
    let container = &value["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["args"], json!(["worker", "--run-id", run_id]));
    assert_eq!(container["image"], IMAGE);
    let errors = schema_errors(&value);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    kubernetes_validate(&value, "the Helm chart's worker Job");
}
