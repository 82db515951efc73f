//! The README's configuration table and the code agree: every variable signalry reads is
//! documented, and every documented variable is read.

use std::cell::RefCell;
use std::collections::BTreeSet;

/// `OTEL_...` names in the README, with `{A,B}` alternatives expanded.
fn documented() -> BTreeSet<String> {
    let readme = include_str!("../../README.md");
    let mut names = BTreeSet::new();
    for token in readme.split(|c: char| c == '`' || c.is_whitespace()) {
        let Some(start) = token.find("OTEL_") else {
            continue;
        };
        let token = &token[start..];
        let end = token
            .find(|c: char| {
                !(c.is_ascii_uppercase() || c == '_' || c == '{' || c == '}' || c == ',')
            })
            .unwrap_or(token.len());
        let token = token[..end].trim_end_matches(',');
        if token.ends_with('_') {
            continue; // `OTEL_*` in prose
        }
        match (token.find('{'), token.find('}')) {
            (Some(open), Some(close)) if open < close => {
                for alternative in token[open + 1..close].split(',') {
                    names.insert(format!(
                        "{}{alternative}{}",
                        &token[..open],
                        &token[close + 1..]
                    ));
                }
            }
            _ => {
                names.insert(token.to_owned());
            }
        }
    }
    names
}

/// Every variable the configuration reader looks up.
fn read_by_code() -> BTreeSet<String> {
    let asked = RefCell::new(BTreeSet::new());
    let _ = signalry::config::EnvConfig::from_lookup(|name| {
        asked.borrow_mut().insert(name.to_owned());
        // A ratio sampler, so that its argument is read too.
        (name == "OTEL_TRACES_SAMPLER").then(|| "traceidratio".to_owned())
    });
    asked.into_inner()
}

#[test]
fn the_configuration_table_lists_exactly_the_variables_read() {
    let documented = documented();
    let read = read_by_code();
    let undocumented: Vec<_> = read.difference(&documented).collect();
    let unread: Vec<_> = documented.difference(&read).collect();
    assert!(
        undocumented.is_empty(),
        "read but not in README.md: {undocumented:?}"
    );
    assert!(unread.is_empty(), "in README.md but never read: {unread:?}");
    assert!(read.len() >= 40, "{read:?}");
}
