//! Snapshot of the contract's JSON Schemas.
//!
//! The committed `schema/request.schema.json` and `schema/result.schema.json`
//! are the released contract. This test fails when a committed property is
//! removed, renamed or changes type (or a request field becomes required, or
//! an enum loses a value), and passes when properties are only added,
//! printing how to update the snapshot:
//!
//! ```text
//! UPDATE_SCHEMA=1 cargo test -p backtest-adapter --test contract_schema
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;

use backtest_adapter::contract::{request_schema, result_schema};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(format!("{name}.schema.json"))
}

/// Follows a local `$ref` (`#/$defs/Name`) in `root`.
fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = target.strip_prefix('#') else {
            break;
        };
        match root.pointer(pointer) {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

/// The JSON types a node admits, following `$ref`, `anyOf` and `oneOf`.
fn types(node: &Value, root: &Value) -> BTreeSet<String> {
    let node = resolve(node, root);
    let mut out = BTreeSet::new();
    match node.get("type") {
        Some(Value::String(t)) => {
            out.insert(t.clone());
        }
        Some(Value::Array(ts)) => {
            out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        for alt in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(types(alt, root));
        }
    }
    if node.get("enum").is_some() || node.get("const").is_some() {
        for v in node
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.insert(json_type(v).to_owned());
        }
        if let Some(v) = node.get("const") {
            out.insert(json_type(v).to_owned());
        }
    }
    if let Some(f) = node.get("format").and_then(Value::as_str) {
        out.insert(format!("format:{f}"));
    }
    out
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Enum values a node admits (through `$ref`, `anyOf`, `oneOf`, `const`).
fn enum_values(node: &Value, root: &Value) -> BTreeSet<String> {
    let node = resolve(node, root);
    let mut out: BTreeSet<String> = node
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect();
    if let Some(v) = node.get("const") {
        out.insert(v.to_string());
    }
    for key in ["anyOf", "oneOf"] {
        for alt in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(enum_values(alt, root));
        }
    }
    out
}

/// The object schema among a node's alternatives (for `Option<Struct>`).
fn object_of<'a>(node: &'a Value, root: &'a Value) -> Option<&'a Value> {
    let node = resolve(node, root);
    if node.get("properties").is_some() {
        return Some(node);
    }
    for key in ["anyOf", "oneOf"] {
        for alt in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(found) = object_of(alt, root) {
                return Some(found);
            }
        }
    }
    None
}

fn required(node: &Value) -> BTreeSet<String> {
    node.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

struct Diff {
    breaking: Vec<String>,
    added: Vec<String>,
    /// Whether a newly required property is breaking (request side).
    strict_required: bool,
}

fn compare(
    path: &str,
    old: &Value,
    old_root: &Value,
    new: &Value,
    new_root: &Value,
    diff: &mut Diff,
) {
    let (old_types, new_types) = (types(old, old_root), types(new, new_root));
    if old_types != new_types {
        diff.breaking.push(format!(
            "{path}: type changed from {old_types:?} to {new_types:?}"
        ));
    }
    let (old_enum, new_enum) = (enum_values(old, old_root), enum_values(new, new_root));
    for lost in old_enum.difference(&new_enum) {
        diff.breaking
            .push(format!("{path}: enum value {lost} was removed"));
    }
    if let (Some(old_obj), Some(new_obj)) = (object_of(old, old_root), object_of(new, new_root)) {
        let empty = serde_json::Map::new();
        let old_props = old_obj
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new_obj
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, old_prop) in old_props {
            let sub = format!("{path}.{name}");
            match new_props.get(name) {
                Some(new_prop) => compare(&sub, old_prop, old_root, new_prop, new_root, diff),
                None => diff.breaking.push(format!("{sub}: removed or renamed")),
            }
        }
        for name in new_props.keys().filter(|n| !old_props.contains_key(*n)) {
            diff.added.push(format!("{path}.{name}"));
        }
        if diff.strict_required {
            for name in required(new_obj).difference(&required(old_obj)) {
                diff.breaking.push(format!("{path}.{name}: newly required"));
            }
        }
    } else if object_of(old, old_root).is_some() {
        diff.breaking.push(format!("{path}: no longer an object"));
    }
    for key in ["items", "additionalProperties"] {
        if let (Some(o), Some(n)) = (
            resolve(old, old_root).get(key),
            resolve(new, new_root).get(key),
        ) {
            if o.is_object() && n.is_object() {
                compare(&format!("{path}[{key}]"), o, old_root, n, new_root, diff);
            }
        }
    }
}

