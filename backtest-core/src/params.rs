//! Declared rule parameters: metadata for UIs and APIs, and validation.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{CoreError, Result};

/// The type of a rule parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
#[non_exhaustive]
pub enum ParamKind {
    /// A whole number in `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
        /// Suggested UI / grid step.
        step: i64,
    },
    /// A real number in `[min, max]`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Suggested UI / grid step.
        step: f64,
    },
    /// One of a fixed set of strings.
    Choice {
        /// Allowed values.
        choices: &'static [&'static str],
    },
    /// A list of nested rules (`{"rule_type": .., "params": {..}}`), for composites.
    Rules,
}

/// Metadata of one rule parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    /// Name in the `params` object.
    pub name: &'static str,
    /// Type and valid range.
    #[serde(flatten)]
    pub kind: ParamKind,
    /// Value used when the parameter is absent.
    pub default: Value,
    /// One-line explanation for users.
    pub description: &'static str,
}

impl ParamSpec {
    /// An integer parameter.
    #[must_use]
    pub fn int(
        name: &'static str,
        default: i64,
        min: i64,
        max: i64,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Int { min, max, step: 1 },
            default: Value::from(default),
            description,
        }
    }

    /// A real-valued parameter.
    #[must_use]
    pub fn float(
        name: &'static str,
        default: f64,
        (min, max, step): (f64, f64, f64),
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Float { min, max, step },
            default: Value::from(default),
            description,
        }
    }

    /// A string parameter restricted to `choices` (the first is the default).
    #[must_use]
    pub fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Choice { choices },
            default: Value::from(choices.first().copied().unwrap_or_default()),
            description,
        }
    }

    /// A list of nested rules.
    #[must_use]
    pub fn rules(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Rules,
            default: Value::Array(Vec::new()),
            description,
        }
    }

    fn range_text(&self) -> String {
        match &self.kind {
            ParamKind::Int { min, max, .. } => format!("an integer in [{min}, {max}]"),
            ParamKind::Float { min, max, .. } => format!("a number in [{min}, {max}]"),
            ParamKind::Choice { choices } => format!("one of {}", choices.join(", ")),
            ParamKind::Rules => {
                "a non-empty list of {\"rule_type\", \"params\"} objects".to_owned()
            }
        }
    }
}

/// Parameters checked against their specs, with defaults filled in.
#[derive(Debug, Clone)]
pub struct Params {
    values: Map<String, Value>,
    prefix: String,
}

impl Params {
    /// Validates `params` (a JSON object, or `null` for all defaults) against
    /// `specs`. `prefix` names nested parameters in errors (`"rules[0]."`).
    ///
    /// # Errors
    /// [`CoreError::InvalidParam`] naming the parameter and its valid range
    /// for an unknown name, a wrong type or an out-of-range value.
    pub fn parse(specs: &[ParamSpec], params: &Value, prefix: &str) -> Result<Self> {
        let given = match params {
            Value::Null => Map::new(),
            Value::Object(map) => map.clone(),
            other => {
                let param = if prefix.is_empty() {
                    "params"
                } else {
                    prefix.trim_end_matches('.')
                };
                return Err(CoreError::InvalidParam {
                    param: param.to_owned(),
                    reason: format!("expected a JSON object, got {other}"),
                });
            }
        };
        for key in given.keys() {
            if !specs.iter().any(|s| s.name == key) {
                let valid: Vec<&str> = specs.iter().map(|s| s.name).collect();
                return Err(CoreError::InvalidParam {
                    param: format!("{prefix}{key}"),
                    reason: format!("unknown parameter; valid parameters: {}", valid.join(", ")),
                });
            }
        }
        let mut values = Map::new();
        for spec in specs {
            let value = given
                .get(spec.name)
                .cloned()
                .unwrap_or_else(|| spec.default.clone());
            let invalid = |got: &Value| CoreError::InvalidParam {
                param: format!("{prefix}{}", spec.name),
                reason: format!("must be {}, got {got}", spec.range_text()),
            };
            match &spec.kind {
                ParamKind::Int { min, max, .. } => {
                    // Accept 14.0 as 14, but not 14.5.
                    let n = value
                        .as_i64()
                        .or_else(|| {
                            value
                                .as_f64()
                                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                                .map(|f| f as i64)
                        })
                        .filter(|n| (*min..=*max).contains(n))
                        .ok_or_else(|| invalid(&value))?;
                    values.insert(spec.name.to_owned(), Value::from(n));
                }
                ParamKind::Float { min, max, .. } => {
                    let f = value
                        .as_f64()
                        .filter(|f| f.is_finite() && *f >= *min && *f <= *max)
                        .ok_or_else(|| invalid(&value))?;
                    values.insert(spec.name.to_owned(), Value::from(f));
                }
                ParamKind::Choice { choices } => {
                    let s = value
                        .as_str()
                        .map(str::to_ascii_lowercase)
                        .filter(|s| choices.contains(&s.as_str()))
                        .ok_or_else(|| invalid(&value))?;
                    values.insert(spec.name.to_owned(), Value::from(s));
                }
                ParamKind::Rules => {
                    if value.as_array().is_none_or(Vec::is_empty) {
                        return Err(invalid(&value));
                    }
                    values.insert(spec.name.to_owned(), value);
                }
            }
        }
        Ok(Self {
            values,
            prefix: prefix.to_owned(),
        })
    }

