//! Logs: the logger provider's pipeline, and the emission path of structured events.
//!
//! An event is an OpenTelemetry LogRecord with an event name. Emitting one inside a span
//! correlates it with that span: its trace and span ids are copied into the record. `emit()`
//! records through signalry's own path ([`site`]); `emit_to(&logger)` through the given logger.

pub(crate) mod console;
pub(crate) mod site;

use std::fmt;
use std::sync::Arc;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger, Severity};
use opentelemetry::Key;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, BatchLogProcessor, LogExporter as _, LogProcessor, SdkLoggerProvider,
    SimpleLogProcessor,
};
use opentelemetry_sdk::Resource;

use crate::config::{BatchConfig, ExporterKind};
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

/// What an event (or one variant of an event enum) knows at compile time.
#[derive(Debug)]
pub struct EventSite {
    /// The event name (OTLP `event_name`).
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
}

/// Builds one record of `event` and hands it to `logger` (for `emit_to`), which copies the
/// current trace and span ids into it.
fn emit_with<L, E>(logger: &L, event: &E)
where
    L: Logger + ?Sized,
    E: TelemetryEvent + ?Sized,
{
    let site = event.__site();
    let mut record = logger.create_log_record();
    record.set_event_name(site.name);
    record.set_severity_number(site.severity);
    record.set_severity_text(site.severity.name());
    record.set_timestamp(std::time::SystemTime::now());
    if let Some(body) = event.__body() {
        record.set_body(body);
    }
    // Straight into the record: no list of our own in between.
    let mut add = |key: Key, value: AnyValue| record.add_attribute(key, value);
    event.__attributes(&mut EventAttributes {
        add: &mut add,
        prefix: String::new(),
    });
    logger.emit(record);
}

/// Builds the logger provider for the chosen exporters, and the path of `emit()` to them.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    batch: BatchConfig,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> (SdkLoggerProvider, Arc<site::SiteLogs>) {
    let mut processors = crate::pool::Processors::<dyn LogProcessor> {
        immediate: Vec::new(),
        lanes: Vec::new(),
    };
    for kind in kinds {
        match kind {
            // Written as emitted, so that an event lands inside its span's tree.
            ExporterKind::Console => {
                let mut exporter = console::ConsoleLogExporter::new(Arc::clone(console));
                exporter.set_resource(&resource);
                processors
                    .immediate
                    .push(Box::new(SimpleLogProcessor::new(exporter)));
            }
            ExporterKind::Otlp => {
                for mut exporter in exporters.otlp_log_lanes(batch.max_concurrent_exports) {
                    exporter.set_resource(&resource);
                    let processor = BatchLogProcessor::builder(exporter)
                        .with_batch_config(
                            BatchConfigBuilder::default()
                                .with_scheduled_delay(batch.schedule_delay)
                                .with_max_queue_size(batch.max_queue_size)
                                .with_max_export_batch_size(batch.max_export_batch_size)
                                .build(),
                        )
                        .build();
                    processors.lanes.push(Box::new(processor));
                }
            }
            ExporterKind::Prometheus => {}
        }
    }
    let site_logs = Arc::new(site::SiteLogs::new(processors, batch));
    let provider = SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_log_processor(crate::testing::CaptureLogProcessor)
        .with_log_processor(site::Registered(Arc::clone(&site_logs)))
        .build();
    (provider, site_logs)
}

/// A typed structured event: a struct (or an enum, one event per variant) whose fields become
/// the attributes of an OpenTelemetry LogRecord. Derive it with
/// `#[derive(signalry::TelemetryEvent)]`; the derive writes the `__` methods, which are not
/// meant to be called or written by hand.
pub trait TelemetryEvent: EventFields {
    /// Emits the event through signalry's pipeline, correlated with the current span (its trace
    /// and span ids are copied into the record), and adds one to its `count` counter if it has
    /// one. Does nothing beyond one atomic load when telemetry is off.
    #[inline]
    fn emit(&self) {
        if !state::enabled() {
            return;
        }
        self.__count();
        state::with_current(|pipeline| pipeline.site_logs.emit(self));
    }

    /// Emits the event through `logger`, any OpenTelemetry logger, whether or not signalry was
    /// initialised; correlated with the current span like [`emit`](Self::emit). Its `count`
    /// counter, if it has one, is counted by signalry's pipeline when it is on.
    fn emit_to<L: Logger + ?Sized>(&self, logger: &L)
    where
        Self: Sized,
    {
        self.__count();
        emit_with(logger, self);
    }

