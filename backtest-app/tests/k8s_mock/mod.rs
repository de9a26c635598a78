//! kube's client over a `tower_test` mock service for the launcher tests:
//! each helper takes the launcher's next API call, asserts it exactly
//! (method, path, every query parameter) and answers it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use backtest_app::jobs::k8s::{INSTANCE_LABEL, RUN_ID_LABEL};
use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{json, Value};

/// Namespace of the tests' Jobs.
pub const NS: &str = "backtest";
/// `WORKER_IMAGE` of the tests.
pub const IMAGE: &str = "ghcr.io/stock-backtest/stock-backtest:0123abc";
/// `K8S_WATCH_TIMEOUT_SECS` of the tests (not the default, to see it used).
pub const WATCH_TIMEOUT: u32 = 17;

pub type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;
pub type Send = tower_test::mock::SendResponse<Response<Body>>;

/// The Job name of `run_id` with the built-in template.
pub fn job_name(run_id: &str) -> String {
    format!("stock-backtest-worker-{run_id}")
}

pub fn respond(send: Send, status: StatusCode, body: &Value) {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).expect("JSON")));
    *response.status_mut() = status;
    send.send_response(response);
}

/// The launcher's next call.
pub async fn next(handle: &mut Handle) -> (Request<Body>, Send) {
    tokio::time::timeout(Duration::from_secs(10), handle.next_request())
        .await
        .expect("the launcher made no further call")
        .expect("service dropped")
}

pub async fn body_json(request: Request<Body>) -> Value {
    let bytes = request.into_body().collect_bytes().await.expect("body");
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&bytes).expect("JSON body")
}

/// The query parameters of `request`, decoded.
pub fn query(request: &Request<Body>) -> BTreeMap<String, String> {
    form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `job` as the API returns it: kind, `resourceVersion` and `status` set.
pub fn with_status(job: &Value, version: &str, status: Value) -> Value {
    let mut job = job.clone();
    job["apiVersion"] = json!("batch/v1");
    job["kind"] = json!("Job");
    job["metadata"]["resourceVersion"] = json!(version);
    job["status"] = status;
    job
}

/// A running Job.
pub fn active(job: &Value, version: &str) -> Value {
    with_status(job, version, json!({"active": 1}))
}

/// A Job whose pod succeeded.
pub fn succeeded(job: &Value, version: &str) -> Value {
    with_status(
        job,
        version,
        json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}),
    )
}

/// A watch event line.
pub fn event(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

/// Asserts the create call and answers it; returns the Job sent.
pub async fn expect_create(handle: &mut Handle, run_id: &str) -> Value {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs")
    );
    let job = body_json(request).await;
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["metadata"]["name"], job_name(run_id).as_str());
    assert!(job["metadata"].get("generateName").is_none());
    let labels = &job["metadata"]["labels"];
    assert_eq!(labels["app.kubernetes.io/name"], "stock-backtest");
    assert_eq!(labels["app.kubernetes.io/component"], "worker");
    assert_eq!(labels[RUN_ID_LABEL], run_id);
    assert!(
        labels.get(INSTANCE_LABEL).is_none(),
        "no Argo CD instance label"
    );
    let spec = &job["spec"];
    assert_eq!(spec["backoffLimit"], 1);
    assert_eq!(spec["ttlSecondsAfterFinished"], 86400);
    assert_eq!(spec["activeDeadlineSeconds"], 900);
    let pod = &spec["template"]["spec"];
    assert_eq!(spec["template"]["metadata"]["labels"][RUN_ID_LABEL], run_id);
    assert_eq!(pod["restartPolicy"], "Never");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 10001);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let container = &pod["containers"][0];
    assert_eq!(container["image"], IMAGE);
    assert_eq!(container["args"], json!(["worker", "--run-id", run_id]));
    assert_eq!(
        container["envFrom"][0]["configMapRef"]["name"],
        "stock-backtest"
    );
    assert_eq!(
        container["envFrom"][1]["secretRef"]["name"],
        "stock-backtest"
    );
    assert_eq!(container["resources"]["requests"]["cpu"], "250m");
    assert_eq!(container["resources"]["limits"]["memory"], "1Gi");
    let sc = &container["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault");
    respond(
        send,
        StatusCode::CREATED,
        &with_status(&job, "40", Value::Null),
    );
    job
}

/// Asserts the sweep's lookup of a run's Jobs by label and answers `items`.
pub async fn expect_list_by_label(handle: &mut Handle, run_id: &str, items: &[Value]) {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs")
    );
    let label = format!("{RUN_ID_LABEL}={run_id}");
    assert_eq!(query(&request), params(&[("labelSelector", &label)]));
    respond(send, StatusCode::OK, &job_list("30", items));
}

/// Asserts the watcher's list of the Job by name (a quorum read: no
/// `resourceVersion`) and answers `items` at `version`.
pub async fn expect_list(handle: &mut Handle, name: &str, version: &str, items: &[Value]) {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs")
    );
    let field = format!("metadata.name={name}");
    assert_eq!(
        query(&request),
        params(&[("fieldSelector", &field), ("limit", "500")])
    );
    respond(send, StatusCode::OK, &job_list(version, items));
}

fn job_list(version: &str, items: &[Value]) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "JobList",
        "metadata": {"resourceVersion": version},
        "items": items,
    })
}

/// Asserts a watch of the Job by name from `version`; returns the call to
/// answer (with [`stream`]) or to leave pending.
pub async fn expect_watch_call(handle: &mut Handle, name: &str, version: &str) -> Send {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs")
    );
    let field = format!("metadata.name={name}");
    let timeout = WATCH_TIMEOUT.to_string();
    assert_eq!(
        query(&request),
        params(&[
            ("watch", "true"),
            ("timeoutSeconds", &timeout),
            ("fieldSelector", &field),
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", version),
        ])
    );
    send
}

/// Answers a watch with `events`, then ends the stream (as the server does
/// at its timeout).
pub fn stream(send: Send, events: &[Value]) {
    let mut text = String::new();
    for event in events {
        text.push_str(&event.to_string());
        text.push('\n');
    }
    send.send_response(Response::new(Body::from(text.into_bytes())));
}

/// [`expect_watch_call`] answered with `events`.
pub async fn expect_watch(handle: &mut Handle, name: &str, version: &str, events: &[Value]) {
    let send = expect_watch_call(handle, name, version).await;
    stream(send, events);
}

/// Asserts the background delete of the Job and answers it.
pub async fn expect_delete(handle: &mut Handle, name: &str) {
    let (request, send) = next(handle).await;
    assert_eq!(request.method(), Method::DELETE);
    assert_eq!(
        request.uri().path(),
        format!("/apis/batch/v1/namespaces/{NS}/jobs/{name}")
    );
    let body = body_json(request).await;
    assert_eq!(body["propagationPolicy"], "Background", "{body}");
    respond(
        send,
        StatusCode::OK,
        &json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 200}),
    );
}

/// Asserts that the launcher makes no call for a while.
pub async fn expect_no_call(handle: &mut Handle) {
    if let Ok(Some((request, _))) =
        tokio::time::timeout(Duration::from_millis(700), handle.next_request()).await
    {
        panic!("unexpected call: {} {}", request.method(), request.uri());
    }
}
