//! Parameter grids prepared once, whose points are built without JSON.
//!
//! A grid is the product of its axes (a parameter name and its values) over
//! fixed base parameters. Preparing it checks the base and every axis value
//! once; a point is then the typed base with the axis fields set, so an
//! optimizer or a sweep shard builds each combination's rule in a few
//! field assignments, with no parameter map cloned per combination.

use serde_json::Value;

use crate::params::{unknown_param, RuleParams};
use crate::{Result, Rule};

/// One grid axis: a parameter name and its values.
pub(crate) type GridAxis = (String, Vec<Value>);

/// Prepares a rule type's grid over base parameters and axes.
pub(crate) type GridPreparer = fn(&Value, &[GridAxis]) -> Result<Box<dyn RuleGrid>>;

/// A prepared grid over one rule type's parameters.
pub(crate) trait RuleGrid: Send + Sync {
    /// Points in the grid: the product of the axes' lengths (1 without axes).
    fn len(&self) -> usize;

    /// The rule at point `index` (`< len()`): axes in their given order,
    /// the last varying fastest. An invalid point (an axis value out of
    /// range, a cross-parameter constraint) gives that error: the first
    /// invalid axis value in axis order, else the constraint.
    fn rule_at(&self, index: usize) -> Result<Box<dyn Rule>>;
}

/// The digit of each axis for point `index` (mixed radix, last axis fastest).
pub(crate) fn digits(index: usize, lengths: impl DoubleEndedIterator<Item = usize>) -> Vec<usize> {
    let mut rest = index;
    let mut out: Vec<usize> = lengths
        .rev()
        .map(|len| {
            let d = rest % len;
            rest /= len;
            d
        })
        .collect();
    out.reverse();
    out
}

/// A grid over a flat typed params struct.
struct TypedGrid<P> {
    base: P,
    /// Each axis's field name and values, each checked by its spec once.
    axes: Vec<(&'static str, Vec<Result<Value>>)>,
}

/// Prepares the grid of the rule configured by `P`.
pub(crate) fn typed<P: RuleParams + Send + Sync + 'static>(
    base: &Value,
    axes: &[GridAxis],
) -> Result<Box<dyn RuleGrid>> {
    let specs = P::specs();
    // Axis values override the base, so only the other base values must be valid.
    let base = match base {
        Value::Object(map) => {
            let mut rest = map.clone();
            rest.retain(|k, _| !axes.iter().any(|(name, _)| name == k));
            P::from_json_unconstrained(&Value::Object(rest), "")?
        }
        other => P::from_json_unconstrained(other, "")?,
    };
    let axes = axes
        .iter()
        .map(|(name, values)| {
            let spec = specs
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| unknown_param(specs, "", name))?;
            Ok((
                spec.name,
                values.iter().map(|v| spec.check(v, "")).collect(),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Box::new(TypedGrid { base, axes }))
}

impl<P: RuleParams + Send + Sync + 'static> RuleGrid for TypedGrid<P> {
    fn len(&self) -> usize {
        self.axes.iter().map(|(_, v)| v.len()).product()
    }

    fn rule_at(&self, index: usize) -> Result<Box<dyn Rule>> {
        let mut point = self.base.clone();
        let at = digits(index, self.axes.iter().map(|(_, v)| v.len()));
        for ((name, values), &i) in self.axes.iter().zip(&at) {
            let value = values[i].as_ref().map_err(Clone::clone)?;
            point.set(name, value);
        }
        point.validate_at("")?;
        Ok(Box::new(point.into_rule()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_mixed_radix_with_the_last_axis_fastest() {
        let lengths = [2, 3, 4];
        assert_eq!(digits(0, lengths.into_iter()), [0, 0, 0]);
        assert_eq!(digits(1, lengths.into_iter()), [0, 0, 1]);
        assert_eq!(digits(4, lengths.into_iter()), [0, 1, 0]);
        assert_eq!(digits(23, lengths.into_iter()), [1, 2, 3]);
        assert!(digits(0, std::iter::empty()).is_empty());
    }
}
