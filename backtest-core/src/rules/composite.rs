//! `COMPOSITE`: AND / OR of other rules.

use serde_json::{json, Value};

use super::build_nested;
use crate::{CoreError, ParamSpec, Params, Result, Rule, RuleContext, Signal};

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

/// Combines sub-rules bar by bar: with `and`, buys when every sub-rule buys
/// on that bar (sells likewise); with `or`, when any does. If both a buy and
/// a sell result, the bar holds.
#[derive(Debug)]
pub struct CompositeRule {
    all: bool,
    rules: Vec<Box<dyn Rule>>,
}

impl CompositeRule {
    pub(crate) fn from_params(p: &Params, depth: usize) -> Result<Self> {
        if depth >= MAX_DEPTH {
            return Err(
                p.constraint_error("rules", format!("composites nest at most {MAX_DEPTH} deep"))
            );
        }
        let list = p
            .raw("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if list.len() > MAX_RULES {
            return Err(p.constraint_error("rules", format!("at most {MAX_RULES} sub-rules")));
        }
        let rules = list
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let param = |reason: &str| CoreError::InvalidParam {
                    param: format!("rules[{i}]"),
                    reason: reason.to_owned(),
                };
                let rule_type = item
                    .get("rule_type")
                    .and_then(Value::as_str)
                    .ok_or_else(|| param("needs a string `rule_type`"))?;
                let params = item.get("params").cloned().unwrap_or(Value::Null);
                build_nested(rule_type, &params, &format!("rules[{i}]."), depth + 1)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            all: p.choice("op") == "and",
            rules,
        })
    }
}

impl Rule for CompositeRule {
    fn rule_type(&self) -> &'static str {
        "COMPOSITE"
    }

    fn rule_id(&self) -> String {
        let parts: Vec<String> = self.rules.iter().map(|r| r.rule_id()).collect();
        format!(
            "COMPOSITE_{}_{}",
            if self.all { "AND" } else { "OR" },
            parts.join("+")
        )
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
