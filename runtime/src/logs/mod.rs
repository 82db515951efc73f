//! Logs: the logger provider's pipeline, and the emission path of structured events.
//!
//! An event is an OpenTelemetry LogRecord with an event name. Emitting one inside a span
//! correlates it with that span: the SDK copies the current trace and span ids into the record.

pub(crate) mod console;

use std::sync::Arc;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, Severity};
use opentelemetry::Key;
use opentelemetry_sdk::logs::{BatchConfigBuilder, BatchLogProcessor, SdkLoggerProvider};
use opentelemetry_sdk::Resource;

use crate::config::{BatchConfig, ExporterKind};
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

/// What an event knows at compile time.
#[derive(Debug)]
pub struct EventSite {
    /// The event name (OTLP `event_name`).
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
}

impl EventSite {
    /// Emits one event with `body` and `attributes`, both built only when telemetry is on.
    #[inline]
    pub fn emit(
        &'static self,
        body: impl FnOnce() -> Option<AnyValue>,
        attributes: impl FnOnce() -> Vec<(Key, AnyValue)>,
    ) {
        if !state::enabled() {
            return;
        }
        let Some(pipeline) = state::current() else {
            return;
        };
        let mut record = pipeline.logger.create_log_record();
        record.set_event_name(self.name);
        record.set_target(self.name);
        record.set_severity_number(self.severity);
        record.set_severity_text(self.severity.name());
        record.set_timestamp(std::time::SystemTime::now());
        if let Some(body) = body() {
            record.set_body(body);
        }
        record.add_attributes(attributes());
        pipeline.logger.emit(record);
    }
}

/// Builds the logger provider for the chosen exporters.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    batch: BatchConfig,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> SdkLoggerProvider {
    let mut builder = SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_log_processor(crate::testing::CaptureLogProcessor);
    for kind in kinds {
        match kind {
            // Written as emitted, so that an event lands inside its span's tree.
            ExporterKind::Console => {
                builder = builder
                    .with_simple_exporter(console::ConsoleLogExporter::new(Arc::clone(console)));
            }
            ExporterKind::Otlp => {
                if let Some(exporter) = exporters.otlp_logs() {
                    let processor = BatchLogProcessor::builder(exporter)
                        .with_batch_config(
                            BatchConfigBuilder::default()
                                .with_scheduled_delay(batch.schedule_delay)
                                .with_max_queue_size(batch.max_queue_size)
                                .with_max_export_batch_size(batch.max_export_batch_size)
                                .build(),
                        )
                        .build();
                    builder = builder.with_log_processor(processor);
                }
            }
            ExporterKind::Prometheus => {}
        }
    }
    builder.build()
}

/// A typed structured event: a struct whose fields become the attributes of an OpenTelemetry
/// LogRecord. Derive it with `#[derive(signalry::TelemetryEvent)]`.
pub trait TelemetryEvent {
    /// Emits the event, correlated with the current span (its trace and span ids are copied
    /// into the record). Does nothing when telemetry is off.
    fn emit(&self);
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

/// The attributes of one event as they are built.
#[derive(Debug, Default)]
pub struct EventAttributes(Vec<(Key, AnyValue)>);

impl EventAttributes {
    /// Room for `n` attributes.
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Adds `key` when `value` is present.
    pub fn add(&mut self, key: &'static str, value: Option<AnyValue>) {
        if let Some(value) = value {
            self.0.push((Key::from_static_str(key), value));
        }
    }

    /// Adds `key` cut to `max_bytes`, and `<key>.truncated = true` when it was cut.
    pub fn add_truncated(
        &mut self,
        key: &'static str,
        truncated_key: &'static str,
        value: &(impl TruncatableText + ?Sized),
        max_bytes: usize,
    ) {
        if let Some(text) = value.text() {
            let (value, cut) = truncated(text, max_bytes);
            self.0.push((Key::from_static_str(key), value));
            if cut {
                self.0
                    .push((Key::from_static_str(truncated_key), AnyValue::Boolean(true)));
            }
        }
    }

    /// The finished list.
    pub fn into_vec(self) -> Vec<(Key, AnyValue)> {
        self.0
    }
}
