//! One metric name, one kind, unit and attribute set — across crates.
//!
//! Within a crate the macros make a second, different use of a name a compile error. Crates
//! are compiled apart, so across them the check happens here: every call site declares its
//! shape the first time it records (and every observable instrument when it is registered).
//! A name seen with two shapes is reported once on stderr, and kept for tests to assert on
//! with [`crate::testing::assert_consistent_metrics`].

use std::sync::{Mutex, PoisonError};

/// What one call site says about its instrument.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub(crate) name: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) unit: &'static str,
    /// Attribute keys written at the call site (`error.type` and observer attributes, which
    /// vary per value, are not part of the shape).
    pub(crate) keys: &'static [&'static str],
    /// Where the call site is: `module_path!()`.
    pub(crate) module: &'static str,
}

impl Shape {
    fn agrees_with(&self, other: &Shape) -> bool {
        let sorted = |keys: &[&'static str]| {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            keys
        };
        self.kind == other.kind
            && self.unit == other.unit
            && sorted(self.keys) == sorted(other.keys)
    }
}

static SEEN: Mutex<Vec<Shape>> = Mutex::new(Vec::new());
static CONFLICTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Declares a call site's shape; a disagreement with an earlier one is reported once.
pub(crate) fn declare(shape: Shape) {
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    let conflict = seen
        .iter()
        .find(|other| other.name == shape.name && !other.agrees_with(&shape))
        .map(|other| describe(other, &shape));
    if !seen.iter().any(|other| {
        other.name == shape.name && other.module == shape.module && other.agrees_with(&shape)
    }) {
        seen.push(shape);
    }
    drop(seen);
    if let Some(message) = conflict {
        let mut conflicts = CONFLICTS.lock().unwrap_or_else(PoisonError::into_inner);
        if !conflicts.contains(&message) {
            eprintln!("signalry: {message}");
            conflicts.push(message);
        }
    }
}

fn describe(first: &Shape, second: &Shape) -> String {
    let shape = |s: &Shape| {
        let unit = if s.unit.is_empty() {
            "without a unit".to_owned()
        } else {
            format!("in `{}`", s.unit)
        };
        format!(
            "a {} {unit} with attributes ({}) in `{}`",
            s.kind,
            s.keys.join(", "),
            s.module
        )
    };
    format!(
        "the metric `{}` is recorded as {} and as {}; one name has one kind, unit and attribute \
         set, or its data is ambiguous: rename one",
        first.name,
        shape(first),
        shape(second)
    )
}

/// Every disagreement seen so far, one line each.
pub(crate) fn conflicts() -> Vec<String> {
    CONFLICTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}
