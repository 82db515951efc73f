//! The optional registry file `telemetry.yaml`: the metrics and events a crate may record, in a
//! subset of the OpenTelemetry semantic-conventions YAML. When the file is present, every name
//! used in a macro must be declared there, with the declared instrument, unit and attributes.
//!
//! Read: groups of `type: attribute_group` (reusable attributes), `type: metric`
//! (`metric_name`, `instrument`, `unit`) and `type: event` (`name`), each with `attributes`
//! (`id:` defines one, `ref:` reuses one defined in any group) and optional `extends`. Other
//! group types (span, resource, ...) and unknown keys are skipped, so a semantic-conventions
//! file can be used as it is.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use crate::validate::InstrumentKind;

/// The registry file looked for at the root of the crate being compiled.
const DEFAULT_FILE: &str = "telemetry.yaml";

/// The environment variable naming another registry file.
const REGISTRY_VAR: &str = "SIGNALRY_REGISTRY";

/// The metrics and events declared in one registry file.
pub(crate) struct Registry {
    path: PathBuf,
    metrics: BTreeMap<String, MetricDeclaration>,
    events: BTreeMap<String, EventDeclaration>,
}

struct MetricDeclaration {
    /// One of [`INSTRUMENTS`], as written in the file.
    instrument: &'static str,
    unit: String,
    attributes: Vec<AttributeDeclaration>,
}

struct EventDeclaration {
    attributes: Vec<AttributeDeclaration>,
}

/// One attribute of a metric or event, after `ref:` and `extends` are resolved.
#[derive(Clone)]
struct AttributeDeclaration {
    key: String,
    kind: AttributeType,
    required: bool,
}

/// The `type:` of an attribute.
#[derive(Clone)]
#[allow(
    dead_code,
    reason = "the types and members are kept for checking attribute values; only templates are \
              read so far"
)]
enum AttributeType {
    /// `string`, `int`, `double`, `boolean` or an array of one of them, as written.
    Primitive(String),
    /// `template[string]` and friends, with the type inside: the attribute is a family of keys
    /// `<id>.<anything>`.
    Template(String),
    /// `members:`, with the values of the members as written.
    Enum(Vec<String>),
}

impl AttributeDeclaration {
    /// Whether `key` is this attribute: the same key, or one of a template's keys.
    fn matches(&self, key: &str) -> bool {
        match self.kind {
            AttributeType::Template(_) => key
                .strip_prefix(self.key.as_str())
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.')),
            AttributeType::Primitive(_) | AttributeType::Enum(_) => key == self.key,
        }
    }
}

/// A registry file that cannot be used: unreadable, not YAML, or not the expected schema.
#[derive(Clone, Debug)]
pub(crate) struct RegistryError {
    pub(crate) path: PathBuf,
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// A use of a metric or event that the registry does not allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    UnknownMetric {
        name: String,
        suggestion: Option<String>,
    },
    WrongInstrument {
        name: String,
        /// As written in the registry.
        declared: String,
        used: InstrumentKind,
    },
    WrongUnit {
        name: String,
        declared: String,
        used: String,
    },
    UnknownAttribute {
        name: String,
        key: String,
        suggestion: Option<String>,
    },
    MissingRequiredAttribute {
        name: String,
        key: String,
    },
    /// A flattened field's prefix under which the event declares no attribute.
    UndeclaredPrefix {
        name: String,
        prefix: String,
    },
    UnknownEvent {
        name: String,
        suggestion: Option<String>,
    },
}

impl Violation {
    /// What is wrong and how to fix it, in one sentence naming the registry at `registry_path`.
    pub(crate) fn message(&self, registry_path: &Path) -> String {
        let file = registry_path.display();
        match self {
            Violation::UnknownMetric { name, suggestion } => match suggestion {
                Some(close) => format!(
                    "metric \"{name}\" is not declared in {file}; did you mean \"{close}\"?"
                ),
                None => format!(
                    "metric \"{name}\" is not declared in {file}; declare it there (a group with \
                     `type: metric` and `metric_name: {name}`), or fix the name"
                ),
            },
            Violation::WrongInstrument {
                name,
                declared,
                used,
            } => format!(
                "metric \"{name}\" is declared with `instrument: {declared}` in {file}, but is \
                 used here as {}; record it with the declared instrument, or change the \
                 declaration to `instrument: {}`",
                kind_phrase(*used),
                instrument_word(*used),
            ),
            Violation::WrongUnit {
                name,
                declared,
                used,
            } => {
                let here = if declared.is_empty() {
                    "remove `unit = ...` here".to_owned()
                } else {
                    format!("use `unit = \"{declared}\"` here")
                };
                format!(
                    "metric \"{name}\" is declared {} in {file}, but is used here {}; {here}, or \
                     change the declaration to `unit: \"{used}\"`",
                    unit_phrase(declared),
                    unit_phrase(used),
                )
            }
            Violation::UnknownAttribute {
                name,
                key,
                suggestion,
            } => match suggestion {
                Some(close) => format!(
                    "attribute \"{key}\" is not declared for \"{name}\" in {file}; did you mean \
                     \"{close}\"?"
                ),
                None => format!(
                    "attribute \"{key}\" is not declared for \"{name}\" in {file}; add it to the \
                     `attributes` of \"{name}\" there, or remove it here"
                ),
            },
            Violation::UndeclaredPrefix { name, prefix } => format!(
                "the flattened field puts its attributes under \"{prefix}.\", but \"{name}\" \
                 declares none there in {file}; declare them in its `attributes`, or rename the \
                 field to the prefix they are declared under"
            ),
            Violation::MissingRequiredAttribute { name, key } => format!(
                "attribute \"{key}\" is required for \"{name}\" by {file}, but is not given \
                 here; add `{key} = ...`, or relax its `requirement_level` there"
            ),
            Violation::UnknownEvent { name, suggestion } => match suggestion {
                Some(close) => {
                    format!("event \"{name}\" is not declared in {file}; did you mean \"{close}\"?")
                }
                None => format!(
                    "event \"{name}\" is not declared in {file}; declare it there (a group with \
                     `type: event` and `name: {name}`), or fix the name"
                ),
            },
        }
    }
}

/// The registry's `instrument:` for a kind. The semantic conventions name the data model, so a
/// synchronous kind and its observable twin share one.
fn instrument_word(kind: InstrumentKind) -> &'static str {
    match kind {
        InstrumentKind::Counter | InstrumentKind::ObservableCounter => "counter",
        InstrumentKind::UpDownCounter | InstrumentKind::ObservableUpDownCounter => "updowncounter",
        InstrumentKind::Histogram => "histogram",
        InstrumentKind::Gauge | InstrumentKind::ObservableGauge => "gauge",
    }
}

fn kind_phrase(kind: InstrumentKind) -> &'static str {
    match kind {
        InstrumentKind::Counter => "a counter",
        InstrumentKind::UpDownCounter => "an up-down counter",
        InstrumentKind::Histogram => "a histogram",
        InstrumentKind::Gauge => "a gauge",
        InstrumentKind::ObservableCounter => "an observable counter",
        InstrumentKind::ObservableUpDownCounter => "an observable up-down counter",
        InstrumentKind::ObservableGauge => "an observable gauge",
    }
}

fn unit_phrase(unit: &str) -> String {
    if unit.is_empty() {
        "without a unit".to_owned()
    } else {
        format!("with unit \"{unit}\"")
    }
}

impl Registry {
    /// Parses the registry in `text`; `path` is only for messages. Malformed YAML and schema
    /// errors are one error, with the line when known.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Registry, RegistryError> {
        let in_file = |error: SchemaError| RegistryError {
            path: path.to_owned(),
            line: error.line,
            message: error.message,
        };
        match parse_document(text).map_err(in_file)? {
            Some(root) => build(&root, path).map_err(in_file),
            None => Ok(Registry {
                path: path.to_owned(),
                metrics: BTreeMap::new(),
                events: BTreeMap::new(),
            }),
        }
    }

    /// The registry of the crate being compiled: the file `$SIGNALRY_REGISTRY` names (relative
    /// to the crate root) if set, else `telemetry.yaml` at the crate root if it exists, else
    /// none. Parsed once per file and modification time, however many macros ask.
    pub(crate) fn for_current_crate() -> Result<Option<Arc<Registry>>, RegistryError> {
        match registry_location(
            std::env::var_os(REGISTRY_VAR),
            std::env::var_os("CARGO_MANIFEST_DIR"),
        ) {
            Some(location) => load(&location),
            None => Ok(None),
        }
    }

    /// The file this registry was read from.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Everything wrong with recording metric `name` as a `kind` in `unit` with attribute
    /// `keys`.
    pub(crate) fn check_metric(
        &self,
        name: &str,
        kind: InstrumentKind,
        unit: &str,
        keys: &[&str],
    ) -> Vec<Violation> {
        let Some(metric) = self.metrics.get(name) else {
            return vec![Violation::UnknownMetric {
                name: name.to_owned(),
                suggestion: suggest(name, self.metrics.keys().map(String::as_str)),
            }];
        };
        let mut violations = Vec::new();
        if metric.instrument != instrument_word(kind) {
            violations.push(Violation::WrongInstrument {
                name: name.to_owned(),
                declared: metric.instrument.to_owned(),
                used: kind,
            });
        }
        if metric.unit != unit {
            violations.push(Violation::WrongUnit {
                name: name.to_owned(),
                declared: metric.unit.clone(),
                used: unit.to_owned(),
            });
        }
        check_attributes(name, &metric.attributes, keys, &mut violations);
        violations
    }

    /// Everything wrong with emitting event `name` with attribute `keys`.
    pub(crate) fn check_event(
        &self,
        name: &str,
        keys: &[&str],
        flattened: &[&str],
    ) -> Vec<Violation> {
        let Some(event) = self.events.get(name) else {
            return vec![Violation::UnknownEvent {
                name: name.to_owned(),
                suggestion: suggest(name, self.events.keys().map(String::as_str)),
            }];
        };
        // A flattened field gives keys under `<prefix>.` that only its own type knows: the
        // event must declare some under that prefix, and those count as given.
        let under = |prefix: &str, key: &str| {
            key.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        };
        let mut violations = Vec::new();
        let mut given: Vec<&str> = keys.to_vec();
        for prefix in flattened {
            let declared: Vec<&str> = event
                .attributes
                .iter()
                .map(|a| a.key.as_str())
                .filter(|key| under(prefix, key))
                .collect();
            if declared.is_empty() {
                violations.push(Violation::UndeclaredPrefix {
                    name: name.to_owned(),
                    prefix: (*prefix).to_owned(),
                });
            }
            given.extend(declared);
        }
        check_attributes(name, &event.attributes, &given, &mut violations);
        violations
    }
}

