//! OTLP/protobuf encoding of a span or log batch, written straight from the SDK's records.
//!
//! The OTLP exporter of `opentelemetry-otlp` clones the whole batch for every attempt (to be
//! able to retry), converts the clone into `opentelemetry-proto`'s message structs (a `String`
//! or `Vec` per id, name, key and string value) and lets tonic encode those, growing its buffer
//! as it goes. Encoding the batch once, from borrowed spans, into one buffer of the right size
//! makes no allocation per span; a retry sends the same bytes again.
//!
//! The messages are those of `opentelemetry/proto/collector/trace/v1/trace_service.proto` and
//! the files it imports, field for field as `opentelemetry-proto` fills them (the tests decode
//! this encoding with its types and compare with its conversion).

use std::time::SystemTime;

use opentelemetry::logs::{AnyValue as LogsAnyValue, Severity};
use opentelemetry::trace::{SpanContext, SpanKind, Status};
use opentelemetry::{Array, InstrumentationScope, KeyValue, StringValue, Value};
use opentelemetry_sdk::logs::{LogBatch, SdkLogRecord};
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;

/// An encoded `ExportTraceServiceRequest` for `spans`, all from `resource`.
pub(crate) fn export_trace_request(resource: &EncodedResource, spans: &[SpanData]) -> Vec<u8> {
    let mut scopes: Vec<ScopeSpans<'_>> = Vec::new();
    for span in spans {
        let scope = &span.instrumentation_scope;
        match scopes.iter_mut().find(|group| group.scope == scope) {
            Some(group) => group.spans.push(span),
            None => scopes.push(ScopeSpans {
                scope,
                spans: vec![span],
            }),
        }
    }
    encode(&Request { resource, scopes })
}

/// A resource encoded once, for every batch: the `Resource` message and the schema URL.
#[derive(Debug, Default)]
pub(crate) struct EncodedResource {
    message: Vec<u8>,
    schema_url: String,
}

impl EncodedResource {
    /// Field 1 of `ResourceSpans` and `ResourceLogs` alike.
    fn encode_message<O: Out>(&self, out: &mut O) {
        out.key(1, LEN);
        out.varint(self.message.len() as u64);
        out.bytes(&self.message);
    }

    pub(crate) fn new(resource: &Resource) -> Self {
        Self {
            message: encode(&ResourceMessage(resource)),
            schema_url: resource.schema_url().unwrap_or_default().to_owned(),
        }
    }
}

// --- the writer ----------------------------------------------------------------------------

/// `message`'s fields, in two passes over it: the first counts the length of every nested
/// message (in the order they come), the second writes, taking each length as it reaches the
/// message. Each pass is linear in the message's size.
fn encode<M: Encode>(message: &M) -> Vec<u8> {
    let mut count = Count::default();
    message.encode(&mut count);
    let mut write = Write {
        buf: Vec::with_capacity(count.total),
        lengths: count.lengths.iter(),
    };
    message.encode(&mut write);
    write.buf
}

/// Where an encoding goes: a count of its lengths, or a buffer.
trait Out {
    fn bytes(&mut self, bytes: &[u8]);

    /// A nested message, always written (an absent one is not passed here).
    fn message<M: Encode>(&mut self, field: u32, message: &M);

    fn varint(&mut self, mut value: u64) {
        let mut encoded = [0u8; 10];
        let mut n = 0;
        while value >= 0x80 {
            encoded[n] = (value as u8) | 0x80;
            value >>= 7;
            n += 1;
        }
        encoded[n] = value as u8;
        self.bytes(&encoded[..=n]);
    }

    fn key(&mut self, field: u32, wire_type: u32) {
        self.varint(u64::from((field << 3) | wire_type));
    }

    /// A string or bytes field; empty ones are left out, as proto3 leaves out defaults.
    fn text(&mut self, field: u32, text: &[u8]) {
        if !text.is_empty() {
            self.key(field, LEN);
            self.varint(text.len() as u64);
            self.bytes(text);
        }
    }

