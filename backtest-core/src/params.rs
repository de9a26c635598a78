//! Declared rule parameters: metadata for UIs and APIs, and validation.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{CoreError, Result};

/// The type of a rule parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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

    /// An integer spec with a typed default (used by `rule_params!`).
    pub(crate) fn int_range(
        name: &'static str,
        default: Value,
        (min, max): (i64, i64),
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Int { min, max, step: 1 },
            default,
            description,
        }
    }

    /// A real-valued spec with a typed default (used by `rule_params!`).
    pub(crate) fn float_range(
        name: &'static str,
        default: Value,
        (min, max, step): (f64, f64, f64),
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Float { min, max, step },
            default,
            description,
        }
    }

    /// A choice spec with a typed default (used by `rule_params!`).
    pub(crate) fn choice_of(
        name: &'static str,
        default: Value,
        choices: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Choice { choices },
            default,
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

impl ParamSpec {
    /// Checks one value against this spec and returns it normalised
    /// (`14.0` becomes `14`, choices are lower-cased). The one place where
    /// parameter types and ranges are enforced, for JSON and typed params alike.
    pub(crate) fn check(&self, value: &Value, prefix: &str) -> Result<Value> {
        let invalid = || CoreError::InvalidParam {
            param: format!("{prefix}{}", self.name),
            reason: format!("must be {}, got {value}", self.range_text()),
        };
        match &self.kind {
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
                    .ok_or_else(invalid)?;
                Ok(Value::from(n))
            }
            ParamKind::Float { min, max, .. } => {
                let f = value
                    .as_f64()
                    .filter(|f| f.is_finite() && *f >= *min && *f <= *max)
                    .ok_or_else(invalid)?;
                Ok(Value::from(f))
            }
            ParamKind::Choice { choices } => {
                let s = value
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .filter(|s| choices.contains(&s.as_str()))
                    .ok_or_else(invalid)?;
                Ok(Value::from(s))
            }
            ParamKind::Rules => {
                if value.as_array().is_none_or(Vec::is_empty) {
                    return Err(invalid());
                }
                Ok(value.clone())
            }
        }
    }
}

/// Checks a JSON `params` object (or `null` for all defaults) against
/// `specs`: unknown names are rejected (the error lists the valid ones),
/// every value is type- and range-checked, defaults are filled in.
/// `prefix` names nested parameters in errors (`"rules[0]."`).
pub(crate) fn normalize(
    specs: &[ParamSpec],
    params: &Value,
    prefix: &str,
) -> Result<Map<String, Value>> {
    let empty = Map::new();
    let given = match params {
        Value::Null => &empty,
        Value::Object(map) => map,
        other => {
            return Err(CoreError::InvalidParam {
                param: object_name(prefix).to_owned(),
                reason: format!("expected a JSON object, got {other}"),
            });
        }
    };
    for key in given.keys() {
        if !specs.iter().any(|s| s.name == key) {
            return Err(unknown_param(specs, prefix, key));
        }
    }
    let mut values = Map::new();
    for spec in specs {
        let value = given.get(spec.name).unwrap_or(&spec.default);
        values.insert(spec.name.to_owned(), spec.check(value, prefix)?);
    }
    Ok(values)
}

fn object_name(prefix: &str) -> &str {
    if prefix.is_empty() {
        "params"
    } else {
        prefix.trim_end_matches('.')
    }
}

/// The error for a parameter name no spec declares.
pub(crate) fn unknown_param(specs: &[ParamSpec], prefix: &str, key: &str) -> CoreError {
    let valid: Vec<&str> = specs.iter().map(|s| s.name).collect();
    CoreError::InvalidParam {
        param: format!("{prefix}{key}"),
        reason: format!("unknown parameter; valid parameters: {}", valid.join(", ")),
    }
}

/// The error for a cross-parameter constraint (e.g. `fast < slow`).
pub(crate) fn constraint_error(prefix: &str, param: &str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidParam {
        param: format!("{prefix}{param}"),
        reason: reason.into(),
    }
}

/// A typed parameter value that a [`ParamSpec`] can check.
pub(crate) trait ParamValue: Sized {
    /// The value as JSON, for [`ParamSpec::check`].
    fn to_json(&self) -> Value;
    /// The value from JSON already normalised by [`ParamSpec::check`].
    fn from_checked(value: &Value) -> Option<Self>;
}

impl ParamValue for usize {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_checked(value: &Value) -> Option<Self> {
        value.as_u64().and_then(|n| usize::try_from(n).ok())
    }
}

impl ParamValue for f64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_checked(value: &Value) -> Option<Self> {
        value.as_f64()
    }
}