/// Each key not declared, then each required attribute not given.
fn check_attributes(
    name: &str,
    declared: &[AttributeDeclaration],
    keys: &[&str],
    violations: &mut Vec<Violation>,
) {
    for key in keys {
        if !declared.iter().any(|attribute| attribute.matches(key)) {
            violations.push(Violation::UnknownAttribute {
                name: name.to_owned(),
                key: (*key).to_owned(),
                suggestion: suggest(key, declared.iter().map(|a| a.key.as_str())),
            });
        }
    }
    for attribute in declared.iter().filter(|attribute| attribute.required) {
        if !keys.iter().any(|key| attribute.matches(key)) {
            violations.push(Violation::MissingRequiredAttribute {
                name: name.to_owned(),
                key: attribute.key.clone(),
            });
        }
    }
}

/// The candidate closest to `word`, when it is close enough to be a typo of it.
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_owned())
}

/// `; did you mean `close`?` for a schema error, when there is a close word.
fn did_you_mean(close: Option<String>) -> String {
    close
        .map(|close| format!("; did you mean `{close}`?"))
        .unwrap_or_default()
}

/// The Levenshtein distance: single-character insertions, deletions and substitutions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, a_char) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

// ---------------------------------------------------------------------------------------------
// Finding and caching the file.

/// Where the registry of a crate is, and whether it must exist.
#[derive(Debug, PartialEq)]
enum RegistryLocation {
    /// Named by `$SIGNALRY_REGISTRY`: a missing file is an error.
    Named(PathBuf),
    /// `telemetry.yaml` at the crate root: a missing file means no registry.
    Default(PathBuf),
}

/// The registry location from the values of `$SIGNALRY_REGISTRY` and `$CARGO_MANIFEST_DIR`.
fn registry_location(
    registry_var: Option<OsString>,
    manifest_dir: Option<OsString>,
) -> Option<RegistryLocation> {
    let manifest_dir = manifest_dir
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    match registry_var.filter(|value| !value.is_empty()) {
        Some(named) => {
            let named = PathBuf::from(named);
            Some(RegistryLocation::Named(match manifest_dir {
                Some(dir) if named.is_relative() => dir.join(named),
                _ => named,
            }))
        }
        None => manifest_dir.map(|dir| RegistryLocation::Default(dir.join(DEFAULT_FILE))),
    }
}

/// A parsed file, or why it could not be, for one modification time.
struct CachedRegistry {
    modified: Option<SystemTime>,
    result: Result<Arc<Registry>, RegistryError>,
}

/// Every `rustc` run expands all macros of a crate in one process, so each file is read once.
static CACHE: Mutex<BTreeMap<PathBuf, CachedRegistry>> = Mutex::new(BTreeMap::new());

fn load(location: &RegistryLocation) -> Result<Option<Arc<Registry>>, RegistryError> {
    let (path, named) = match location {
        RegistryLocation::Named(path) => (path, true),
        RegistryLocation::Default(path) => (path, false),
    };
    let unreadable = |error: io::Error| RegistryError {
        path: path.clone(),
        line: None,
        message: if named {
            format!(
                "cannot read this registry, named by ${REGISTRY_VAR}: {error}; fix the path or \
                 unset ${REGISTRY_VAR}"
            )
        } else {
            format!("cannot read this registry: {error}; make it readable, or remove it")
        },
    };
    let modified = match fs::metadata(path) {
        Ok(metadata) => metadata.modified().ok(),
        Err(error) if error.kind() == io::ErrorKind::NotFound && !named => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(cached) = cache.get(path) {
        if modified.is_some() && cached.modified == modified {
            return cached.result.clone().map(Some);
        }
    }
    // A read error is not cached: making the file readable does not change its time.
    let text = fs::read_to_string(path).map_err(unreadable)?;
    let result = Registry::parse(&text, path).map(Arc::new);
    cache.insert(
        path.clone(),
        CachedRegistry {
            modified,
            result: result.clone(),
        },
    );
    result.map(Some)
}

// ---------------------------------------------------------------------------------------------
// YAML with line numbers.

/// A schema error before the path is known.
struct SchemaError {
    line: Option<usize>,
    message: String,
}

impl SchemaError {
    fn at(line: usize, message: String) -> SchemaError {
        SchemaError {
            line: Some(line),
            message,
        }
    }
}

/// A YAML node and the line it starts on.
#[derive(Clone)]
struct Node {
    line: usize,
    value: Value,
}

#[derive(Clone)]
enum Value {
    Scalar { text: String, kind: ScalarKind },
    List(Vec<Node>),
    Mapping(Vec<Entry>),
}

#[derive(Clone, Copy, PartialEq)]
enum ScalarKind {
    String,
    Number,
    Boolean,
    Null,
}

#[derive(Clone)]
struct Entry {
    key: Node,
    value: Node,
}

impl Node {
    /// The text of a string scalar.
    fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar {
                text,
                kind: ScalarKind::String,
            } => Some(text),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(
            self.value,
            Value::Scalar {
                kind: ScalarKind::Null,
                ..
            }
        )
    }

    /// The value of `key`, when this is a mapping that has it.
    fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Mapping(entries) => entries.iter().find(|entry| entry.key.as_str() == Some(key)),
            _ => None,
        }
    }

    /// What this node is, for a message saying it is not what was expected.
    fn describe(&self) -> String {
        match &self.value {
            Value::Scalar { text, kind } => match kind {
                ScalarKind::String => format!("`{text}` is a string"),
                ScalarKind::Number => format!("`{text}` is a number"),
                ScalarKind::Boolean => format!("`{text}` is a boolean"),
                ScalarKind::Null => "it is empty".to_owned(),
            },
            Value::List(_) => "it is a list".to_owned(),
            Value::Mapping(_) => "it is a mapping (in YAML, an unquoted `{` starts one)".to_owned(),
        }
    }

    /// The value quoted, as the fix for a value that should have been a string.
    fn quoted(&self) -> String {
        match &self.value {
            Value::Scalar { text, .. } => format!("\"{text}\""),
            Value::Mapping(entries) => match entries.as_slice() {
                [entry] if entry.value.is_null() => match &entry.key.value {
                    Value::Scalar { text, .. } => format!("\"{{{text}}}\""),
                    _ => "\"...\"".to_owned(),
                },
                _ => "\"...\"".to_owned(),
            },
            Value::List(_) => "\"...\"".to_owned(),
        }
    }
}

/// Builds the tree of one document from the parser's events.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<OpenNode>,
    anchors: BTreeMap<usize, Node>,
    root: Option<Node>,
    documents: usize,
    error: Option<SchemaError>,
}

/// A list or mapping whose end has not been seen yet.
struct OpenNode {
    line: usize,
    anchor: usize,
    items: Vec<Node>,
    mapping: bool,
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_none() {
            if let Err(error) = self.event(event, mark) {
                self.error = Some(error);
            }
        }
    }
}