    fn uint(&mut self, field: u32, value: u64) {
        if value != 0 {
            self.key(field, VARINT);
            self.varint(value);
        }
    }

    fn fixed64(&mut self, field: u32, value: u64) {
        if value != 0 {
            self.key(field, FIXED64);
            self.bytes(&value.to_le_bytes());
        }
    }

    fn fixed32(&mut self, field: u32, value: u32) {
        if value != 0 {
            self.key(field, FIXED32);
            self.bytes(&value.to_le_bytes());
        }
    }
}

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;
const FIXED32: u32 = 5;

/// The first pass: the total length, and each nested message's length in the order met.
#[derive(Default)]
struct Count {
    total: usize,
    lengths: Vec<u32>,
}

impl Out for Count {
    fn bytes(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
    }

    fn varint(&mut self, value: u64) {
        self.total += (64 - (value | 1).leading_zeros() as usize).div_ceil(7);
    }

    fn message<M: Encode>(&mut self, field: u32, message: &M) {
        self.key(field, LEN);
        let slot = self.lengths.len();
        self.lengths.push(0);
        let start = self.total;
        message.encode(self);
        let length = self.total - start;
        // A batch is far below 4 GiB; the export would fail long before.
        self.lengths[slot] = u32::try_from(length).unwrap_or(u32::MAX);
        self.varint(length as u64);
    }
}

/// The second pass: the bytes, with the lengths the first pass counted.
struct Write<'a> {
    buf: Vec<u8>,
    lengths: std::slice::Iter<'a, u32>,
}

impl Out for Write<'_> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn message<M: Encode>(&mut self, field: u32, message: &M) {
        // Both passes go through the same code, so the lengths come in the same order.
        let length = self.lengths.next().copied().unwrap_or_default();
        self.key(field, LEN);
        self.varint(u64::from(length));
        message.encode(self);
    }
}

/// A message's fields.
trait Encode {
    fn encode<O: Out>(&self, out: &mut O);
}

// --- the messages --------------------------------------------------------------------------

/// `Resource`.
struct ResourceMessage<'a>(&'a Resource);

impl Encode for ResourceMessage<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        for (key, value) in self.0.iter() {
            out.message(1, &Attribute(key.as_str(), AnyValue(value)));
        }
    }
}

/// `ExportTraceServiceRequest` or `ExportLogsServiceRequest`: one `ResourceSpans` or
/// `ResourceLogs`, whose scope groups are `G`.
struct Request<'a, G> {
    resource: &'a EncodedResource,
    /// The batch by scope, in order of first appearance.
    scopes: Vec<G>,
}

impl<G: Encode> Encode for Request<'_, G> {
    fn encode<O: Out>(&self, out: &mut O) {
        out.message(1, &ResourceGroup(self));
    }
}

/// `ResourceSpans` or `ResourceLogs`: the resource, then a group per scope.
struct ResourceGroup<'r, 'a, G>(&'r Request<'a, G>);

impl<G: Encode> Encode for ResourceGroup<'_, '_, G> {
    fn encode<O: Out>(&self, out: &mut O) {
        let Request { resource, scopes } = self.0;
        resource.encode_message(out);
        for scope in scopes {
            out.message(2, scope);
        }
        out.text(3, resource.schema_url.as_bytes());
    }
}

/// `ScopeSpans`: the spans of one scope.
struct ScopeSpans<'a> {
    scope: &'a InstrumentationScope,
    spans: Vec<&'a SpanData>,
}

impl Encode for ScopeSpans<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        out.message(1, &Scope(self.scope, self.scope.name()));
        for span in &self.spans {
            out.message(2, &Span(span));
        }
        out.text(3, self.scope.schema_url().unwrap_or_default().as_bytes());
    }
}

/// `InstrumentationScope`, under the name given (log records name theirs by target).
struct Scope<'a>(&'a InstrumentationScope, &'a str);

impl Encode for Scope<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        out.text(1, self.1.as_bytes());
        out.text(2, self.0.version().unwrap_or_default().as_bytes());
        attributes(out, 3, self.0.attributes());
    }
}

