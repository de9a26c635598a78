//! The generated Jobs checked against the official Kubernetes 1.33 JSON
//! schema of `batch/v1` Job (strict: unknown fields are errors), vendored in
//! `tests/data/k8s/` by `scripts/jobs/vendor-job-schema`, and with the
//! `kubernetes-validate` tool when it is installed.

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// A minimal JSON-schema (2020-12) validator for the keywords the
/// Kubernetes schemas use: `$ref` (local), `type`, `enum`, `properties`,
/// `additionalProperties`, `required`, `items`, `oneOf`, `format`
/// (int32/int64 ranges). Annotations (`x-kubernetes-*`, ...) are ignored.
pub fn validate(value: &Value, schema: &Value, root: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        match root["$defs"].get(name) {
            Some(target) => validate(value, target, root, path, errors),
            None => errors.push(format!("{path}: unknown $ref {reference}")),
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = allowed.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{path}: {value} is not of type {types}"));
            return;
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        if !options.contains(value) {
            errors.push(format!("{path}: {value} not in {options:?}"));
        }
    }
    if let (Some(format), Some(n)) = (schema.get("format").and_then(Value::as_str), value.as_i64())
    {
        if format == "int32" && i32::try_from(n).is_err() {
            errors.push(format!("{path}: {n} is not an int32"));
        }
    }
    if let Some(Value::Array(options)) = schema.get("oneOf") {
        let matching = options
            .iter()
            .filter(|option| {
                let mut sub = Vec::new();
                validate(value, option, root, path, &mut sub);
                sub.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!("{path}: {value} matches {matching} of oneOf"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(required)) = schema.get("required") {
            for key in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(key) {
                    errors.push(format!("{path}: missing required {key}"));
                }
            }
        }
        for (key, item) in object {
            let item_path = format!("{path}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => validate(item, sub, root, &item_path, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        errors.push(format!("{item_path}: unknown field"));
                    }
                    Some(sub @ Value::Object(_)) => validate(item, sub, root, &item_path, errors),
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            validate(item, items, root, &format!("{path}[{i}]"), errors);
        }
    }
}

pub fn job_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/k8s/job-batch-v1-1.33.0-strict.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/jobs/vendor-job-schema)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("schema JSON")
}

pub fn schema_errors(job: &Value) -> Vec<String> {
    let schema = job_schema();
    let mut errors = Vec::new();
    validate(job, &schema, &schema, "$", &mut errors);
    errors
}

/// Checks `job` with kubernetes-validate when it is installed.
pub fn kubernetes_validate(job: &Value, label: &str) {
    let root = repo_root();
    let tool = [root.join(".tools/bin/kubernetes-validate")]
        .into_iter()
        .find(|p| p.exists())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("kubernetes-validate"))
                    .find(|p| p.exists())
            })
        });
    let Some(tool) = tool else {
        eprintln!(
            "kubernetes-validate not installed (scripts/validate-deploy installs it): \
             {label} checked with the vendored schema only"
        );
        return;
    };
    let file = std::env::temp_dir().join(format!("job-{}.yaml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, job.to_string()).expect("write");
    let output = std::process::Command::new(&tool)
        .args(["--strict", "-k", "1.33.0"])
        .arg(&file)
        .output()
        .expect("run kubernetes-validate");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "kubernetes-validate rejects {label}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn repo_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| std::path::PathBuf::from(".."), Path::to_path_buf)
}