impl TreeBuilder {
    fn event(&mut self, event: Event, mark: Marker) -> Result<(), SchemaError> {
        let line = mark.line();
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(SchemaError::at(
                        line,
                        "a second YAML document starts here; the registry is one document: \
                         remove the `---` and merge the groups into one `groups:` list"
                            .to_owned(),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let kind = scalar_kind(&text, style, tag.as_ref());
                let node = Node {
                    line,
                    value: Value::Scalar { text, kind },
                };
                self.close(node, anchor)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push(OpenNode {
                    line,
                    anchor,
                    items: Vec::new(),
                    mapping: matches!(event, Event::MappingStart(..)),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.open.pop() {
                    let value = if open.mapping {
                        let mut entries = Vec::with_capacity(open.items.len() / 2);
                        let mut items = open.items.into_iter();
                        while let (Some(key), Some(value)) = (items.next(), items.next()) {
                            entries.push(Entry { key, value });
                        }
                        Value::Mapping(entries)
                    } else {
                        Value::List(open.items)
                    };
                    let node = Node {
                        line: open.line,
                        value,
                    };
                    self.close(node, open.anchor)?;
                }
            }
            Event::Alias(anchor) => {
                let node = self.anchors.get(&anchor).cloned().ok_or_else(|| {
                    SchemaError::at(line, "this alias names no anchor defined before it".into())
                })?;
                self.close(node, 0)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Adds a complete node to the list or mapping it is in.
    fn close(&mut self, node: Node, anchor: usize) -> Result<(), SchemaError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.open.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        let is_key = parent.mapping && parent.items.len() % 2 == 0;
        if is_key {
            if let Some(key) = node.as_str() {
                let earlier = parent
                    .items
                    .iter()
                    .step_by(2)
                    .find(|earlier| earlier.as_str() == Some(key));
                if let Some(earlier) = earlier {
                    return Err(SchemaError::at(
                        node.line,
                        format!(
                            "`{key}` is given twice in this mapping (also on line {}); keep one",
                            earlier.line
                        ),
                    ));
                }
            }
        }
        parent.items.push(node);
        Ok(())
    }
}

/// What a scalar is under YAML's core schema: quoted scalars and `!!str` are strings.
fn scalar_kind(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> ScalarKind {
    if style != TScalarStyle::Plain || tag.is_some_and(|tag| tag.suffix == "str") {
        return ScalarKind::String;
    }
    match Yaml::from_str(text) {
        Yaml::String(_) => ScalarKind::String,
        Yaml::Null => ScalarKind::Null,
        Yaml::Boolean(_) => ScalarKind::Boolean,
        _ => ScalarKind::Number,
    }
}

/// The root node of `text`; `None` for an empty file.
fn parse_document(text: &str) -> Result<Option<Node>, SchemaError> {
    let mut builder = TreeBuilder::default();
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|error| SchemaError {
            line: Some(error.marker().line()),
            message: format!(
                "this is not valid YAML: {} (column {})",
                error.info(),
                error.marker().col() + 1
            ),
        })?;
    match builder.error {
        Some(error) => Err(error),
        None => Ok(builder.root),
    }
}

// ---------------------------------------------------------------------------------------------
// From the tree to the registry.

/// The group types the registry reads.
const READ_TYPES: [&str; 3] = ["attribute_group", "metric", "event"];

/// Group types of the semantic conventions that the registry skips without a word.
const SKIPPED_TYPES: [&str; 6] = [
    "span",
    "resource",
    "scope",
    "entity",
    "metric_group",
    "attribute_group_template",
];

const PRIMITIVE_TYPES: [&str; 8] = [
    "string",
    "int",
    "double",
    "boolean",
    "string[]",
    "int[]",
    "double[]",
    "boolean[]",
];

/// The `instrument:` values of the semantic conventions.
const INSTRUMENTS: [&str; 4] = ["counter", "histogram", "gauge", "updowncounter"];

/// One group of a read type, before `ref:` and `extends` are resolved.
struct Group<'a> {
    id: &'a str,
    line: usize,
    signal: Signal<'a>,
    extends: Option<(&'a str, usize)>,
    attributes: Vec<GroupAttribute<'a>>,
}

enum Signal<'a> {
    /// An `attribute_group`: only a source of attributes.
    AttributesOnly,
    Metric {
        name: &'a str,
        name_line: usize,
        instrument: &'static str,
        unit: &'a str,
    },
    Event {
        name: &'a str,
        name_line: usize,
    },
}

/// An entry of a group's `attributes`.
struct GroupAttribute<'a> {
    key: &'a str,
    line: usize,
    /// `None` for a `ref:`, whose type is the definition's.
    kind: Option<AttributeType>,
    /// `None` when not given: recommended for a definition, the definition's for a `ref:`.
    required: Option<bool>,
}

/// An attribute defined with `id:`, which any group may `ref:`.
struct Definition<'a> {
    group: &'a str,
    line: usize,
    kind: AttributeType,
    required: bool,
}

fn build(root: &Node, path: &Path) -> Result<Registry, SchemaError> {
    let groups_entry = root.get("groups").ok_or_else(|| {
        let misspelt = match &root.value {
            Value::Mapping(entries) => suggest(
                "groups",
                entries.iter().filter_map(|entry| entry.key.as_str()),
            ),
            _ => None,
        };
        let message = match misspelt {
            Some(close) => {
                format!("the registry has no `groups:` list; did you mean `groups` for `{close}`?")
            }
            None => "the registry is a mapping with a `groups:` list; start the file with \
                     `groups:` and list the metrics and events under it"
                .to_owned(),
        };
        SchemaError::at(root.line, message)
    })?;
    let group_nodes: &[Node] = match &groups_entry.value.value {
        Value::List(nodes) => nodes,
        _ if groups_entry.value.is_null() => &[],
        _ => {
            return Err(SchemaError::at(
                groups_entry.key.line,
                format!(
                    "`groups` must be a list of groups (`- id: ...` lines), but {}",
                    groups_entry.value.describe()
                ),
            ))
        }
    };

    let mut groups = Vec::new();
    let mut skipped_ids = BTreeMap::new();
    for node in group_nodes {
        match read_group(node)? {
            GroupOrSkipped::Group(group) => groups.push(group),
            GroupOrSkipped::Skipped(Some((id, kind))) => {
                skipped_ids.insert(id, kind);
            }
            GroupOrSkipped::Skipped(None) => {}
        }
    }

    let mut group_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, group) in groups.iter().enumerate() {
        if let Some(earlier) = group_index.insert(group.id, index) {
            return Err(SchemaError::at(
                group.line,
                format!(
                    "group id `{}` is used twice (also on line {}); give each group its own id",
                    group.id, groups[earlier].line
                ),
            ));
        }
    }

    let definitions = definitions(&groups)?;
    let mut resolver = Resolver {
        groups: &groups,
        group_index: &group_index,
        skipped_ids: &skipped_ids,
        definitions: &definitions,
        resolved: vec![None; groups.len()],
        in_progress: vec![false; groups.len()],
    };

    // Every group, so that a bad `ref:` is reported even in a group that nothing extends.
    let resolved = (0..groups.len())
        .map(|index| resolver.resolve(index))
        .collect::<Result<Vec<_>, _>>()?;

    let mut metrics = BTreeMap::new();
    let mut events = BTreeMap::new();
    let mut name_lines: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for (group, attributes) in groups.iter().zip(resolved) {
        let (name, name_line, is_metric) = match group.signal {
            Signal::AttributesOnly => continue,
            Signal::Metric {
                name, name_line, ..
            } => (name, name_line, true),
            Signal::Event { name, name_line } => (name, name_line, false),
        };
        if let Some(earlier) = name_lines.insert((is_metric, name), name_line) {
            let (what, key) = if is_metric {
                ("metric", "metric_name")
            } else {
                ("event", "name")
            };
            return Err(SchemaError::at(
                name_line,
                format!(
                    "{what} `{name}` is declared twice (`{key}: {name}` also on line \
                     {earlier}); keep one group for it"
                ),
            ));
        }
        match group.signal {
            Signal::AttributesOnly => {}
            Signal::Metric {
                instrument, unit, ..
            } => {
                metrics.insert(
                    name.to_owned(),
                    MetricDeclaration {
                        instrument,
                        unit: unit.to_owned(),
                        attributes,
                    },
                );
            }
            Signal::Event { .. } => {
                events.insert(name.to_owned(), EventDeclaration { attributes });
            }
        }
    }
    Ok(Registry {
        path: path.to_owned(),
        metrics,
        events,
    })
}

enum GroupOrSkipped<'a> {
    Group(Group<'a>),
    /// A group of another type, with its id and type when it has them.
    Skipped(Option<(&'a str, &'a str)>),
}

fn read_group(node: &Node) -> Result<GroupOrSkipped<'_>, SchemaError> {
    if !matches!(node.value, Value::Mapping(_)) {
        return Err(SchemaError::at(
            node.line,
            format!(
                "each entry of `groups` is a mapping starting with `- id: ...`, but {}",
                node.describe()
            ),
        ));
    }
    // The semantic conventions' default type is `span`.
    let group_type = node
        .get("type")
        .and_then(|entry| entry.value.as_str())
        .unwrap_or("span");
    if !READ_TYPES.contains(&group_type) {
        if !SKIPPED_TYPES.contains(&group_type) {
            if let Some(close) = suggest(group_type, READ_TYPES) {
                let line = node.get("type").map_or(node.line, |entry| entry.key.line);
                return Err(SchemaError::at(
                    line,
                    format!(
                        "unknown group type `{group_type}`: signalry reads attribute_group, \
                         metric and event groups, and skips the others; did you mean `{close}`?"
                    ),
                ));
            }
        }
        let id = node.get("id").and_then(|entry| entry.value.as_str());
        return Ok(GroupOrSkipped::Skipped(id.map(|id| (id, group_type))));
    }

    let owner = || "this group".to_owned();
    let (id, _) = required_string(
        node,
        "id",
        &owner,
        "a unique id such as `metric.orders.created`",
    )?;
    let owner = || format!("group `{id}`");
    let signal = match group_type {
        "metric" => {
            let (name, name_line) = required_string(
                node,
                "metric_name",
                &owner,
                "the name used in the code, such as `orders.created`",
            )?;
            let (instrument_text, instrument_line) = required_string(
                node,
                "instrument",
                &owner,
                "one of counter, histogram, gauge, updowncounter",
            )?;
            let instrument = INSTRUMENTS
                .into_iter()
                .find(|word| *word == instrument_text)
                .ok_or_else(|| {
                    let close = did_you_mean(suggest(instrument_text, INSTRUMENTS));
                    SchemaError::at(
                        instrument_line,
                        format!(
                            "unknown instrument `{instrument_text}` in group `{id}`; the \
                             instruments are counter, histogram, gauge and updowncounter{close}"
                        ),
                    )
                })?;
            let (unit, _) = required_string(
                node,
                "unit",
                &owner,
                "the unit used in the code, such as `\"s\"` or `\"{order}\"` (`\"\"` for none)",
            )?;
            Signal::Metric {
                name,
                name_line,
                instrument,
                unit,
            }
        }
        "event" => {
            let (name, name_line) = required_string(
                node,
                "name",
                &owner,
                "the event name used in the code, such as `order.failed`",
            )?;
            Signal::Event { name, name_line }
        }
        _ => Signal::AttributesOnly,
    };
    let extends = optional_string(node, "extends", &owner)?;
    let attributes = match node.get("attributes") {
        None => Vec::new(),
        Some(entry) => match &entry.value.value {
            Value::List(items) => items
                .iter()
                .map(|item| read_attribute(item, id))
                .collect::<Result<_, _>>()?,
            _ if entry.value.is_null() => Vec::new(),
            _ => {
                return Err(SchemaError::at(
                    entry.key.line,
                    format!(
                        "`attributes` of group `{id}` must be a list (`- ref: ...` or \
                         `- id: ...` lines), but {}",
                        entry.value.describe()
                    ),
                ))
            }
        },
    };
    Ok(GroupOrSkipped::Group(Group {
        id,
        line: node.line,
        signal,
        extends,
        attributes,
    }))
}

