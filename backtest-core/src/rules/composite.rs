//! `COMPOSITE`: AND / OR of other rules.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::grid::{digits, GridAxis, RuleGrid};
use super::{build_nested, MAX_RULE_ID_LEN};
use crate::params::{constraint_error, normalize, unknown_param};
use crate::{CoreError, ParamSpec, Result, Rule, RuleContext, Signal};

/// Deepest allowed nesting of composites, so a request cannot recurse without bound.
const MAX_DEPTH: usize = 4;
/// Most sub-rules in one composite.
const MAX_RULES: usize = 8;

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice("op", &["and", "or"], "How sub-rule signals combine"),
        ParamSpec::rules(
            "rules",
            "Sub-rules: a list of {\"rule_type\", \"params\"} objects",
        ),
    ]
}

/// How a composite combines its sub-rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompositeOp {
    /// Every sub-rule must agree.
    #[default]
    And,
    /// Any sub-rule suffices.
    Or,
}

/// One sub-rule of a composite, as JSON: a registry name and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Registry name, e.g. `"RSI"`.
    pub rule_type: String,
    /// The rule's parameters (`null` for all defaults).
    #[serde(default)]
    pub params: Value,
}

/// Parameters of [`CompositeRule`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeParams {
    /// How sub-rule signals combine.
    #[serde(default)]
    pub op: CompositeOp,
    /// Sub-rules (1 to 8).
    pub rules: Vec<RuleSpec>,
}

/// Combines sub-rules bar by bar: with `and`, buys when every sub-rule buys
/// on that bar (sells likewise); with `or`, when any does. If both a buy and
/// a sell result, the bar holds.
#[derive(Debug)]
pub struct CompositeRule {
    all: bool,
    /// Shared, so that grid points with the same sub-rules build them once.
    rules: Vec<Arc<dyn Rule>>,
}

impl CompositeRule {
    /// A composite of the rules described by `params` (built by name).
    ///
    /// # Errors
    /// [`CoreError::InvalidParam`] for an empty or too long list, an unknown
    /// sub-rule or an invalid sub-rule parameter (named `rules[i].name`).
    pub fn new(params: CompositeParams) -> Result<Self> {
        Self::build(params.op, &params.rules, 0)
    }

    /// A composite of already built rules.
    ///
    /// # Errors
    /// [`CoreError::InvalidParam`] for an empty list or more than 8 rules.
    pub fn from_rules(op: CompositeOp, rules: Vec<Box<dyn Rule>>) -> Result<Self> {
        check_count(rules.len(), "")?;
        Ok(Self {
            all: op == CompositeOp::And,
            rules: rules.into_iter().map(Arc::from).collect(),
        })
    }