/// `Span`.
struct Span<'a>(&'a SpanData);

impl Encode for Span<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        let span = self.0;
        let context = &span.span_context;
        ids(out, context);
        if span.parent_span_id != opentelemetry::trace::SpanId::INVALID {
            out.text(4, &span.parent_span_id.to_bytes());
        }
        out.text(5, span.name.as_bytes());
        out.uint(6, kind(&span.span_kind));
        out.fixed64(7, crate::clock::nanos_since_epoch(span.start_time));
        out.fixed64(8, crate::clock::nanos_since_epoch(span.end_time));
        attributes(out, 9, &span.attributes);
        out.uint(10, u64::from(span.dropped_attributes_count));
        for event in span.events.iter() {
            out.message(11, &Event(event));
        }
        out.uint(12, u64::from(span.events.dropped_count));
        for link in span.links.iter() {
            out.message(13, &Link(link));
        }
        out.uint(14, u64::from(span.links.dropped_count));
        out.message(15, &SpanStatus(&span.status));
        out.fixed32(16, flags(context, span.parent_span_is_remote));
    }
}

/// Fields 1 to 3 of a `Span` and of a `Span.Link` alike: trace id, span id, trace state.
fn ids<O: Out>(out: &mut O, context: &SpanContext) {
    out.text(1, &context.trace_id().to_bytes());
    out.text(2, &context.span_id().to_bytes());
    out.text(3, context.trace_state().header().as_bytes());
}

/// `Span.SpanKind`.
fn kind(kind: &SpanKind) -> u64 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// The W3C trace flags, with `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK` and, when the parent (or
/// the linked span) is remote, `SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`.
fn flags(context: &SpanContext, remote: bool) -> u32 {
    let mut flags = u32::from(context.trace_flags().to_u8()) | 0x100;
    if remote {
        flags |= 0x200;
    }
    flags
}

/// `Span.Event`.
struct Event<'a>(&'a opentelemetry::trace::Event);

impl Encode for Event<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        let event = self.0;
        out.fixed64(1, crate::clock::nanos_since_epoch(event.timestamp));
        out.text(2, event.name.as_bytes());
        attributes(out, 3, &event.attributes);
        out.uint(4, u64::from(event.dropped_attributes_count));
    }
}

/// `Span.Link`.
struct Link<'a>(&'a opentelemetry::trace::Link);

impl Encode for Link<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        let link = self.0;
        let context = &link.span_context;
        ids(out, context);
        attributes(out, 4, &link.attributes);
        out.uint(5, u64::from(link.dropped_attributes_count));
        out.fixed32(6, flags(context, context.is_remote()));
    }
}

/// `Status`: the description only for an error.
struct SpanStatus<'a>(&'a Status);

impl Encode for SpanStatus<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        match self.0 {
            Status::Unset => {}
            Status::Ok => out.uint(3, 1),
            Status::Error { description } => {
                out.text(2, description.as_bytes());
                out.uint(3, 2);
            }
        }
    }
}

fn attributes<'a, O: Out>(
    out: &mut O,
    field: u32,
    attributes: impl IntoIterator<Item = &'a KeyValue>,
) {
    for attribute in attributes {
        out.message(
            field,
            &Attribute(attribute.key.as_str(), AnyValue(&attribute.value)),
        );
    }
}

/// `KeyValue`: a key and its value's `AnyValue` (of a span's value, or a log record's).
struct Attribute<'a, V>(&'a str, V);

impl<V: Encode> Encode for Attribute<'_, V> {
    fn encode<O: Out>(&self, out: &mut O) {
        out.text(1, self.0.as_bytes());
        out.message(2, &self.1);
    }
}

/// `AnyValue`: a oneof, so written even when it holds its type's default.
struct AnyValue<'a>(&'a Value);

impl Encode for AnyValue<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        match self.0 {
            Value::String(text) => string(out, text),
            Value::Bool(value) => boolean(out, *value),
            Value::I64(value) => integer(out, *value),
            Value::F64(value) => double(out, *value),
            Value::Array(array) => out.message(5, &ArrayValue(array)),
            // A kind of value newer than this encoder: an empty `AnyValue`.
            _ => {}
        }
    }
}