/// The string value of `key`, if the mapping has it.
fn optional_string<'a>(
    node: &'a Node,
    key: &str,
    owner: &dyn Fn() -> String,
) -> Result<Option<(&'a str, usize)>, SchemaError> {
    let Some(entry) = node.get(key) else {
        return Ok(None);
    };
    match entry.value.as_str() {
        Some(text) => Ok(Some((text, entry.key.line))),
        None => Err(SchemaError::at(
            entry.key.line,
            format!(
                "`{key}` of {} must be a string, but {}; write `{key}: {}`",
                owner(),
                entry.value.describe(),
                entry.value.quoted()
            ),
        )),
    }
}

/// The string value of `key`, which the mapping must have; `expected` says what to write.
fn required_string<'a>(
    node: &'a Node,
    key: &str,
    owner: &dyn Fn() -> String,
    expected: &str,
) -> Result<(&'a str, usize), SchemaError> {
    optional_string(node, key, owner)?.ok_or_else(|| {
        SchemaError::at(
            node.line,
            format!("{} has no `{key}`; add `{key}:` with {expected}", owner()),
        )
    })
}

fn read_attribute<'a>(node: &'a Node, group: &str) -> Result<GroupAttribute<'a>, SchemaError> {
    let id = node.get("id");
    let reference = node.get("ref");
    let owner = || format!("an attribute of group `{group}`");
    let (key, kind) = match (id, reference) {
        (Some(_), None) => {
            let (key, _) = required_string(node, "id", &owner, "the attribute key")?;
            let owner = || format!("attribute `{key}`");
            let entry = node.get("type").ok_or_else(|| {
                SchemaError::at(
                    node.line,
                    format!(
                        "attribute `{key}` has no `type`; add `type:` with one of {}, or an \
                         enum (`members:`)",
                        PRIMITIVE_TYPES.join(", ")
                    ),
                )
            })?;
            let kind = attribute_type(&entry.value, entry.key.line, &owner)?;
            (key, Some(kind))
        }
        (None, Some(_)) => {
            let (key, _) = required_string(node, "ref", &owner, "the attribute key")?;
            (key, None)
        }
        (Some(_), Some(_)) => {
            return Err(SchemaError::at(
                node.line,
                format!(
                    "{} has both `id` and `ref`; use `id:` to define an attribute here, or \
                     `ref:` to use one defined elsewhere",
                    owner()
                ),
            ))
        }
        (None, None) => {
            return Err(SchemaError::at(
                node.line,
                format!(
                    "{} has neither `id` nor `ref`; use `id:` to define an attribute here, or \
                     `ref:` to use one defined elsewhere",
                    owner()
                ),
            ))
        }
    };
    let required = match node.get("requirement_level") {
        Some(entry) => Some(requirement(&entry.value, entry.key.line, key)?),
        None => None,
    };
    Ok(GroupAttribute {
        key,
        line: node.line,
        kind,
        required,
    })
}

fn attribute_type(
    node: &Node,
    line: usize,
    owner: &dyn Fn() -> String,
) -> Result<AttributeType, SchemaError> {
    if let Some(text) = node.as_str() {
        if PRIMITIVE_TYPES.contains(&text) {
            return Ok(AttributeType::Primitive(text.to_owned()));
        }
        let template = text
            .strip_prefix("template[")
            .and_then(|rest| rest.strip_suffix(']'));
        if let Some(inner) = template.filter(|inner| PRIMITIVE_TYPES.contains(inner)) {
            return Ok(AttributeType::Template(inner.to_owned()));
        }
        let close = did_you_mean(suggest(text, PRIMITIVE_TYPES));
        return Err(SchemaError::at(
            line,
            format!(
                "unknown type `{text}` of {}; the types are {}, `template[<type>]`, or an enum \
                 (`members:`){close}",
                owner(),
                PRIMITIVE_TYPES.join(", ")
            ),
        ));
    }
    let members = match node.get("members") {
        Some(Entry {
            value:
                Node {
                    value: Value::List(members),
                    ..
                },
            ..
        }) if !members.is_empty() => members,
        _ => {
            return Err(SchemaError::at(
                line,
                format!(
                    "the `type` of {} must be one of {}, or an enum with a `members:` list, but \
                     {}",
                    owner(),
                    PRIMITIVE_TYPES.join(", "),
                    node.describe()
                ),
            ))
        }
    };
    members
        .iter()
        .map(
            |member| match member.get("value").map(|entry| &entry.value.value) {
                Some(Value::Scalar { text, kind }) if *kind != ScalarKind::Null => Ok(text.clone()),
                _ => Err(SchemaError::at(
                    member.line,
                    format!(
                        "each member of the enum {} needs a `value:` (`- id: air` then \
                     `value: \"air\"`)",
                        owner()
                    ),
                )),
            },
        )
        .collect::<Result<_, _>>()
        .map(AttributeType::Enum)
}

/// Whether a `requirement_level` makes the attribute required.
fn requirement(node: &Node, line: usize, key: &str) -> Result<bool, SchemaError> {
    const LEVELS: [&str; 4] = [
        "required",
        "recommended",
        "opt_in",
        "conditionally_required",
    ];
    // `conditionally_required: <when>` and `recommended: <when>` carry the condition as text.
    let level = match &node.value {
        Value::Mapping(entries) => match entries.as_slice() {
            [entry] => entry.key.as_str(),
            _ => None,
        }
        .filter(|level| matches!(*level, "conditionally_required" | "recommended")),
        _ => node.as_str(),
    };
    match level {
        Some("required") => Ok(true),
        Some(level) if LEVELS.contains(&level) => Ok(false),
        Some(level) => {
            let close = did_you_mean(suggest(level, LEVELS));
            Err(SchemaError::at(
                line,
                format!(
                    "unknown requirement_level `{level}` of attribute `{key}`; the levels are \
                     required, recommended, opt_in and `conditionally_required: <when>`{close}"
                ),
            ))
        }
        None => Err(SchemaError::at(
            line,
            format!(
                "the requirement_level of attribute `{key}` must be required, recommended, \
                 opt_in or `conditionally_required: <when>`, but {}",
                node.describe()
            ),
        )),
    }
}

/// Every attribute defined with `id:`, in any group.
fn definitions<'a>(groups: &[Group<'a>]) -> Result<BTreeMap<&'a str, Definition<'a>>, SchemaError> {
    let mut definitions: BTreeMap<&str, Definition<'_>> = BTreeMap::new();
    for group in groups {
        for attribute in &group.attributes {
            let Some(kind) = &attribute.kind else {
                continue;
            };
            if let Some(earlier) = definitions.get(attribute.key) {
                return Err(SchemaError::at(
                    attribute.line,
                    format!(
                        "attribute `{}` is defined twice (also in group `{}` on line {}); \
                         define it once and use `ref: {}` elsewhere",
                        attribute.key, earlier.group, earlier.line, attribute.key
                    ),
                ));
            }
            definitions.insert(
                attribute.key,
                Definition {
                    group: group.id,
                    line: attribute.line,
                    kind: kind.clone(),
                    required: attribute.required.unwrap_or(false),
                },
            );
        }
    }
    Ok(definitions)
}

/// Resolves each group's attributes: its `extends` first, then its own, which override
/// inherited ones of the same key.
struct Resolver<'g, 'a> {
    groups: &'g [Group<'a>],
    group_index: &'g BTreeMap<&'a str, usize>,
    skipped_ids: &'g BTreeMap<&'a str, &'a str>,
    definitions: &'g BTreeMap<&'a str, Definition<'a>>,
    resolved: Vec<Option<Vec<AttributeDeclaration>>>,
    in_progress: Vec<bool>,
}

impl Resolver<'_, '_> {
    fn resolve(&mut self, index: usize) -> Result<Vec<AttributeDeclaration>, SchemaError> {
        if let Some(Some(done)) = self.resolved.get(index) {
            return Ok(done.clone());
        }
        let group = &self.groups[index];
        self.in_progress[index] = true;
        let mut attributes = match group.extends {
            Some((parent, line)) => {
                let parent_index = self.extended(group.id, parent, line)?;
                self.resolve(parent_index)?
            }
            None => Vec::new(),
        };
        let mut own_lines: BTreeMap<&str, usize> = BTreeMap::new();
        for attribute in &group.attributes {
            if let Some(earlier) = own_lines.insert(attribute.key, attribute.line) {
                return Err(SchemaError::at(
                    attribute.line,
                    format!(
                        "attribute `{}` is listed twice in group `{}` (also on line {earlier}); \
                         keep one",
                        attribute.key, group.id
                    ),
                ));
            }
            let declaration = self.declaration(attribute)?;
            match attributes.iter_mut().find(|a| a.key == declaration.key) {
                Some(inherited) => *inherited = declaration,
                None => attributes.push(declaration),
            }
        }
        self.in_progress[index] = false;
        self.resolved[index] = Some(attributes.clone());
        Ok(attributes)
    }