    pub(crate) fn from_json(params: &Value, prefix: &str, depth: usize) -> Result<Self> {
        let values = normalize(&self::params(), params, prefix)?;
        let op = if values.get("op").and_then(Value::as_str) == Some("or") {
            CompositeOp::Or
        } else {
            CompositeOp::And
        };
        let items = values
            .get("rules")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        check_count(items.len(), prefix)?;
        let specs = items
            .iter()
            .enumerate()
            .map(|(i, item)| rule_spec(item, &format!("{prefix}rules[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Self::build_at(op, &specs, prefix, depth)
    }

    fn build(op: CompositeOp, specs: &[RuleSpec], depth: usize) -> Result<Self> {
        check_count(specs.len(), "")?;
        Self::build_at(op, specs, "", depth)
    }

    fn build_at(op: CompositeOp, specs: &[RuleSpec], prefix: &str, depth: usize) -> Result<Self> {
        if depth >= MAX_DEPTH {
            return Err(constraint_error(
                prefix,
                "rules",
                format!("composites nest at most {MAX_DEPTH} deep"),
            ));
        }
        let rules = specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                build_nested(
                    &s.rule_type,
                    &s.params,
                    &format!("{prefix}rules[{i}]."),
                    depth + 1,
                )
                .map(Arc::from)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            all: op == CompositeOp::And,
            rules,
        })
    }
}

/// `id` when it fits [`MAX_RULE_ID_LEN`]; else its start, `~` and a hash of
/// the whole id, so that long ids stay distinct (eight sub-rules nested
/// four deep would otherwise make ids of thousands of characters).
fn fit_rule_id(id: String) -> String {
    if id.chars().count() <= MAX_RULE_ID_LEN {
        return id;
    }
    // FNV-1a: the same on every platform and release, unlike std's hasher.
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let head: String = id.chars().take(MAX_RULE_ID_LEN - 17).collect();
    format!("{head}~{hash:016x}")
}

fn check_count(count: usize, prefix: &str) -> Result<()> {
    if count == 0 {
        return Err(constraint_error(
            prefix,
            "rules",
            "needs at least one sub-rule",
        ));
    }
    if count > MAX_RULES {
        return Err(constraint_error(
            prefix,
            "rules",
            format!("at most {MAX_RULES} sub-rules"),
        ));
    }
    Ok(())
}

/// One `{"rule_type", "params"}` item; a misspelt key is an error, never ignored.
fn rule_spec(item: &Value, name: &str) -> Result<RuleSpec> {
    let invalid = |reason: &str| CoreError::InvalidParam {
        param: name.to_owned(),
        reason: reason.to_owned(),
    };
    let map: &Map<String, Value> = item
        .as_object()
        .ok_or_else(|| invalid("needs a {\"rule_type\", \"params\"} object"))?;
    let keys = [
        ParamSpec::choice("rule_type", &[], "registry name"),
        ParamSpec::rules("params", "parameters"),
    ];
    if let Some(key) = map.keys().find(|k| !keys.iter().any(|s| s.name == *k)) {
        return Err(unknown_param(&keys, &format!("{name}."), key));
    }
    let rule_type = map
        .get("rule_type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("needs a string `rule_type`"))?;
    Ok(RuleSpec {
        rule_type: rule_type.to_owned(),
        params: map.get("params").cloned().unwrap_or(Value::Null),
    })
}

/// A composite grid's `op` or `rules` axis, each value checked (and each
/// sub-rule list built) once.
#[derive(Debug)]
enum Axis {
    Op(Vec<Result<CompositeOp>>),
    Rules(Vec<Result<Vec<Arc<dyn Rule>>>>),
}

/// A grid over a composite's `op` and `rules`: a point shares its sub-rule
/// list with every other point that has it.
#[derive(Debug)]
struct CompositeGrid {
    op: CompositeOp,
    rules: Result<Vec<Arc<dyn Rule>>>,
    axes: Vec<Axis>,
}

fn checked_op(value: &Value) -> Result<CompositeOp> {
    let op = params()[0].check(value, "")?;
    Ok(if op.as_str() == Some("or") {
        CompositeOp::Or
    } else {
        CompositeOp::And
    })
}

/// A sub-rule list checked and built exactly as a JSON build would.
fn checked_rules(value: &Value) -> Result<Vec<Arc<dyn Rule>>> {
    CompositeRule::from_json(&json!({ "rules": value }), "", 0).map(|rule| rule.rules)
}

/// Stops the grid for an unknown sub-rule type (as a JSON build of any point
/// would); other errors only make their points invalid.
fn fatal(result: Result<Vec<Arc<dyn Rule>>>) -> Result<Result<Vec<Arc<dyn Rule>>>> {
    match result {
        Err(e @ CoreError::UnknownRule { .. }) => Err(e),
        other => Ok(other),
    }
}

/// Prepares a composite grid over `base` and `axes` (`op`, `rules`).
pub(crate) fn grid(base: &Value, axes: &[GridAxis]) -> Result<Box<dyn RuleGrid>> {
    let specs = params();
    let empty = Map::new();
    let base = match base {
        Value::Null => &empty,
        Value::Object(map) => map,
        other => {
            return Err(CoreError::InvalidParam {
                param: "params".into(),
                reason: format!("expected a JSON object, got {other}"),
            })
        }
    };
    if let Some(key) = base.keys().find(|k| !specs.iter().any(|s| s.name == *k)) {
        return Err(unknown_param(&specs, "", key));
    }
    let on_axis = |name: &str| axes.iter().any(|(n, _)| n == name);
    let op = match base.get("op") {
        Some(v) if !on_axis("op") => checked_op(v)?,
        _ => CompositeOp::And,
    };
    // The base's list, unless an axis replaces it ("needs a sub-rule" without either).
    let rules = if on_axis("rules") {
        Ok(Vec::new())
    } else {
        fatal(checked_rules(base.get("rules").unwrap_or(&Value::Null)))?
    };
    let axes = axes
        .iter()
        .map(|(name, values)| match name.as_str() {
            "op" => Ok(Axis::Op(values.iter().map(checked_op).collect())),
            "rules" => Ok(Axis::Rules(
                values
                    .iter()
                    .map(|v| fatal(checked_rules(v)))
                    .collect::<Result<_>>()?,
            )),
            other => Err(unknown_param(&specs, "", other)),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Box::new(CompositeGrid { op, rules, axes }))
}

impl RuleGrid for CompositeGrid {
    fn len(&self) -> usize {
        self.axes
            .iter()
            .map(|a| match a {
                Axis::Op(v) => v.len(),
                Axis::Rules(v) => v.len(),
            })
            .product()
    }

    fn rule_at(&self, index: usize) -> Result<Box<dyn Rule>> {
        let lengths = self.axes.iter().map(|a| match a {
            Axis::Op(v) => v.len(),
            Axis::Rules(v) => v.len(),
        });
        let mut op = self.op;
        let mut rules = &self.rules;
        for (axis, i) in self.axes.iter().zip(digits(index, lengths)) {
            match axis {
                Axis::Op(values) => op = values[i].clone()?,
                Axis::Rules(values) => rules = &values[i],
            }
        }
        let rules = rules.as_ref().map_err(Clone::clone)?;
        Ok(Box::new(CompositeRule {
            all: op == CompositeOp::And,
            rules: rules.clone(),
        }))
    }
}

impl Rule for CompositeRule {
    fn rule_type(&self) -> &'static str {
        "COMPOSITE"
    }

    fn rule_id(&self) -> String {
        let parts: Vec<String> = self.rules.iter().map(|r| r.rule_id()).collect();
        fit_rule_id(format!(
            "COMPOSITE_{}_{}",
            if self.all { "AND" } else { "OR" },
            parts.join("+")
        ))
    }

    fn params(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| json!({"rule_type": r.rule_type(), "params": r.params()}))
            .collect();
        json!({"op": if self.all { "and" } else { "or" }, "rules": rules})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let each: Vec<Vec<Signal>> = self.rules.iter().map(|r| r.signals(ctx)).collect();
        let combine = |t: usize, want: Signal| {
            if self.all {
                each.iter().all(|s| s[t] == want)
            } else {
                each.iter().any(|s| s[t] == want)
            }
        };
        (0..ctx.series().len())
            .map(
                |t| match (combine(t, Signal::Buy), combine(t, Signal::Sell)) {
                    (true, false) => Signal::Buy,
                    (false, true) => Signal::Sell,
                    _ => Signal::Hold,
                },
            )
            .collect()
    }
}
