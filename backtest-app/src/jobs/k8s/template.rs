//! The worker Job built from the template for one run, and its state.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use k8s_openapi::api::batch::v1::Job;

/// Label carrying the run id on Jobs and their pods.
pub const RUN_ID_LABEL: &str = "backtest.io/run-id";
/// Label carrying the sweep id on a sweep's Indexed Job and its pods.
pub const SWEEP_ID_LABEL: &str = "backtest.io/sweep-id";
/// The label the launcher never sets (Argo CD tracking).
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The built-in template.
pub const DEFAULT_TEMPLATE: &str = include_str!("default-job.yaml");
/// Where a pod finds its namespace.
pub const NAMESPACE_FILE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
/// Longest Job name (it becomes a pod label value).
const MAX_NAME: usize = 63;

/// Reads a Job template (YAML).
///
/// # Errors
/// When the file cannot be read or is not a `batch/v1` Job.
pub fn load_template(path: &Path) -> anyhow::Result<Job> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the worker Job template {}", path.display()))?;
    parse_template(&text).with_context(|| format!("invalid worker Job template {}", path.display()))
}

/// Parses a Job template (YAML).
///
/// # Errors
/// When the text is not a `batch/v1` Job.
pub fn parse_template(yaml: &str) -> anyhow::Result<Job> {
    let job: Job = serde_norway::from_str(yaml).context("not a Job manifest")?;
    Ok(job)
}

/// The Job name for `run_id`: the template's `generateName` (or name) as a
/// prefix, shortened so the whole fits in 63 characters.
pub fn job_name(template: &Job, run_id: &str) -> String {
    let prefix = template
        .metadata
        .generate_name
        .clone()
        .or_else(|| template.metadata.name.clone().map(|n| format!("{n}-")))
        .unwrap_or_else(|| "stock-backtest-worker-".to_owned());
    let room = MAX_NAME.saturating_sub(run_id.len());
    let mut prefix_cut: String = prefix.chars().take(room).collect();
    if prefix_cut.len() < prefix.len() {
        // Cut at a dash so the name stays readable.
        if let Some(i) = prefix_cut.rfind('-') {
            prefix_cut.truncate(i + 1);
        }
    }
    let prefix = prefix_cut;
    format!("{prefix}{}", run_id.to_ascii_lowercase())
}

/// The Job that runs `run_id` (see the module documentation).
///
/// # Errors
/// When the template has no container or no image is known.
pub fn job_for_run(template: &Job, run_id: &str, image: Option<&str>) -> anyhow::Result<Job> {
    job_from(
        template,
        run_id,
        (RUN_ID_LABEL, run_id),
        &["--run-id", run_id],
        image,
    )
}

/// The one Indexed Job of a sweep: pod *k* runs shard *k* (the worker
/// reads `JOB_COMPLETION_INDEX`), `completions` = `shards`, at most
/// `parallelism` pods at once, each index retried once
/// (`backoffLimitPerIndex: 1`, so the template's Job-wide `backoffLimit`
/// is dropped), with the single-run Job's pod template otherwise unchanged.
/// Named `<generateName>sweep-<sweep_id>`, labelled
/// `backtest.io/sweep-id`.
///
/// # Errors
/// As [`job_for_run`], or more shards than a Job can count.
pub fn job_for_sweep(
    template: &Job,
    sweep_id: &str,
    shards: u64,
    parallelism: u32,
    image: Option<&str>,
) -> anyhow::Result<Job> {
    let completions =
        i32::try_from(shards).map_err(|_| anyhow!("{shards} shards exceed a Job's completions"))?;
    let mut job = job_from(
        template,
        &format!("sweep-{sweep_id}"),
        (SWEEP_ID_LABEL, sweep_id),
        &["--sweep-id", sweep_id],
        image,
    )?;
    let spec = job
        .spec
        .as_mut()
        .ok_or_else(|| anyhow!("the Job template has no spec"))?;
    spec.completion_mode = Some("Indexed".to_owned());
    spec.completions = Some(completions.max(1));
    spec.parallelism = Some(
        i32::try_from(parallelism)
            .unwrap_or(i32::MAX)
            .clamp(1, completions.max(1)),
    );
    spec.backoff_limit_per_index = Some(1);
    spec.backoff_limit = None;
    Ok(job)
}