    /// The index of the group that `child` extends, which must be read and not `child` itself.
    fn extended(&self, child: &str, parent: &str, line: usize) -> Result<usize, SchemaError> {
        if let Some(&index) = self.group_index.get(parent) {
            if self.in_progress[index] {
                let message = if child == parent {
                    format!("group `{child}` extends itself; remove its `extends`")
                } else {
                    format!(
                        "group `{child}` extends `{parent}`, which leads back to `{child}` \
                         through its own `extends`; remove one `extends` of the cycle"
                    )
                };
                return Err(SchemaError::at(line, message));
            }
            return Ok(index);
        }
        let message = match self.skipped_ids.get(parent) {
            Some(kind) => format!(
                "group `{child}` extends `{parent}`, a `{kind}` group, which signalry does not \
                 read; move the shared attributes into a `type: attribute_group`"
            ),
            None => match suggest(parent, self.group_index.keys().copied()) {
                Some(close) => format!(
                    "group `{child}` extends `{parent}`, which is not a group id in this file; \
                     did you mean `{close}`?"
                ),
                None => format!(
                    "group `{child}` extends `{parent}`, which is not a group id in this file; \
                     fix the id or define that attribute_group"
                ),
            },
        };
        Err(SchemaError::at(line, message))
    }

    fn declaration(
        &self,
        attribute: &GroupAttribute<'_>,
    ) -> Result<AttributeDeclaration, SchemaError> {
        if let Some(kind) = &attribute.kind {
            return Ok(AttributeDeclaration {
                key: attribute.key.to_owned(),
                kind: kind.clone(),
                required: attribute.required.unwrap_or(false),
            });
        }
        let Some(definition) = self.definitions.get(attribute.key) else {
            let hint = match suggest(attribute.key, self.definitions.keys().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "define it with `id: {}` and a `type` in an attribute_group",
                    attribute.key
                ),
            };
            return Err(SchemaError::at(
                attribute.line,
                format!(
                    "`ref: {}` refers to an attribute that no group defines; {hint}",
                    attribute.key
                ),
            ));
        };
        Ok(AttributeDeclaration {
            key: attribute.key.to_owned(),
            kind: definition.kind.clone(),
            required: attribute.required.unwrap_or(definition.required),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"groups:
  - id: attributes.order
    type: attribute_group
    brief: Order attributes.
    attributes:
      - id: order.kind
        type: string
        brief: How the order is shipped.
        requirement_level: required
  - id: metric.orders.created
    type: metric
    metric_name: orders.created
    instrument: counter
    unit: "{order}"
    brief: Orders accepted.
    extends: attributes.order
    attributes:
      - ref: order.kind
        requirement_level: required
      - id: payment.method
        type: string
        requirement_level: recommended
  - id: event.order.failed
    type: event
    name: order.failed
    brief: An order could not be completed.
    attributes:
      - ref: order.kind
"#;

    fn file() -> &'static Path {
        Path::new("telemetry.yaml")
    }

    fn parse(text: &str) -> Registry {
        match Registry::parse(text, file()) {
            Ok(registry) => registry,
            Err(error) => panic!("expected the registry to parse, got: {error}"),
        }
    }

    fn error(text: &str) -> RegistryError {
        match Registry::parse(text, file()) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error,
        }
    }

    /// The error's line and message, asserting the message mentions every one of `parts`.
    fn assert_error(text: &str, line: usize, parts: &[&str]) {
        let error = error(text);
        assert_eq!(error.line, Some(line), "{error}");
        for part in parts {
            assert!(error.message.contains(part), "{part:?} not in: {error}");
        }
    }

    fn messages(violations: &[Violation]) -> Vec<String> {
        violations
            .iter()
            .map(|violation| violation.message(file()))
            .collect()
    }

    fn metric(registry: &Registry, name: &str, unit: &str, keys: &[&str]) -> Vec<String> {
        messages(&registry.check_metric(name, InstrumentKind::Counter, unit, keys))
    }

    // --- The example --------------------------------------------------------------------------

    #[test]
    fn the_example_parses_and_allows_its_own_uses() {
        let registry = parse(EXAMPLE);
        assert_eq!(registry.path(), file());
        assert!(metric(&registry, "orders.created", "{order}", &["order.kind"]).is_empty());
        assert!(metric(
            &registry,
            "orders.created",
            "{order}",
            &["payment.method", "order.kind"]
        )
        .is_empty());
        assert!(registry
            .check_event("order.failed", &["order.kind"], &[])
            .is_empty());
    }

    #[test]
    fn the_example_keeps_types_and_requirements() {
        let registry = parse(EXAMPLE);
        let attributes = &registry.metrics["orders.created"].attributes;
        let summary: Vec<(&str, &str, bool)> = attributes
            .iter()
            .map(|a| match &a.kind {
                AttributeType::Primitive(text) => (a.key.as_str(), text.as_str(), a.required),
                _ => (a.key.as_str(), "other", a.required),
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("order.kind", "string", true),
                ("payment.method", "string", false)
            ]
        );
        assert_eq!(registry.metrics["orders.created"].instrument, "counter");
    }

    // --- Violations ---------------------------------------------------------------------------

    #[test]
    fn an_unknown_metric_gets_the_closest_name() {
        let registry = parse(EXAMPLE);
        let violations =
            registry.check_metric("orders.craeted", InstrumentKind::Counter, "{order}", &[]);
        assert!(matches!(
            violations.as_slice(),
            [Violation::UnknownMetric { name, suggestion: Some(close) }]
                if name == "orders.craeted" && close == "orders.created"
        ));
        assert_eq!(
            messages(&violations),
            [
                r#"metric "orders.craeted" is not declared in telemetry.yaml; did you mean "orders.created"?"#
            ]
        );
    }

    #[test]
    fn an_unknown_metric_far_from_every_name_says_how_to_declare_it() {
        let registry = parse(EXAMPLE);
        let violations =
            registry.check_metric("payments.refunded", InstrumentKind::Counter, "", &[]);
        assert!(matches!(
            violations.as_slice(),
            [Violation::UnknownMetric {
                suggestion: None,
                ..
            }]
        ));
        assert_eq!(
            messages(&violations),
            [
                "metric \"payments.refunded\" is not declared in telemetry.yaml; declare it \
                 there (a group with `type: metric` and `metric_name: payments.refunded`), or \
                 fix the name"
            ]
        );
    }

    #[test]
    fn a_metric_used_as_another_instrument_is_reported_with_both() {
        let registry = parse(EXAMPLE);
        let violations = registry.check_metric(
            "orders.created",
            InstrumentKind::UpDownCounter,
            "{order}",
            &["order.kind"],
        );
        assert!(matches!(
            violations.as_slice(),
            [Violation::WrongInstrument { declared, used: InstrumentKind::UpDownCounter, .. }]
                if declared == "counter"
        ));
        assert_eq!(
            messages(&violations),
            [
                "metric \"orders.created\" is declared with `instrument: counter` in \
                 telemetry.yaml, but is used here as an up-down counter; record it with the \
                 declared instrument, or change the declaration to `instrument: updowncounter`"
            ]
        );
    }

    #[test]
    fn every_instrument_matches_its_kind_only() {
        let text = r#"groups:
  - {id: a, type: metric, metric_name: a, instrument: counter, unit: ""}
  - {id: b, type: metric, metric_name: b, instrument: histogram, unit: ""}
  - {id: c, type: metric, metric_name: c, instrument: gauge, unit: ""}
  - {id: d, type: metric, metric_name: d, instrument: updowncounter, unit: ""}
"#;
        let registry = parse(text);
        // The semantic conventions name the data model: an observable kind matches too.
        let kinds = [
            ("a", InstrumentKind::Counter),
            ("a", InstrumentKind::ObservableCounter),
            ("b", InstrumentKind::Histogram),
            ("c", InstrumentKind::Gauge),
            ("c", InstrumentKind::ObservableGauge),
            ("d", InstrumentKind::UpDownCounter),
            ("d", InstrumentKind::ObservableUpDownCounter),
        ];
        for (name, _) in kinds {
            for (declared_for, used) in kinds {
                let violations = registry.check_metric(name, used, "", &[]);
                assert_eq!(
                    violations.is_empty(),
                    name == declared_for,
                    "{name} used as {}",
                    used.as_str()
                );
            }
        }
        assert_eq!(
            messages(&registry.check_metric("b", InstrumentKind::ObservableGauge, "", &[])),
            [
                "metric \"b\" is declared with `instrument: histogram` in telemetry.yaml, but is \
                 used here as an observable gauge; record it with the declared instrument, or \
                 change the declaration to `instrument: gauge`"
            ]
        );
    }

    #[test]
    fn a_metric_in_another_unit_is_reported_with_both() {
        let registry = parse(EXAMPLE);
        let violations = registry.check_metric(
            "orders.created",
            InstrumentKind::Counter,
            "",
            &["order.kind"],
        );
        assert!(matches!(
            violations.as_slice(),
            [Violation::WrongUnit { declared, used, .. }] if declared == "{order}" && used.is_empty()
        ));
        assert_eq!(
            messages(&violations),
            [
                "metric \"orders.created\" is declared with unit \"{order}\" in telemetry.yaml, \
                 but is used here without a unit; use `unit = \"{order}\"` here, or change \
                 the declaration to `unit: \"\"`"
            ]
        );
        let unitless = parse(
            "groups:\n  - {id: m, type: metric, metric_name: m, instrument: gauge, unit: \"\"}\n",
        );
        assert_eq!(
            messages(&unitless.check_metric("m", InstrumentKind::Gauge, "By", &[])),
            [
                "metric \"m\" is declared without a unit in telemetry.yaml, but is used here \
                 with unit \"By\"; remove `unit = ...` here, or change the declaration to \
                 `unit: \"By\"`"
            ]
        );
    }