    /// An integer parameter (validated by [`Params::parse`]).
    #[must_use]
    pub fn int(&self, name: &str) -> i64 {
        self.values
            .get(name)
            .and_then(Value::as_i64)
            .unwrap_or_default()
    }

    /// An integer parameter as a length or period.
    #[must_use]
    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or_default()
    }

    /// A real parameter.
    #[must_use]
    pub fn float(&self, name: &str) -> f64 {
        self.values
            .get(name)
            .and_then(Value::as_f64)
            .unwrap_or_default()
    }

    /// A choice parameter, lower-cased.
    #[must_use]
    pub fn choice(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// A raw parameter value.
    #[must_use]
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The error for a cross-parameter constraint (e.g. `fast < slow`).
    #[must_use]
    pub fn constraint_error(&self, param: &str, reason: impl Into<String>) -> CoreError {
        CoreError::InvalidParam {
            param: format!("{}{param}", self.prefix),
            reason: reason.into(),
        }
    }

    /// All values, defaults filled in, as a JSON object.
    #[must_use]
    pub fn to_json(&self) -> Value {
        Value::Object(self.values.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("period", 14, 2, 200, "lookback"),
            ParamSpec::float("k", 2.0, (0.5, 5.0, 0.1), "width"),
            ParamSpec::choice("kind", &["sma", "ema"], "average"),
        ]
    }

    #[test]
    fn fills_defaults() -> Result<()> {
        let p = Params::parse(&specs(), &Value::Null, "")?;
        assert_eq!(
            (p.int("period"), p.float("k"), p.choice("kind")),
            (14, 2.0, "sma")
        );
        Ok(())
    }

    #[test]
    fn accepts_integral_floats_and_case_insensitive_choices() -> Result<()> {
        let p = Params::parse(&specs(), &json!({"period": 20.0, "kind": "EMA"}), "")?;
        assert_eq!((p.int("period"), p.choice("kind")), (20, "ema"));
        Ok(())
    }

    #[test]
    fn errors_name_the_param_and_range() {
        let cases = [
            (json!({"period": 1}), "period", "[2, 200]"),
            (json!({"period": 14.5}), "period", "integer"),
            (json!({"period": "14"}), "period", "integer"),
            (json!({"k": 9}), "k", "[0.5, 5]"),
            (json!({"kind": "wma"}), "kind", "sma, ema"),
            (
                json!({"perod": 3}),
                "perod",
                "valid parameters: period, k, kind",
            ),
        ];
        for (input, param, needle) in cases {
            match Params::parse(&specs(), &input, "") {
                Err(CoreError::InvalidParam { param: p, reason }) => {
                    assert_eq!(p, param, "{input}");
                    assert!(reason.contains(needle), "{reason} lacks {needle}");
                }
                other => panic!("{input}: expected InvalidParam, got {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_non_object() {
        assert!(Params::parse(&specs(), &json!([1]), "").is_err());
    }
}