    /// The event name this value is emitted with (for an enum, its variant's).
    fn event_name(&self) -> &'static str {
        self.__site().name
    }

    /// The severity this value is emitted with (for an enum, its variant's).
    fn severity(&self) -> Severity {
        self.__site().severity
    }

    #[doc(hidden)]
    fn __site(&self) -> &'static EventSite;

    #[doc(hidden)]
    fn __body(&self) -> Option<AnyValue>;

    #[doc(hidden)]
    #[inline]
    fn __count(&self) {}
}

/// The attributes of an event's fields: written by `#[derive(TelemetryEvent)]` for every event,
/// and alone for `#[event(nested)]` types, which are only flattened into other events.
pub trait EventFields {
    #[doc(hidden)]
    fn __attributes(&self, attributes: &mut EventAttributes<'_>);
}

/// A reference emits what it refers to.
impl<T: TelemetryEvent + ?Sized> TelemetryEvent for &T {
    #[inline]
    fn __site(&self) -> &'static EventSite {
        (**self).__site()
    }

    #[inline]
    fn __body(&self) -> Option<AnyValue> {
        (**self).__body()
    }

    #[inline]
    fn __count(&self) {
        (**self).__count();
    }
}

impl<T: EventFields + ?Sized> EventFields for &T {
    #[inline]
    fn __attributes(&self, attributes: &mut EventAttributes<'_>) {
        (**self).__attributes(attributes);
    }
}

/// A field marked `#[event(flatten)]`: a type deriving `TelemetryEvent` (an event, or
/// `#[event(nested)]` fields), whose attributes are added to the outer event's under a prefix,
/// or an `Option` of one (`None` adds nothing).
#[diagnostic::on_unimplemented(
    message = "`#[event(flatten)]` needs a type deriving `TelemetryEvent`, but `{Self}` does not",
    label = "not a TelemetryEvent",
    note = "add `#[derive(signalry::TelemetryEvent)]` to the nested type (with \
            `#[event(nested)]` if it is not an event of its own), or remove `flatten`"
)]
pub trait Flatten {
    /// Adds the attributes of `self` to `attributes` (under the prefix already set there).
    fn flatten_into(&self, attributes: &mut EventAttributes<'_>);
}

impl<T: EventFields + ?Sized> Flatten for T {
    #[inline]
    fn flatten_into(&self, attributes: &mut EventAttributes<'_>) {
        self.__attributes(attributes);
    }
}

impl<T: EventFields> Flatten for Option<T> {
    #[inline]
    fn flatten_into(&self, attributes: &mut EventAttributes<'_>) {
        if let Some(inner) = self {
            inner.__attributes(attributes);
        }
    }
}

/// A field value as an event attribute: integers, floats, bools, strings, `Option`s (`None`
/// leaves the attribute out) and `Vec`s or slices of those (arrays).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event attribute value",
    label = "not a native attribute value",
    note = "mark the field `#[event(display)]` to record its Display text, `#[event(debug)]` \
            for its Debug text, `#[event(flatten)]` for a nested event struct, or \
            `#[event(skip)]`"
)]
pub trait EventValue {
    /// The attribute value, or `None` to leave it out.
    fn event_value(&self) -> Option<AnyValue>;
}

macro_rules! event_value {
    ($($ty:ty => |$v:ident| $conv:expr),* $(,)?) => {
        $(impl EventValue for $ty {
            #[inline]
            fn event_value(&self) -> Option<AnyValue> {
                let $v = self;
                Some($conv)
            }
        })*
    };
}

event_value! {
    bool => |v| AnyValue::Boolean(*v),
    i8 => |v| AnyValue::Int(i64::from(*v)),
    i16 => |v| AnyValue::Int(i64::from(*v)),
    i32 => |v| AnyValue::Int(i64::from(*v)),
    i64 => |v| AnyValue::Int(*v),
    u8 => |v| AnyValue::Int(i64::from(*v)),
    u16 => |v| AnyValue::Int(i64::from(*v)),
    u32 => |v| AnyValue::Int(i64::from(*v)),
    u64 => |v| i64::try_from(*v).map_or_else(|_| AnyValue::from(v.to_string()), AnyValue::Int),
    usize => |v| i64::try_from(*v).map_or_else(|_| AnyValue::from(v.to_string()), AnyValue::Int),
    f32 => |v| AnyValue::Double(f64::from(*v)),
    f64 => |v| AnyValue::Double(*v),
    str => |v| AnyValue::from(v.to_owned()),
    String => |v| AnyValue::from(v.clone()),
    std::borrow::Cow<'_, str> => |v| AnyValue::from(v.clone().into_owned()),
}

