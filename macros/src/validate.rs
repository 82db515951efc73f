//! Checks on names and keys shared by every macro: what OpenTelemetry would silently accept
//! and mangle, or drop, is refused here at the offending token.

use std::collections::BTreeMap;

use proc_macro2::Span;

use crate::diagnostics::Diagnostics;

/// Why `key` is not a usable attribute key, if it is not.
pub(crate) fn attribute_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("an attribute key must not be empty".to_owned());
    }
    if let Some(c) = key.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "attribute key {key:?} contains {c:?}; keys are dot-separated words such as \
             `http.request.method`"
        ));
    }
    if key.starts_with('.') || key.ends_with('.') || key.contains("..") {
        return Err(format!(
            "attribute key {key:?} has an empty segment; keys are dot-separated words such as \
             `http.request.method`"
        ));
    }
    Ok(())
}

/// Collects the attribute keys of one call site and reports each key given twice.
#[derive(Default)]
pub(crate) struct UniqueKeys {
    seen: BTreeMap<String, Span>,
}

impl UniqueKeys {
    /// Adds `key`; an invalid or repeated key is reported at `span`.
    pub(crate) fn add(&mut self, key: &str, span: Span, diagnostics: &mut Diagnostics) {
        if let Err(message) = attribute_key(key) {
            diagnostics.push(syn::Error::new(span, message));
            return;
        }
        if self.seen.contains_key(key) {
            diagnostics.push(syn::Error::new(
                span,
                format!("the attribute key `{key}` is given twice at this call site; keep one"),
            ));
            return;
        }
        self.seen.insert(key.to_owned(), span);
    }

    /// Whether `key` was added.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.seen.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::attribute_key;

    #[test]
    fn keys() {
        assert!(attribute_key("http.route").is_ok());
        assert!(attribute_key("user_id").is_ok());
        assert!(attribute_key("").is_err());
        assert!(attribute_key("a b").is_err());
        assert!(attribute_key("a..b").is_err());
        assert!(attribute_key(".a").is_err());
    }
}