/// The template with its name, `label` on Job and pod, `args` appended to
/// the worker container's and the image set.
fn job_from(
    template: &Job,
    name_suffix: &str,
    label: (&str, &str),
    args: &[&str],
    image: Option<&str>,
) -> anyhow::Result<Job> {
    let mut job = template.clone();
    job.metadata.name = Some(job_name(template, name_suffix));
    job.metadata.generate_name = None;
    job.metadata.namespace = None;
    job.metadata.resource_version = None;
    job.metadata.uid = None;
    job.status = None;
    set_labels(&mut job.metadata.labels, label);
    let spec = job
        .spec
        .as_mut()
        .ok_or_else(|| anyhow!("the Job template has no spec"))?;
    let pod_meta = spec.template.metadata.get_or_insert_with(Default::default);
    set_labels(&mut pod_meta.labels, label);
    let pod = spec
        .template
        .spec
        .as_mut()
        .ok_or_else(|| anyhow!("the Job template has no pod spec"))?;
    let index = pod
        .containers
        .iter()
        .position(|c| c.name == "worker")
        .unwrap_or(0);
    let container = pod
        .containers
        .get_mut(index)
        .ok_or_else(|| anyhow!("the Job template has no container"))?;
    if let Some(image) = image {
        container.image = Some(image.to_owned());
    }
    if container.image.as_deref().is_none_or(str::is_empty) {
        bail!("no worker image: set WORKER_IMAGE or the template's image");
    }
    let container_args = container.args.get_or_insert_with(Vec::new);
    if container_args.is_empty() {
        container_args.push("worker".to_owned());
    }
    container_args.extend(args.iter().map(|a| (*a).to_owned()));
    Ok(job)
}

fn set_labels(labels: &mut Option<BTreeMap<String, String>>, (key, value): (&str, &str)) {
    let labels = labels.get_or_insert_with(BTreeMap::new);
    labels.remove(INSTANCE_LABEL);
    labels.insert(key.to_owned(), value.to_owned());
}

/// Where a Job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Not finished.
    Active,
    /// The worker exited 0.
    Succeeded,
    /// Failed, with the reason from its condition.
    Failed(String),
}

/// The state of `job` from its status.
pub fn job_state(job: &Job) -> JobState {
    let Some(status) = &job.status else {
        return JobState::Active;
    };
    let conditions = status.conditions.as_deref().unwrap_or_default();
    if let Some(failed) = conditions
        .iter()
        .find(|c| c.type_ == "Failed" && c.status == "True")
    {
        let reason = failed.reason.as_deref().unwrap_or("Failed");
        return JobState::Failed(match failed.message.as_deref() {
            Some(message) if !message.is_empty() => format!("{reason}: {message}"),
            _ => reason.to_owned(),
        });
    }
    let complete = conditions
        .iter()
        .any(|c| c.type_ == "Complete" && c.status == "True");
    if complete || status.succeeded.unwrap_or(0) > 0 {
        JobState::Succeeded
    } else {
        JobState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "0b0e8a8e-7a4c-4f7e-9a43-1c1f2a3b4c5d";

    #[test]
    fn names_fit_in_63_characters() {
        let template = parse_template(DEFAULT_TEMPLATE).expect("template");
        assert_eq!(
            job_name(&template, RUN),
            format!("stock-backtest-worker-{RUN}")
        );
        let mut long = template.clone();
        long.metadata.generate_name =
            Some("a-very-long-release-name-stock-backtest-worker-".into());
        let name = job_name(&long, RUN);
        assert!(name.len() <= 63, "{name}");
        assert!(name.ends_with(RUN));
        assert!(name.starts_with("a-very-long-"), "{name}");
    }

    #[test]
    fn job_carries_run_id_and_no_instance_label() {
        let mut template = parse_template(DEFAULT_TEMPLATE).expect("template");
        template
            .metadata
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(INSTANCE_LABEL.into(), "x".into());
        let job = job_for_run(&template, RUN, Some("img:1")).expect("job");
        let labels = job.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels.get(RUN_ID_LABEL).map(String::as_str), Some(RUN));
        assert!(!labels.contains_key(INSTANCE_LABEL));
        let pod = job.spec.and_then(|s| s.template.spec).expect("pod");
        assert_eq!(pod.containers[0].image.as_deref(), Some("img:1"));
        assert_eq!(
            pod.containers[0].args.clone().unwrap_or_default(),
            vec!["worker", "--run-id", RUN]
        );
    }

    #[test]
    fn state_from_conditions() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "status": {"conditions": [{"type": "Failed", "status": "True",
                "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}
        }))
        .expect("job");
        assert_eq!(
            job_state(&job),
            JobState::Failed(
                "BackoffLimitExceeded: Job has reached the specified backoff limit".into()
            )
        );
        let job: Job = serde_json::from_value(serde_json::json!({
            "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}
        }))
        .expect("job");
        assert_eq!(job_state(&job), JobState::Succeeded);
        assert_eq!(job_state(&Job::default()), JobState::Active);
    }
}