fn check(name: &str, generated: Value, strict_required: bool) -> TestResult {
    let path = snapshot_path(name);
    let pretty = serde_json::to_string_pretty(&generated)? + "\n";
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &pretty)?;
        println!("wrote {}", path.display());
        return Ok(());
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e}; create it with UPDATE_SCHEMA=1 cargo test -p backtest-adapter --test contract_schema",
            path.display()
        )
    })?)?;
    let mut diff = Diff {
        breaking: Vec::new(),
        added: Vec::new(),
        strict_required,
    };
    compare(
        name, &committed, &committed, &generated, &generated, &mut diff,
    );
    assert!(
        diff.breaking.is_empty(),
        "the {name} contract changed incompatibly (fields may only be added):\n  {}",
        diff.breaking.join("\n  ")
    );
    if !diff.added.is_empty() || committed != generated {
        println!(
            "the {name} schema gained fields ({}); this is allowed. Update the snapshot with:\n  \
             UPDATE_SCHEMA=1 cargo test -p backtest-adapter --test contract_schema",
            diff.added.join(", ")
        );
    }
    Ok(())
}

#[test]
fn request_schema_is_compatible_with_the_snapshot() -> TestResult {
    check("request", serde_json::to_value(request_schema())?, true)
}

#[test]
fn result_schema_is_compatible_with_the_snapshot() -> TestResult {
    check("result", serde_json::to_value(result_schema())?, false)
}

#[test]
fn detects_removed_renamed_and_retyped_fields() -> TestResult {
    let old: Value = serde_json::from_str(&std::fs::read_to_string(snapshot_path("result"))?)?;
    let run = |new: &Value| {
        let mut diff = Diff {
            breaking: Vec::new(),
            added: Vec::new(),
            strict_required: false,
        };
        compare("result", &old, &old, new, new, &mut diff);
        diff
    };
    assert!(run(&old).breaking.is_empty());

    // Removed top-level field.
    let mut removed = old.clone();
    removed["properties"]
        .as_object_mut()
        .ok_or("props")?
        .remove("chart_base64");
    assert!(run(&removed)
        .breaking
        .iter()
        .any(|b| b.contains("chart_base64")));

    // Renamed nested field (inside $defs).
    let mut renamed = old.clone();
    let metrics = renamed["$defs"]["Metrics"]["properties"]
        .as_object_mut()
        .ok_or("metrics")?;
    let v = metrics.remove("cagr").ok_or("cagr")?;
    metrics.insert("cagr_pct".into(), v);
    let d = run(&renamed);
    assert!(
        d.breaking.iter().any(|b| b.contains("metrics.cagr")),
        "{:?}",
        d.breaking
    );
    assert!(d.added.iter().any(|a| a.contains("cagr_pct")));

    // Changed type of an array item's field.
    let mut retyped = old.clone();
    retyped["$defs"]["TradeRecord"]["properties"]["size"] = serde_json::json!({"type": "string"});
    assert!(run(&retyped)
        .breaking
        .iter()
        .any(|b| b.contains("trades[items].size")));

    // Added field: compatible.
    let mut added = old.clone();
    added["properties"]["new_field"] = serde_json::json!({"type": "string"});
    let d = run(&added);
    assert!(d.breaking.is_empty() && d.added == ["result.new_field"]);
    Ok(())
}