fn string<O: Out>(out: &mut O, text: &StringValue) {
    out.key(1, LEN);
    out.varint(text.as_str().len() as u64);
    out.bytes(text.as_str().as_bytes());
}

fn boolean<O: Out>(out: &mut O, value: bool) {
    out.key(2, VARINT);
    out.varint(u64::from(value));
}

fn integer<O: Out>(out: &mut O, value: i64) {
    out.key(3, VARINT);
    // int64 is two's complement on the wire: a negative value takes ten bytes.
    out.varint(value as u64);
}

fn double<O: Out>(out: &mut O, value: f64) {
    out.key(4, FIXED64);
    out.bytes(&value.to_bits().to_le_bytes());
}

/// `ArrayValue`: an `AnyValue` per element.
struct ArrayValue<'a>(&'a Array);

impl Encode for ArrayValue<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        match self.0 {
            Array::Bool(values) => values
                .iter()
                .for_each(|v| out.message(1, &Scalar::Bool(*v))),
            Array::I64(values) => values.iter().for_each(|v| out.message(1, &Scalar::I64(*v))),
            Array::F64(values) => values.iter().for_each(|v| out.message(1, &Scalar::F64(*v))),
            Array::String(values) => values
                .iter()
                .for_each(|v| out.message(1, &Scalar::String(v))),
            // A kind of array newer than this encoder: empty.
            _ => {}
        }
    }
}

/// An array's element as an `AnyValue`.
enum Scalar<'a> {
    Bool(bool),
    I64(i64),
    F64(f64),
    String(&'a StringValue),
}

impl Encode for Scalar<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        match self {
            Self::Bool(value) => boolean(out, *value),
            Self::I64(value) => integer(out, *value),
            Self::F64(value) => double(out, *value),
            Self::String(text) => string(out, text),
        }
    }
}

// --- log records ---------------------------------------------------------------------------

/// An encoded `ExportLogsServiceRequest` for `batch`, all from `resource`. Records are grouped
/// by scope as `opentelemetry-proto` groups them: the scope, named by the record's target when
/// it has one.
pub(crate) fn export_logs_request(resource: &EncodedResource, batch: &LogBatch<'_>) -> Vec<u8> {
    let mut scopes: Vec<ScopeLogs<'_>> = Vec::new();
    for (record, scope) in batch.iter() {
        let name = record
            .target()
            .map_or_else(|| scope.name(), |target| target.as_ref());
        let same = |group: &&mut ScopeLogs<'_>| {
            group.name == name
                && group.scope.version() == scope.version()
                && group.scope.schema_url() == scope.schema_url()
                && group.scope.attributes().eq(scope.attributes())
        };
        match scopes.iter_mut().find(same) {
            Some(group) => group.records.push(record),
            None => scopes.push(ScopeLogs {
                name,
                scope,
                records: vec![record],
            }),
        }
    }
    encode(&Request { resource, scopes })
}

/// `ScopeLogs`: the records of one scope.
struct ScopeLogs<'a> {
    /// The records' target, else the scope's name.
    name: &'a str,
    scope: &'a InstrumentationScope,
    records: Vec<&'a SdkLogRecord>,
}

impl Encode for ScopeLogs<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        out.message(1, &Scope(self.scope, self.name));
        for record in &self.records {
            out.message(2, &LogRecord(record));
        }
        out.text(3, self.scope.schema_url().unwrap_or_default().as_bytes());
    }
}

/// `LogRecord`.
struct LogRecord<'a>(&'a SdkLogRecord);

