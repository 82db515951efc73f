//! The instruments declared so far in the crate being compiled, so that one name used with
//! two kinds, units or attribute sets is an error at the second place.
//!
//! Every `rustc` run expands every macro of the crate in one process, so a process-wide table
//! keyed by crate and name sees them all. A long-lived macro server (an IDE's) may keep entries
//! of call sites that have since moved; an entry is keyed by its location, so a site expanded
//! again at the same place replaces its own entry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use crate::validate::InstrumentKind;

/// Where a macro was called: `file:line:column`, from the compiler.
pub(crate) type Location = String;

struct Declaration {
    kind: InstrumentKind,
    unit: String,
    keys: BTreeSet<String>,
}

type Table = BTreeMap<(String, String), BTreeMap<Location, Declaration>>;

static DECLARED: Mutex<Table> = Mutex::new(BTreeMap::new());

/// Records that `name` is used at `location` as a `kind` in `unit` with attribute `keys`; an
/// error when another place in this crate uses it differently.
pub(crate) fn declare(
    name: &str,
    kind: InstrumentKind,
    unit: &str,
    keys: BTreeSet<String>,
    location: &str,
) -> Result<(), String> {
    let krate = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let mut table = DECLARED.lock().unwrap_or_else(PoisonError::into_inner);
    let sites = table.entry((krate, name.to_owned())).or_default();
    let conflict = sites.iter().find(|(other, declared)| {
        other.as_str() != location
            && (declared.kind != kind || declared.unit != unit || declared.keys != keys)
    });
    if let Some((other, declared)) = conflict {
        return Err(format!(
            "the metric `{name}` is {} {} with attributes {} here, but {} {} with attributes {} \
             at {other}; one name has one kind, one unit and one attribute set: rename one of \
             them or make them agree",
            with_article(kind),
            unit_text(unit),
            keys_text(&keys),
            with_article(declared.kind),
            unit_text(&declared.unit),
            keys_text(&declared.keys),
        ));
    }
    sites.insert(
        location.to_owned(),
        Declaration {
            kind,
            unit: unit.to_owned(),
            keys,
        },
    );
    Ok(())
}

/// "a counter", "an observable gauge".
fn with_article(kind: InstrumentKind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

fn unit_text(unit: &str) -> String {
    if unit.is_empty() {
        "without a unit".to_owned()
    } else {
        format!("in `{unit}`")
    }
}

fn keys_text(keys: &BTreeSet<String>) -> String {
    if keys.is_empty() {
        return "(none)".to_owned();
    }
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    format!("({})", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::{declare, InstrumentKind};

    fn keys(keys: &[&str]) -> std::collections::BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn one_name_one_kind_unit_and_attribute_set() {
        let name = "declared.test.orders";
        assert!(declare(
            name,
            InstrumentKind::Counter,
            "{order}",
            keys(&["kind"]),
            "a.rs:1:1"
        )
        .is_ok());
        assert!(declare(
            name,
            InstrumentKind::Counter,
            "{order}",
            keys(&["kind"]),
            "b.rs:2:1"
        )
        .is_ok());
        // The same site expanded again may change.
        assert!(declare(
            name,
            InstrumentKind::Counter,
            "{order}",
            keys(&["kind"]),
            "a.rs:1:1"
        )
        .is_ok());
        let kind = declare(
            name,
            InstrumentKind::Histogram,
            "{order}",
            keys(&["kind"]),
            "c.rs:3:1",
        );
        assert!(kind.is_err_and(|e| e.contains("a histogram") && e.contains("a counter")));
        let unit = declare(
            name,
            InstrumentKind::Counter,
            "1",
            keys(&["kind"]),
            "c.rs:3:1",
        );
        assert!(unit.is_err());
        let attributes = declare(
            name,
            InstrumentKind::Counter,
            "{order}",
            keys(&["kind", "region"]),
            "c.rs:3:1",
        );
        assert!(attributes.is_err_and(|e| e.contains("(kind, region)") && e.contains("(kind)")));
    }
}