    #[test]
    fn an_unknown_attribute_gets_the_closest_declared_key() {
        let registry = parse(EXAMPLE);
        let violations = registry.check_metric(
            "orders.created",
            InstrumentKind::Counter,
            "{order}",
            &["order.kind", "payment.methd", "customer.tier"],
        );
        assert!(matches!(
            violations.as_slice(),
            [
                Violation::UnknownAttribute { key: first, suggestion: Some(close), .. },
                Violation::UnknownAttribute { key: second, suggestion: None, .. },
            ] if first == "payment.methd" && close == "payment.method" && second == "customer.tier"
        ));
        assert_eq!(
            messages(&violations),
            [
                "attribute \"payment.methd\" is not declared for \"orders.created\" in \
                 telemetry.yaml; did you mean \"payment.method\"?",
                "attribute \"customer.tier\" is not declared for \"orders.created\" in \
                 telemetry.yaml; add it to the `attributes` of \"orders.created\" there, or \
                 remove it here",
            ]
        );
    }

    #[test]
    fn a_missing_required_attribute_is_reported_and_a_recommended_one_is_not() {
        let registry = parse(EXAMPLE);
        let violations =
            registry.check_metric("orders.created", InstrumentKind::Counter, "{order}", &[]);
        assert!(matches!(
            violations.as_slice(),
            [Violation::MissingRequiredAttribute { name, key }]
                if name == "orders.created" && key == "order.kind"
        ));
        assert_eq!(
            messages(&violations),
            [
                "attribute \"order.kind\" is required for \"orders.created\" by telemetry.yaml, \
                 but is not given here; add `order.kind = ...`, or relax its \
                 `requirement_level` there"
            ]
        );
    }

    #[test]
    fn every_violation_of_one_use_is_reported_at_once() {
        let registry = parse(EXAMPLE);
        let violations =
            registry.check_metric("orders.created", InstrumentKind::Histogram, "s", &["shop"]);
        assert!(matches!(
            violations.as_slice(),
            [
                Violation::WrongInstrument { .. },
                Violation::WrongUnit { .. },
                Violation::UnknownAttribute { .. },
                Violation::MissingRequiredAttribute { .. },
            ]
        ));
    }

    #[test]
    fn an_unknown_event_gets_the_closest_name() {
        let registry = parse(EXAMPLE);
        let violations = registry.check_event("order.faild", &["order.kind"], &[]);
        assert!(matches!(
            violations.as_slice(),
            [Violation::UnknownEvent { name, suggestion: Some(close) }]
                if name == "order.faild" && close == "order.failed"
        ));
        assert_eq!(
            messages(&violations),
            [
                r#"event "order.faild" is not declared in telemetry.yaml; did you mean "order.failed"?"#
            ]
        );
        let far = registry.check_event("cart.abandoned", &[], &[]);
        assert_eq!(
            messages(&far),
            [
                "event \"cart.abandoned\" is not declared in telemetry.yaml; declare it there \
                 (a group with `type: event` and `name: cart.abandoned`), or fix the name"
            ]
        );
    }

    #[test]
    fn metrics_and_events_are_separate_namespaces() {
        let registry = parse(EXAMPLE);
        assert!(matches!(
            registry.check_event("orders.created", &[], &[]).as_slice(),
            [Violation::UnknownEvent { .. }]
        ));
        assert!(matches!(
            registry
                .check_metric("order.failed", InstrumentKind::Counter, "", &[])
                .as_slice(),
            [Violation::UnknownMetric { .. }]
        ));
    }

    #[test]
    fn event_attributes_are_checked_like_metric_attributes() {
        let registry = parse(EXAMPLE);
        // `ref: order.kind` inherits `required` from the definition.
        let violations = registry.check_event("order.failed", &["order.knd"], &[]);
        assert!(matches!(
            violations.as_slice(),
            [
                Violation::UnknownAttribute { name, suggestion: Some(close), .. },
                Violation::MissingRequiredAttribute { key, .. },
            ] if name == "order.failed" && close == "order.kind" && key == "order.kind"
        ));
    }

    #[test]
    fn the_path_in_messages_is_the_one_given() {
        let violation = Violation::UnknownMetric {
            name: "x".into(),
            suggestion: Some("y".into()),
        };
        assert_eq!(
            violation.message(Path::new("/crate/telemetry.yaml")),
            r#"metric "x" is not declared in /crate/telemetry.yaml; did you mean "y"?"#
        );
    }

    // --- Attributes: ref, extends, overrides, types -------------------------------------------

    const LAYERED: &str = r#"groups:
  - id: attributes.common
    type: attribute_group
    attributes:
      - id: region
        type: string
      - id: tenant
        type: string
        requirement_level: required
  - id: attributes.http
    type: attribute_group
    extends: attributes.common
    attributes:
      - id: http.route
        type: string
        requirement_level:
          conditionally_required: when the route is known
      - ref: tenant
        requirement_level: opt_in
  - id: metric.requests
    type: metric
    metric_name: http.requests
    instrument: histogram
    unit: s
    extends: attributes.http
    attributes:
      - ref: region
        requirement_level: required
  - id: metric.plain
    type: metric
    metric_name: plain
    instrument: gauge
    unit: "1"
    attributes:
      - ref: tenant
"#;

    fn declared(registry: &Registry, name: &str) -> Vec<(String, bool)> {
        registry.metrics[name]
            .attributes
            .iter()
            .map(|a| (a.key.clone(), a.required))
            .collect()
    }

    #[test]
    fn extends_inherits_through_a_chain_and_own_attributes_override() {
        let registry = parse(LAYERED);
        assert_eq!(
            declared(&registry, "http.requests"),
            [
                ("region".to_owned(), true),
                ("tenant".to_owned(), false),
                ("http.route".to_owned(), false),
            ]
        );
        let violations = registry.check_metric(
            "http.requests",
            InstrumentKind::Histogram,
            "s",
            &["tenant", "http.route"],
        );
        assert!(matches!(
            violations.as_slice(),
            [Violation::MissingRequiredAttribute { key, .. }] if key == "region"
        ));
    }

    #[test]
    fn a_ref_takes_the_definitions_requirement_unless_it_overrides_it() {
        let registry = parse(LAYERED);
        assert_eq!(declared(&registry, "plain"), [("tenant".to_owned(), true)]);
    }

    #[test]
    fn a_ref_may_use_an_attribute_defined_inline_in_a_metric() {
        let text = r#"groups:
  - id: metric.a
    type: metric
    metric_name: a
    instrument: counter
    unit: "1"
    attributes:
      - id: shared.key
        type: int
        requirement_level: required
  - id: event.b
    type: event
    name: b
    attributes:
      - ref: shared.key
"#;
        let registry = parse(text);
        assert!(matches!(
            registry.check_event("b", &[], &[]).as_slice(),
            [Violation::MissingRequiredAttribute { key, .. }] if key == "shared.key"
        ));
    }

    #[test]
    fn an_event_may_extend_an_attribute_group() {
        let text = r#"groups:
  - id: attributes.order
    type: attribute_group
    attributes:
      - id: order.kind
        type: string
  - id: event.order.failed
    type: event
    name: order.failed
    extends: attributes.order
"#;
        let registry = parse(text);
        assert!(registry
            .check_event("order.failed", &["order.kind"], &[])
            .is_empty());
    }

    #[test]
    fn a_flattened_prefix_covers_the_attributes_declared_under_it() {
        let text = r#"groups:
  - id: event.request.done
    type: event
    name: request.done
    attributes:
      - id: outcome
        type: string
        requirement_level: required
      - id: http.method
        type: string
        requirement_level: required
"#;
        let registry = parse(text);
        assert!(registry
            .check_event("request.done", &["outcome"], &["http"])
            .is_empty());
        assert!(matches!(
            registry.check_event("request.done", &["outcome"], &[]).as_slice(),
            [Violation::MissingRequiredAttribute { key, .. }] if key == "http.method"
        ));
        assert!(matches!(
            registry.check_event("request.done", &["outcome", "http.method"], &["db"]).as_slice(),
            [Violation::UndeclaredPrefix { prefix, .. }] if prefix == "db"
        ));
    }

    #[test]
    fn enum_and_template_types_are_read() {
        let text = r#"groups:
  - id: attributes.shipping
    type: attribute_group
    attributes:
      - id: shipping.mode
        type:
          members:
            - id: air
              value: "air"
            - id: code
              value: 7
      - id: http.request.header
        type: template[string[]]
  - id: metric.shipments
    type: metric
    metric_name: shipments
    instrument: counter
    unit: "{shipment}"
    extends: attributes.shipping
"#;
        let registry = parse(text);
        let kinds: Vec<String> = registry.metrics["shipments"]
            .attributes
            .iter()
            .map(|a| match &a.kind {
                AttributeType::Primitive(text) => text.clone(),
                AttributeType::Template(inner) => format!("template of {inner}"),
                AttributeType::Enum(members) => members.join("|"),
            })
            .collect();
        assert_eq!(kinds, ["air|7", "template of string[]"]);
        let check = |keys: &[&str]| {
            registry.check_metric("shipments", InstrumentKind::Counter, "{shipment}", keys)
        };
        assert!(check(&["shipping.mode", "http.request.header.content_type"]).is_empty());
        // The template itself is not a key, nor is a key that only shares its prefix.
        assert_eq!(check(&["http.request.header"]).len(), 1);
        assert_eq!(check(&["http.request.headers"]).len(), 1);
        assert_eq!(check(&["http.request.header."]).len(), 1);
    }

    #[test]
    fn every_requirement_level_form_is_read() {
        let text = r#"groups:
  - id: attributes.all
    type: attribute_group
    attributes:
      - {id: a, type: string, requirement_level: required}
      - {id: b, type: string, requirement_level: recommended}
      - {id: c, type: string, requirement_level: opt_in}
      - {id: d, type: string, requirement_level: conditionally_required}
      - {id: e, type: string, requirement_level: {conditionally_required: when e}}
      - {id: f, type: string, requirement_level: {recommended: when f}}
      - {id: g, type: string}
  - {id: m, type: metric, metric_name: m, instrument: counter, unit: "", extends: attributes.all}
"#;
        let registry = parse(text);
        let required: Vec<(String, bool)> = declared(&registry, "m");
        assert_eq!(
            required,
            ["a", "b", "c", "d", "e", "f", "g"].map(|key| (key.to_owned(), key == "a"))
        );
    }