/// Typed rule parameters: what the registry and the optimizer need to build
/// a rule from JSON or from grid values without going through a JSON map.
pub(crate) trait RuleParams:
    Sized + Clone + Default + serde::Serialize + serde::de::DeserializeOwned
{
    /// The rule these parameters configure.
    type Rule: crate::Rule + 'static;
    /// Declared parameters, in field order.
    fn specs() -> &'static [ParamSpec];
    /// Ranges and cross-parameter constraints; errors are named under `prefix`.
    fn validate_at(&self, prefix: &str) -> Result<()>;
    /// Sets the field `name` from a value checked by its spec; `false` for an unknown name.
    fn set(&mut self, name: &str, value: &Value) -> bool;
    /// The rule, after [`RuleParams::validate_at`] succeeded.
    fn into_rule(self) -> Self::Rule;

    /// Parses and validates a JSON `params` object (`null` for all defaults).
    fn from_json(params: &Value, prefix: &str) -> Result<Self> {
        let typed = Self::from_json_unconstrained(params, prefix)?;
        typed.validate_at(prefix)?;
        Ok(typed)
    }

    /// Parses a JSON `params` object, checking names, types and ranges but
    /// not cross-parameter constraints (a grid point may still fix those).
    fn from_json_unconstrained(params: &Value, prefix: &str) -> Result<Self> {
        let values = normalize(Self::specs(), params, prefix)?;
        let mut typed = Self::default();
        for (name, value) in &values {
            if !typed.set(name, value) {
                return Err(CoreError::InvalidParam {
                    param: format!("{prefix}{name}"),
                    reason: format!("cannot hold {value}"),
                });
            }
        }
        Ok(typed)
    }
}

/// Declares a rule's typed parameters once: the struct (serde, with unknown
/// fields denied), its defaults, its [`ParamSpec`]s, range validation through
/// those specs, and a cross-parameter `check` returning `(param, reason)`.
macro_rules! rule_params {
    (
        $(#[$meta:meta])*
        $name:ident for $rule:ident {
            $( $field:ident : $ty:ty = $default:expr, $kind:ident ( $($range:expr),* ), $desc:literal; )*
        }
        check |$p:ident| $check:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $( #[doc = $desc] pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $name {
            /// Declared parameters: names, types, ranges, defaults, descriptions.
            #[must_use]
            pub fn specs() -> &'static [$crate::ParamSpec] {
                <Self as $crate::params::RuleParams>::specs()
            }

            /// Checks every range and cross-parameter constraint.
            ///
            /// # Errors
            /// [`CoreError::InvalidParam`](crate::CoreError::InvalidParam) naming
            /// the parameter and its valid range.
            pub fn validate(&self) -> $crate::Result<()> {
                <Self as $crate::params::RuleParams>::validate_at(self, "")
            }
        }

        impl $crate::params::RuleParams for $name {
            type Rule = $rule;

            fn specs() -> &'static [$crate::ParamSpec] {
                static SPECS: std::sync::OnceLock<Vec<$crate::ParamSpec>> = std::sync::OnceLock::new();
                SPECS.get_or_init(|| {
                    let d = Self::default();
                    vec![$( $crate::ParamSpec::$kind(
                        stringify!($field),
                        $crate::params::ParamValue::to_json(&d.$field),
                        ($($range),*),
                        $desc,
                    ), )*]
                })
            }

            fn validate_at(&self, prefix: &str) -> $crate::Result<()> {
                let specs = <Self as $crate::params::RuleParams>::specs();
                let values = [$( $crate::params::ParamValue::to_json(&self.$field) ),*];
                for (spec, value) in specs.iter().zip(&values) {
                    spec.check(value, prefix)?;
                }
                let check = |$p: &Self| -> Option<(&'static str, &'static str)> { $check };
                match check(self) {
                    Some((param, reason)) => Err($crate::params::constraint_error(prefix, param, reason)),
                    None => Ok(()),
                }
            }

            fn set(&mut self, name: &str, value: &serde_json::Value) -> bool {
                match name {
                    $( stringify!($field) => match $crate::params::ParamValue::from_checked(value) {
                        Some(v) => { self.$field = v; true }
                        None => false,
                    }, )*
                    _ => false,
                }
            }

            fn into_rule(self) -> $rule {
                $rule { params: self }
            }
        }

        impl $rule {
            /// The rule with these parameters.
            ///
            /// # Errors
            /// [`CoreError::InvalidParam`](crate::CoreError::InvalidParam) naming
            /// the parameter and its valid range, or the violated constraint.
            pub fn new(params: $name) -> $crate::Result<Self> {
                params.validate()?;
                Ok($crate::params::RuleParams::into_rule(params))
            }

            /// The rule's typed parameters.
            #[must_use]
            pub fn parameters(&self) -> &$name {
                &self.params
            }
        }
    };
}
pub(crate) use rule_params;

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
        let p = normalize(&specs(), &Value::Null, "")?;
        assert_eq!(
            Value::Object(p),
            json!({"period": 14, "k": 2.0, "kind": "sma"})
        );
        Ok(())
    }

    #[test]
    fn accepts_integral_floats_and_case_insensitive_choices() -> Result<()> {
        let p = normalize(&specs(), &json!({"period": 20.0, "kind": "EMA"}), "")?;
        assert_eq!((&p["period"], &p["kind"]), (&json!(20), &json!("ema")));
        assert!(p["period"].is_u64());
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
            match normalize(&specs(), &input, "") {
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
        assert!(normalize(&specs(), &json!([1]), "").is_err());
    }
}