impl<T: EventValue + ?Sized> EventValue for &T {
    #[inline]
    fn event_value(&self) -> Option<AnyValue> {
        (**self).event_value()
    }
}

impl<T: EventValue> EventValue for Option<T> {
    #[inline]
    fn event_value(&self) -> Option<AnyValue> {
        self.as_ref().and_then(EventValue::event_value)
    }
}

impl<T: EventValue> EventValue for [T] {
    fn event_value(&self) -> Option<AnyValue> {
        Some(AnyValue::ListAny(Box::new(
            self.iter().filter_map(EventValue::event_value).collect(),
        )))
    }
}

impl<T: EventValue> EventValue for Vec<T> {
    fn event_value(&self) -> Option<AnyValue> {
        self.as_slice().event_value()
    }
}

/// What a redacted field is recorded as: the attribute says a value was there, never what.
pub const REDACTED: &str = "[REDACTED]";

/// `#[event(truncate = N)]`: at most `max_bytes` bytes of `text`, cut on a character boundary;
/// the flag says whether anything was cut.
pub fn truncated(text: &str, max_bytes: usize) -> (AnyValue, bool) {
    if text.len() <= max_bytes {
        return (AnyValue::from(text.to_owned()), false);
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (AnyValue::from(text[..end].to_owned()), true)
}

/// Something `#[event(truncate = N)]` can cut: text.
#[diagnostic::on_unimplemented(
    message = "`#[event(truncate = ...)]` cuts text, but `{Self}` is not text",
    note = "use it on `String`, `&str` or `Option` of those; remove it from other fields"
)]
pub trait TruncatableText {
    /// The text, if any.
    fn text(&self) -> Option<&str>;
}

impl TruncatableText for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl TruncatableText for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}
impl<T: TruncatableText + ?Sized> TruncatableText for &T {
    fn text(&self) -> Option<&str> {
        (**self).text()
    }
}
impl<T: TruncatableText> TruncatableText for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(TruncatableText::text)
    }
}

/// The attributes of one event as they are added to its record: keys are the fields' static
/// keys, under the prefix of the flattened fields being added.
pub struct EventAttributes<'a> {
    add: &'a mut dyn FnMut(Key, AnyValue),
    prefix: String,
}

impl fmt::Debug for EventAttributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventAttributes")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl EventAttributes<'_> {
    /// The key `key` under the current prefix: static when there is none, built otherwise.
    fn key(&self, key: &'static str) -> Key {
        if self.prefix.is_empty() {
            Key::from_static_str(key)
        } else {
            Key::from(format!("{}{key}", self.prefix))
        }
    }

    /// Adds `key` when `value` is present.
    #[inline]
    pub fn add(&mut self, key: &'static str, value: Option<AnyValue>) {
        if let Some(value) = value {
            let key = self.key(key);
            (self.add)(key, value);
        }
    }

    /// Adds `key` with `text` cut to `max_bytes`, and `<key>.truncated = true` when it was cut;
    /// nothing when there is no text.
    pub fn add_truncated(
        &mut self,
        key: &'static str,
        truncated_key: &'static str,
        text: Option<&str>,
        max_bytes: usize,
    ) {
        if let Some(text) = text {
            let (value, cut) = truncated(text, max_bytes);
            let key = self.key(key);
            (self.add)(key, value);
            if cut {
                let key = self.key(truncated_key);
                (self.add)(key, AnyValue::Boolean(true));
            }
        }
    }

    /// Adds the attributes that `nested` adds, under `<prefix>.`.
    pub fn flatten(&mut self, prefix: &'static str, nested: impl FnOnce(&mut Self)) {
        let outer = self.prefix.len();
        self.prefix.push_str(prefix);
        self.prefix.push('.');
        nested(self);
        self.prefix.truncate(outer);
    }
}