    #[test]
    fn other_group_types_and_unknown_keys_are_skipped() {
        let text = r#"groups:
  - id: span.checkout
    type: span
    span_kind: server
    attributes:
      - ref: not.defined.anywhere
  - id: registry.resource
    type: resource
    anything: [1, 2]
  - id: no.type.means.span
    attributes:
      - ref: also.not.defined
  - id: metric.a
    type: metric
    metric_name: a
    instrument: counter
    unit: "1"
    stability: stable
    note: |
      Free text.
"#;
        let registry = parse(text);
        assert!(registry
            .check_metric("a", InstrumentKind::Counter, "1", &[])
            .is_empty());
    }

    #[test]
    fn anchors_and_aliases_are_followed() {
        let text = r#"groups:
  - id: metric.a
    type: metric
    metric_name: a
    instrument: counter
    unit: &unit "{order}"
    attributes: &common
      - id: k
        type: string
  - id: event.b
    type: event
    name: b
    brief: *unit
"#;
        let registry = parse(text);
        assert!(registry
            .check_metric("a", InstrumentKind::Counter, "{order}", &["k"])
            .is_empty());
    }

    #[test]
    fn an_empty_file_declares_nothing() {
        for text in ["", "# only a comment\n", "groups:\n", "groups: []\n"] {
            let registry = parse(text);
            assert!(matches!(
                registry
                    .check_metric("a", InstrumentKind::Counter, "", &[])
                    .as_slice(),
                [Violation::UnknownMetric {
                    suggestion: None,
                    ..
                }]
            ));
        }
    }

    // --- Schema errors, each with its line ----------------------------------------------------

    #[test]
    fn malformed_yaml_is_reported_with_its_line() {
        assert_error(
            "groups:\n  - id: a\n    type: metric\n   bad: [1\n",
            4,
            &["this is not valid YAML"],
        );
        assert_error("groups:\n  - id: a\n  b: c: d\n", 3, &["not valid YAML"]);
    }

    #[test]
    fn the_error_displays_as_path_line_message() {
        let error = error("groups:\n  - id: a\n    type: metric\n");
        assert_eq!(
            error.to_string(),
            "telemetry.yaml:2: group `a` has no `metric_name`; add `metric_name:` with the \
             name used in the code, such as `orders.created`"
        );
        let unlocated = RegistryError {
            path: PathBuf::from("t.yaml"),
            line: None,
            message: "m".into(),
        };
        assert_eq!(unlocated.to_string(), "t.yaml: m");
    }