impl Encode for LogRecord<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        let record = self.0;
        let nanos = |time: Option<SystemTime>| time.map_or(0, crate::clock::nanos_since_epoch);
        out.fixed64(1, nanos(record.timestamp()));
        out.uint(2, record.severity_number().map_or(0, severity));
        out.text(3, record.severity_text().unwrap_or_default().as_bytes());
        if let Some(body) = record.body() {
            out.message(5, &LogValue(body));
        }
        for (key, value) in record.attributes_iter() {
            out.message(6, &Attribute(key.as_str(), LogValue(value)));
        }
        let context = record.trace_context();
        out.fixed32(
            8,
            context
                .and_then(|context| context.trace_flags)
                .map_or(0, |flags| u32::from(flags.to_u8())),
        );
        if let Some(context) = context {
            out.text(9, &context.trace_id.to_bytes());
            out.text(10, &context.span_id.to_bytes());
        }
        out.fixed64(11, nanos(record.observed_timestamp()));
        out.text(12, record.event_name().unwrap_or_default().as_bytes());
    }
}

/// `SeverityNumber`: the same numbers as the API's `Severity`.
fn severity(severity: Severity) -> u64 {
    severity as u64
}

/// `AnyValue` of a log record: also bytes, lists and maps.
struct LogValue<'a>(&'a LogsAnyValue);

impl Encode for LogValue<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        match self.0 {
            LogsAnyValue::String(text) => string(out, text),
            LogsAnyValue::Boolean(value) => boolean(out, *value),
            LogsAnyValue::Int(value) => integer(out, *value),
            LogsAnyValue::Double(value) => double(out, *value),
            LogsAnyValue::ListAny(values) => out.message(5, &LogList(values)),
            LogsAnyValue::Map(entries) => out.message(6, &LogMap(entries)),
            LogsAnyValue::Bytes(bytes) => {
                out.key(7, LEN);
                out.varint(bytes.len() as u64);
                out.bytes(bytes);
            }
            // A kind of value newer than this encoder: an empty `AnyValue`.
            _ => {}
        }
    }
}

/// `ArrayValue` of log values.
struct LogList<'a>(&'a [LogsAnyValue]);

impl Encode for LogList<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        for value in self.0 {
            out.message(1, &LogValue(value));
        }
    }
}

/// `KeyValueList`, in the map's order.
struct LogMap<'a>(&'a std::collections::HashMap<opentelemetry::Key, LogsAnyValue>);