    #[test]
    fn a_metric_group_needs_name_instrument_and_unit() {
        let head = "groups:\n  - id: metric.a\n    type: metric\n";
        assert_error(
            &format!("{head}    instrument: counter\n    unit: \"1\"\n"),
            2,
            &["has no `metric_name`"],
        );
        assert_error(
            &format!("{head}    metric_name: a\n    unit: \"1\"\n"),
            2,
            &[
                "has no `instrument`",
                "counter, histogram, gauge, updowncounter",
            ],
        );
        assert_error(
            &format!("{head}    metric_name: a\n    instrument: counter\n"),
            2,
            &["has no `unit`", r#"(`""` for none)"#],
        );
    }

    #[test]
    fn an_event_group_needs_a_name() {
        assert_error(
            "groups:\n  - id: event.a\n    type: event\n    brief: x\n",
            2,
            &["group `event.a` has no `name`"],
        );
    }

    #[test]
    fn a_group_needs_an_id() {
        assert_error(
            "groups:\n  - type: attribute_group\n    attributes: []\n",
            2,
            &["this group has no `id`"],
        );
    }

    #[test]
    fn an_unknown_instrument_gets_the_closest_one() {
        let text = "groups:\n  - id: m\n    type: metric\n    metric_name: m\n    \
                    instrument: histogramm\n    unit: s\n";
        assert_error(
            text,
            5,
            &[
                "unknown instrument `histogramm` in group `m`; the instruments are counter, \
                 histogram, gauge and updowncounter; did you mean `histogram`?",
            ],
        );
        let far = text.replace("histogramm", "summary");
        let error = error(&far);
        assert!(!error.message.contains("did you mean"), "{error}");
        assert!(
            error
                .message
                .contains("the instruments are counter, histogram, gauge and updowncounter"),
            "{error}"
        );
    }

    #[test]
    fn a_unit_that_is_not_a_string_says_to_quote_it() {
        let head = "groups:\n  - id: m\n    type: metric\n    metric_name: m\n    \
                    instrument: counter\n";
        assert_error(
            &format!("{head}    unit: 1\n"),
            6,
            &["`unit` of group `m` must be a string, but `1` is a number; write `unit: \"1\"`"],
        );
        assert_error(
            &format!("{head}    unit: {{order}}\n"),
            6,
            &[
                "it is a mapping (in YAML, an unquoted `{` starts one)",
                r#"write `unit: "{order}"`"#,
            ],
        );
        assert_error(&format!("{head}    unit:\n"), 6, &["but it is empty"]);
        assert_error(&format!("{head}    unit: [s]\n"), 6, &["but it is a list"]);
        assert!(Registry::parse(&format!("{head}    unit: !!str 1\n"), file()).is_ok());
    }

    #[test]
    fn a_name_that_is_not_a_string_is_an_error() {
        assert_error(
            "groups:\n  - id: m\n    type: metric\n    metric_name: true\n",
            4,
            &["`metric_name` of group `m` must be a string, but `true` is a boolean"],
        );
    }

    #[test]
    fn a_ref_to_an_undefined_attribute_is_an_error() {
        let text = r#"groups:
  - id: attributes.order
    type: attribute_group
    attributes:
      - id: order.kind
        type: string
  - id: event.a
    type: event
    name: a
    attributes:
      - ref: order.knd
      - ref: customer.tier
"#;
        assert_error(
            text,
            11,
            &["`ref: order.knd` refers to an attribute that no group defines; did you mean `order.kind`?"],
        );
        assert_error(
            &text.replace("order.knd", "order.kind"),
            12,
            &[
                "`ref: customer.tier`",
                "define it with `id: customer.tier` and a `type`",
            ],
        );
    }

    #[test]
    fn a_bad_ref_is_reported_even_in_a_group_nothing_uses() {
        assert_error(
            "groups:\n  - id: attributes.x\n    type: attribute_group\n    attributes:\n      \
             - ref: nowhere\n",
            5,
            &["`ref: nowhere`"],
        );
    }

    #[test]
    fn a_metric_name_declared_twice_is_an_error() {
        let text = r#"groups:
  - {id: metric.a, type: metric, metric_name: orders.created, instrument: counter, unit: ""}
  - {id: event.a, type: event, name: orders.created}
  - {id: metric.b, type: metric, metric_name: orders.created, instrument: counter, unit: ""}
"#;
        assert_error(
            text,
            4,
            &["metric `orders.created` is declared twice (`metric_name: orders.created` also on line 2)"],
        );
    }

    #[test]
    fn an_event_name_declared_twice_is_an_error() {
        let text =
            "groups:\n  - {id: a, type: event, name: e}\n  - {id: b, type: event, name: e}\n";
        assert_error(
            text,
            3,
            &["event `e` is declared twice (`name: e` also on line 2)"],
        );
    }

    #[test]
    fn a_group_id_used_twice_is_an_error() {
        let text =
            "groups:\n  - {id: a, type: event, name: e}\n  - {id: a, type: event, name: f}\n";
        assert_error(text, 3, &["group id `a` is used twice (also on line 2)"]);
    }

    #[test]
    fn an_attribute_defined_twice_is_an_error() {
        let text = r#"groups:
  - id: one
    type: attribute_group
    attributes:
      - {id: k, type: string}
  - id: two
    type: attribute_group
    attributes:
      - {id: k, type: int}
"#;
        assert_error(
            text,
            9,
            &[
                "attribute `k` is defined twice (also in group `one` on line 5)",
                "`ref: k`",
            ],
        );
    }

    #[test]
    fn an_attribute_listed_twice_in_one_group_is_an_error() {
        let text = r#"groups:
  - id: one
    type: attribute_group
    attributes:
      - {id: k, type: string}
  - id: m
    type: event
    name: m
    attributes:
      - ref: k
      - ref: k
"#;
        assert_error(
            text,
            11,
            &["attribute `k` is listed twice in group `m` (also on line 10)"],
        );
    }

    #[test]
    fn a_key_given_twice_in_a_mapping_is_an_error() {
        let text = "groups:\n  - id: m\n    type: event\n    name: a\n    name: b\n";
        assert_error(
            text,
            5,
            &["`name` is given twice in this mapping (also on line 4)"],
        );
    }

    #[test]
    fn an_attribute_entry_needs_exactly_one_of_id_and_ref() {
        let head = "groups:\n  - id: g\n    type: attribute_group\n    attributes:\n";
        assert_error(
            &format!("{head}      - id: a\n        ref: a\n        type: string\n"),
            5,
            &["an attribute of group `g` has both `id` and `ref`"],
        );
        assert_error(
            &format!("{head}      - type: string\n"),
            5,
            &["an attribute of group `g` has neither `id` nor `ref`"],
        );
        assert_error(
            &format!("{head}      - order.kind\n"),
            5,
            &["has neither `id` nor `ref`"],
        );
        assert_error(
            "groups:\n  - id: g\n    type: attribute_group\n    attributes: order.kind\n",
            4,
            &["`attributes` of group `g` must be a list"],
        );
    }

    #[test]
    fn an_attribute_type_must_be_known() {
        let head = "groups:\n  - id: g\n    type: attribute_group\n    attributes:\n      \
                    - id: a\n";
        assert_error(
            &format!("{head}        type: strng\n"),
            6,
            &[
                "unknown type `strng` of attribute `a`; the types are",
                "; did you mean `string`?",
            ],
        );
        assert_error(
            &format!("{head}        type: template[map]\n"),
            6,
            &["unknown type `template[map]`"],
        );
        assert_error(
            &format!("{head}        brief: no type\n"),
            5,
            &["attribute `a` has no `type`"],
        );
        assert_error(
            &format!("{head}        type:\n          members: []\n"),
            6,
            &["or an enum with a `members:` list"],
        );
        assert_error(
            &format!("{head}        type:\n          members:\n            - id: air\n"),
            8,
            &["each member of the enum attribute `a` needs a `value:`"],
        );
    }

    #[test]
    fn an_unknown_requirement_level_gets_the_closest_one() {
        let head = "groups:\n  - id: g\n    type: attribute_group\n    attributes:\n      \
                    - id: a\n        type: string\n";
        assert_error(
            &format!("{head}        requirement_level: requried\n"),
            7,
            &[
                "unknown requirement_level `requried` of attribute `a`; the levels are",
                "; did you mean `required`?",
            ],
        );
        assert_error(
            &format!("{head}        requirement_level:\n          sometimes: when\n"),
            7,
            &["must be required, recommended, opt_in or `conditionally_required: <when>`"],
        );
    }

    #[test]
    fn extends_must_name_a_read_group_without_a_cycle() {
        let text = r#"groups:
  - id: attributes.order
    type: attribute_group
  - id: span.checkout
    type: span
  - id: event.a
    type: event
    name: a
    extends: attributes.ordr
"#;
        assert_error(
            text,
            9,
            &["group `event.a` extends `attributes.ordr`, which is not a group id in this file; did you mean `attributes.order`?"],
        );
        assert_error(
            &text.replace("attributes.ordr", "span.checkout"),
            9,
            &["a `span` group, which signalry does not read"],
        );
        assert_error(
            &text.replace("attributes.ordr", "somewhere.else.entirely"),
            9,
            &["fix the id or define that attribute_group"],
        );
        let cycle = r#"groups:
  - id: a
    type: attribute_group
    extends: b
  - id: b
    type: attribute_group
    extends: a
"#;
        assert_error(
            cycle,
            7,
            &["group `b` extends `a`, which leads back to `b` through its own `extends`"],
        );
        let itself = "groups:\n  - id: a\n    type: attribute_group\n    extends: a\n";
        assert_error(
            itself,
            4,
            &["group `a` extends itself; remove its `extends`"],
        );
    }

    #[test]
    fn a_misspelt_group_type_is_an_error_and_other_types_are_not() {
        assert_error(
            "groups:\n  - id: m\n    type: metrics\n",
            3,
            &[
                "unknown group type `metrics`: signalry reads",
                "; did you mean `metric`?",
            ],
        );
        parse("groups:\n  - id: m\n    type: metric_group\n  - id: s\n    type: scope\n");
    }

    #[test]
    fn the_top_level_must_hold_a_groups_list() {
        assert_error(
            "group:\n  - id: a\n",
            1,
            &["the registry has no `groups:` list; did you mean `groups` for `group`?"],
        );
        assert_error(
            "- id: a\n",
            1,
            &["a mapping with a `groups:` list; start the file"],
        );
        assert_error("groups: 3\n", 1, &["`groups` must be a list of groups"]);
        assert_error(
            "groups:\n  - just text\n",
            2,
            &["each entry of `groups` is a mapping"],
        );
    }

    #[test]
    fn a_second_document_is_an_error() {
        assert_error(
            "groups: []\n---\ngroups: []\n",
            2,
            &["a second YAML document starts here"],
        );
    }

    // --- Suggestions --------------------------------------------------------------------------

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("orders.craeted", "orders.created"), 2);
        assert_eq!(edit_distance("héllo", "hello"), 1);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
    }

    #[test]
    fn a_suggestion_is_offered_within_a_third_of_the_length_or_two() {
        // Short words: up to two edits.
        assert_eq!(suggest("ab", ["xy"]), Some("xy".to_owned()));
        assert_eq!(suggest("ab", ["xyz"]), None);
        // 12 characters: up to four edits.
        assert_eq!(
            suggest("abcdefghijkl", ["abcdefghwxyz"]),
            Some("abcdefghwxyz".to_owned())
        );
        assert_eq!(suggest("abcdefghijkl", ["abcdefgvwxyz"]), None);
        // The closest wins; among equals, the first.
        assert_eq!(
            suggest("order.kind", ["order.mind", "order.kinds", "order.kid"]),
            Some("order.mind".to_owned())
        );
        assert_eq!(
            suggest("order.kind", ["order.kinds", "order.kin"]),
            Some("order.kinds".to_owned())
        );
        assert_eq!(suggest("anything", std::iter::empty()), None);
    }

    // --- Finding and caching the file ---------------------------------------------------------

    fn os(text: &str) -> Option<OsString> {
        Some(OsString::from(text))
    }

    #[test]
    fn the_default_registry_is_at_the_crate_root() {
        assert_eq!(
            registry_location(None, os("/crate")),
            Some(RegistryLocation::Default(PathBuf::from(
                "/crate/telemetry.yaml"
            )))
        );
        assert_eq!(
            registry_location(os(""), os("/crate")),
            Some(RegistryLocation::Default(PathBuf::from(
                "/crate/telemetry.yaml"
            )))
        );
    }

    #[test]
    fn the_environment_variable_names_another_file() {
        assert_eq!(
            registry_location(os("conventions/registry.yaml"), os("/crate")),
            Some(RegistryLocation::Named(PathBuf::from(
                "/crate/conventions/registry.yaml"
            )))
        );
        assert_eq!(
            registry_location(os("/shared/registry.yaml"), os("/crate")),
            Some(RegistryLocation::Named(PathBuf::from(
                "/shared/registry.yaml"
            )))
        );
        assert_eq!(
            registry_location(os("registry.yaml"), None),
            Some(RegistryLocation::Named(PathBuf::from("registry.yaml")))
        );
    }

    #[test]
    fn without_cargo_there_is_no_registry() {
        assert_eq!(registry_location(None, None), None);
        assert_eq!(registry_location(None, os("")), None);
    }

    /// A fresh directory for one test.
    fn scratch_dir(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("signalry-registry-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        if let Err(error) = fs::create_dir_all(&dir) {
            panic!("cannot create {}: {error}", dir.display());
        }
        dir
    }

    fn write(path: &Path, text: &str, modified: SystemTime) {
        let written = fs::write(path, text)
            .and_then(|()| fs::File::options().write(true).open(path))
            .and_then(|file| file.set_modified(modified));
        if let Err(error) = written {
            panic!("cannot write {}: {error}", path.display());
        }
    }

    #[test]
    fn a_missing_default_file_means_no_registry() {
        let dir = scratch_dir("missing-default");
        let location = RegistryLocation::Default(dir.join(DEFAULT_FILE));
        assert!(matches!(load(&location), Ok(None)));
    }

    #[test]
    fn a_missing_named_file_is_an_error() {
        let dir = scratch_dir("missing-named");
        let path = dir.join("nowhere.yaml");
        let Err(error) = load(&RegistryLocation::Named(path.clone())) else {
            panic!("expected an error");
        };
        assert_eq!(error.path, path);
        assert_eq!(error.line, None);
        assert!(
            error
                .message
                .starts_with("cannot read this registry, named by $SIGNALRY_REGISTRY")
                && error
                    .message
                    .ends_with("fix the path or unset $SIGNALRY_REGISTRY"),
            "{error}"
        );
    }

    #[test]
    fn an_unreadable_default_file_is_an_error() {
        // A directory where the file should be cannot be read as one.
        let dir = scratch_dir("unreadable-default");
        let path = dir.join(DEFAULT_FILE);
        if let Err(error) = fs::create_dir(&path) {
            panic!("{error}");
        }
        let Err(error) = load(&RegistryLocation::Default(path)) else {
            panic!("expected an error");
        };
        assert!(
            error.message.starts_with("cannot read this registry: "),
            "{error}"
        );
    }

    #[test]
    fn a_file_is_parsed_once_per_modification_time() {
        let dir = scratch_dir("cache");
        let path = dir.join(DEFAULT_FILE);
        let location = RegistryLocation::Default(path.clone());
        let first_time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        write(&path, EXAMPLE, first_time);

        let load_ok = || match load(&location) {
            Ok(Some(registry)) => registry,
            Ok(None) => panic!("expected a registry"),
            Err(error) => panic!("{error}"),
        };
        let first = load_ok();
        assert_eq!(first.path(), path);
        assert!(Arc::ptr_eq(&first, &load_ok()));

        // The same modification time: still the cached registry, even though the text changed.
        write(&path, "groups: []\n", first_time);
        assert!(Arc::ptr_eq(&first, &load_ok()));

        // A new modification time: parsed again.
        write(
            &path,
            "groups: []\n",
            first_time + std::time::Duration::from_secs(1),
        );
        let second = load_ok();
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(second.metrics.is_empty());
    }

    #[test]
    fn an_invalid_file_is_an_error_with_its_path_and_line() {
        let dir = scratch_dir("invalid");
        let path = dir.join(DEFAULT_FILE);
        write(
            &path,
            "groups:\n  - id: a\n    type: metric\n",
            SystemTime::now(),
        );
        for _ in 0..2 {
            let Err(error) = load(&RegistryLocation::Default(path.clone())) else {
                panic!("expected an error");
            };
            assert_eq!(error.path, path);
            assert_eq!(error.line, Some(2));
        }
    }
}