impl Encode for LogMap<'_> {
    fn encode<O: Out>(&self, out: &mut O) {
        for (key, value) in self.0 {
            out.message(1, &Attribute(key.as_str(), LogValue(value)));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::time::{Duration, UNIX_EPOCH};

    use opentelemetry::trace::{Event, Link, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::transform::common::tonic::ResourceAttributesWithSchema;
    use opentelemetry_proto::transform::trace::tonic::group_spans_by_resource_and_scope;
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};
    use prost::Message as _;

    use super::*;

    fn context(trace: u128, span: u64, sampled: bool, remote: bool, state: &str) -> SpanContext {
        let flags = if sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        };
        let state = if state.is_empty() {
            TraceState::default()
        } else {
            TraceState::from_key_value([("vendor", state)]).expect("a valid trace state")
        };
        SpanContext::new(
            TraceId::from(trace),
            SpanId::from(span),
            flags,
            remote,
            state,
        )
    }

    /// Every kind of value, including the defaults proto3 leaves out elsewhere.
    fn every_value() -> Vec<KeyValue> {
        vec![
            KeyValue::new("text", "value"),
            KeyValue::new("empty", ""),
            KeyValue::new("yes", true),
            KeyValue::new("no", false),
            KeyValue::new("zero", 0_i64),
            KeyValue::new("negative", -42_i64),
            KeyValue::new("big", i64::MAX),
            KeyValue::new("float", 0.5_f64),
            KeyValue::new("float.zero", 0.0_f64),
            KeyValue::new("bools", Value::Array(Array::Bool(vec![true, false]))),
            KeyValue::new("ints", Value::Array(Array::I64(vec![-1, 0, 1]))),
            KeyValue::new("floats", Value::Array(Array::F64(vec![1.5, -0.0]))),
            KeyValue::new(
                "strings",
                Value::Array(Array::String(vec!["a".into(), "".into()])),
            ),
            KeyValue::new("nothing", Value::Array(Array::I64(Vec::new()))),
            KeyValue::new("", "empty key"),
        ]
    }

    fn span(
        name: &'static str,
        scope: &InstrumentationScope,
        kind: SpanKind,
        status: Status,
    ) -> SpanData {
        let mut events = SpanEvents::default();
        events.events = vec![
            Event::new(
                "checkpoint",
                UNIX_EPOCH + Duration::from_nanos(7),
                every_value(),
                2,
            ),
            Event::new("", UNIX_EPOCH, Vec::new(), 0),
        ];
        events.dropped_count = 3;
        let mut links = SpanLinks::default();
        links.links = vec![
            Link::new(
                context(9, 10, true, true, "linked"),
                vec![KeyValue::new("link.n", 1)],
                1,
            ),
            Link::with_context(context(11, 12, false, false, "")),
        ];
        links.dropped_count = 4;
        SpanData {
            span_context: context(
                0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10,
                0xfeed,
                true,
                false,
                "x",
            ),
            parent_span_id: SpanId::from(0xbeef),
            parent_span_is_remote: true,
            span_kind: kind,
            name: Cow::Borrowed(name),
            start_time: UNIX_EPOCH + Duration::from_nanos(1_764_460_800_123_456_789),
            end_time: UNIX_EPOCH + Duration::from_nanos(1_764_460_800_223_456_789),
            attributes: every_value(),
            dropped_attributes_count: 5,
            events,
            links,
            status,
            instrumentation_scope: scope.clone(),
        }
    }

    /// The encoding decodes to what `opentelemetry-proto` makes of the same batch.
    fn assert_same_as_the_sdk(resource: &Resource, spans: Vec<SpanData>) {
        let encoded = export_trace_request(&EncodedResource::new(resource), &spans);
        let decoded = ExportTraceServiceRequest::decode(encoded.as_slice()).expect("valid OTLP");
        let expected = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(
                spans,
                &ResourceAttributesWithSchema::from(resource),
            ),
        };
        assert_eq!(decoded, expected);
        // And nothing but the message: the same bytes as prost writes from it.
        assert_eq!(encoded.len(), expected.encoded_len());
    }

    #[test]
    fn a_batch_encodes_as_the_sdk_converts_it() {
        let resource = Resource::builder_empty()
            .with_schema_url(
                [KeyValue::new("service.name", "shop"), KeyValue::new("n", 3)],
                "https://opentelemetry.io/schemas/1.30.0",
            )
            .build();
        let ours = crate::pipeline::scope();
        let foreign = InstrumentationScope::builder("foreign")
            .with_version("1.2.3")
            .with_schema_url("https://example.com/schema")
            .with_attributes([KeyValue::new("scope.attribute", true)])
            .build();
        let mut root = span("root", &ours, SpanKind::Server, Status::Unset);
        root.parent_span_id = SpanId::INVALID;
        root.parent_span_is_remote = false;
        root.events = SpanEvents::default();
        root.links = SpanLinks::default();
        root.attributes = Vec::new();
        root.dropped_attributes_count = 0;
        let spans = vec![
            root,
            span("client", &foreign, SpanKind::Client, Status::Ok),
            span(
                "failed",
                &ours,
                SpanKind::Internal,
                Status::error("card declined"),
            ),
            span("producer", &foreign, SpanKind::Producer, Status::error("")),
            span("consumer", &ours, SpanKind::Consumer, Status::Unset),
        ];
        assert_same_as_the_sdk(&resource, spans);
    }

    #[test]
    fn an_empty_batch_and_an_empty_resource_encode_as_the_sdk_converts_them() {
        let resource = Resource::builder_empty().build();
        let scope = InstrumentationScope::builder("").build();
        assert_same_as_the_sdk(&resource, Vec::new());
        assert_same_as_the_sdk(
            &resource,
            vec![span("", &scope, SpanKind::Internal, Status::Unset)],
        );
    }

    // --- log records -------------------------------------------------------------------------

    fn log_record(
        provider: &opentelemetry_sdk::logs::SdkLoggerProvider,
        fill: impl FnOnce(&mut SdkLogRecord),
    ) -> SdkLogRecord {
        use opentelemetry::logs::{Logger as _, LoggerProvider as _};
        let mut record = provider.logger("encode").create_log_record();
        fill(&mut record);
        record
    }

    /// Every kind of log value, nested too.
    fn every_log_value() -> LogsAnyValue {
        let mut map = std::collections::HashMap::new();
        map.insert(opentelemetry::Key::from("n"), LogsAnyValue::Int(-7));
        map.insert(
            opentelemetry::Key::from("list"),
            LogsAnyValue::ListAny(Box::new(vec![
                LogsAnyValue::Boolean(false),
                LogsAnyValue::Double(0.0),
                LogsAnyValue::String("".into()),
                LogsAnyValue::Bytes(Box::new(vec![0, 255])),
            ])),
        );
        LogsAnyValue::Map(Box::new(map))
    }

    #[test]
    fn a_log_batch_encodes_as_the_sdk_converts_it() {
        use opentelemetry::logs::LogRecord as _;
        use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
        use opentelemetry_proto::transform::logs::tonic::group_logs_by_resource_and_scope;

        let provider = opentelemetry_sdk::logs::SdkLoggerProvider::builder().build();
        let at = |nanos| UNIX_EPOCH + Duration::from_nanos(nanos);
        let full = log_record(&provider, |r| {
            r.set_timestamp(at(1_764_460_800_000_000_001));
            r.set_observed_timestamp(at(1_764_460_800_000_000_002));
            r.set_severity_number(Severity::Warn3);
            r.set_severity_text("WARN");
            r.set_event_name("order.failed");
            r.set_body(every_log_value());
            r.add_attribute("text", "value");
            r.add_attribute("int", 42);
            r.add_attribute("bytes", LogsAnyValue::Bytes(Box::new(vec![1, 2, 3])));
            r.add_attribute("nested", every_log_value());
            r.set_trace_context(TraceId::from(5), SpanId::from(6), Some(TraceFlags::SAMPLED));
        });
        let bare = log_record(&provider, |r| {
            r.set_observed_timestamp(at(3));
        });
        let targeted = log_record(&provider, |r| {
            r.set_observed_timestamp(at(4));
            r.set_target("my_crate::module");
            r.set_severity_number(Severity::Fatal4);
            r.set_trace_context(TraceId::from(7), SpanId::from(8), None);
        });
        let ours = crate::pipeline::scope();
        let foreign = InstrumentationScope::builder("foreign")
            .with_version("2.0")
            .with_schema_url("https://example.com/schema")
            .with_attributes([KeyValue::new("left", "out")])
            .build();
        let resource = Resource::builder_empty()
            .with_attributes([KeyValue::new("service.name", "shop")])
            .build();
        let data = [
            (&full, &ours),
            (&bare, &foreign),
            (&targeted, &ours),
            (&bare, &ours),
            (&full, &foreign),
        ];
        let batch = LogBatch::new(&data);
        let encoded = export_logs_request(&EncodedResource::new(&resource), &batch);
        let mut decoded = ExportLogsServiceRequest::decode(encoded.as_slice()).expect("valid OTLP");
        let mut expected = ExportLogsServiceRequest {
            resource_logs: group_logs_by_resource_and_scope(
                &batch,
                &ResourceAttributesWithSchema::from(&resource),
            ),
        };
        let expected_len = expected.encoded_len();
        // The SDK orders scopes as a hash map iterates; signalry by first appearance.
        for request in [&mut decoded, &mut expected] {
            for resource_logs in &mut request.resource_logs {
                resource_logs
                    .scope_logs
                    .sort_by_key(|scope| scope.scope.as_ref().map(|s| s.name.clone()));
            }
        }
        assert_eq!(decoded, expected);
        assert_eq!(encoded.len(), expected_len);
        assert_eq!(decoded.resource_logs[0].scope_logs.len(), 3);
    }
}
