//! The console output shared by the embedded default exporters.
//!
//! With nothing configured, signalry prints telemetry to stderr so that a newcomer sees it
//! work without a collector: each trace as a tree once its local root span has ended, log
//! records inside the span that emitted them, and a metrics summary at shutdown.
//!
//! Spans reach an exporter child-first, as they end, so a tree can only be drawn once its
//! root has ended. [`ConsoleOutput`] therefore holds, besides the writer, a bounded buffer of
//! the spans and log records of traces whose root is still open ([`TraceBuffers`]). The span
//! exporter (`crate::traces::console`) decides when a tree is complete and draws it; the log
//! exporter (`crate::logs::console`) parks records there; the metric exporter
//! (`crate::metrics::console`) only writes. All three write under one mutex, so the lines of
//! concurrent traces never interleave.
//!
//! This module also holds the formatting every exporter shares (attribute lists, values,
//! durations, the `• event` line), so that the three signals read alike.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::{self, Write as _};
use std::io::{self, IsTerminal as _, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use opentelemetry::logs::AnyValue;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Array, Key, Value};
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;

/// How many spans and log records may wait for their trace's root span, across all traces.
///
/// Beyond it the oldest traces are printed early, as incomplete fragments, rather than
/// dropped: a trace whose root never ends (a server's lifetime span, say) must not grow
/// memory without bound, and printing loses nothing.
const MAX_BUFFERED: usize = 10_000;

/// How many already-printed spans are remembered, so that a span ending after its trace was
/// printed (a spawned task outliving its caller) is drawn under a "continues" header at once
/// instead of waiting for a root that will never come.
const MAX_REMEMBERED_SPANS: usize = 10_000;

/// The console that the embedded exporters of all three signals share.
pub(crate) struct ConsoleOutput {
    state: Mutex<OutputState>,
    palette: Palette,
}

impl ConsoleOutput {
    /// Writes to stderr; in colour when stderr is a terminal and `NO_COLOR` is not set.
    ///
    /// stderr rather than stdout, so that telemetry never mixes with a program's own output
    /// (which may be piped into another program).
    pub(crate) fn stderr() -> Arc<Self> {
        // https://no-color.org: set and non-empty means no colour.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let colour = io::stderr().is_terminal() && !no_color;
        Self::build(Box::new(io::stderr()), Palette { colour }, MAX_BUFFERED)
    }

    /// Writes plain text to `writer`: a file, or a buffer that tests read back.
    pub(crate) fn to_writer(writer: Box<dyn Write + Send>) -> Arc<Self> {
        Self::build(writer, Palette::PLAIN, MAX_BUFFERED)
    }

    /// Like [`ConsoleOutput::to_writer`], with a small buffer to exercise its bound.
    #[cfg(test)]
    pub(crate) fn to_writer_with_capacity(
        writer: Box<dyn Write + Send>,
        capacity: usize,
    ) -> Arc<Self> {
        Self::build(writer, Palette::PLAIN, capacity)
    }

    fn build(writer: Box<dyn Write + Send>, palette: Palette, capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(OutputState {
                writer,
                traces: TraceBuffers::new(capacity),
            }),
            palette,
        })
    }

    /// Locks the output. A panic elsewhere while the lock was held (poisoning) is no reason
    /// to stop printing telemetry: the state is only buffers and a writer, valid at any point.
    pub(crate) fn lock(&self) -> MutexGuard<'_, OutputState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The styles to print with.
    pub(crate) fn palette(&self) -> Palette {
        self.palette
    }
}

impl fmt::Debug for ConsoleOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsoleOutput")
            .field("palette", &self.palette)
            .finish_non_exhaustive()
    }
}

/// What [`ConsoleOutput`] guards: the writer and the traces waiting for their root span.
pub(crate) struct OutputState {
    writer: Box<dyn Write + Send>,
    /// Spans and log records of traces whose local root span has not ended yet.
    pub(crate) traces: TraceBuffers,
}

impl OutputState {
    /// Writes `text` (whole lines, each ending in `\n`) and flushes.
    pub(crate) fn write(&mut self, text: &str) {
        // The writer may be the application's own (a file wrapper, say): telemetry it emits
        // while the output is locked would come back here and deadlock, so there is none.
        let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
        // A console that cannot be written to (stderr closed, a full pipe) must not fail the
        // application, and there is nowhere left to report it: the text is lost.
        let _ = self
            .writer
            .write_all(text.as_bytes())
            .and_then(|()| self.writer.flush());
    }
}

/// Spans and log records waiting for the local root span of their trace to end.
pub(crate) struct TraceBuffers {
    pending: HashMap<TraceId, PendingTrace>,
    /// Spans plus events in `pending`.
    buffered: usize,
    capacity: usize,
    /// Arrival order of traces, to evict the oldest first.
    next_seq: u64,
    printed: RecentSpans,
    /// Live console span exporters. Without one, no tree will ever be drawn, so log records
    /// are printed at once instead of being parked.
    span_exporters: usize,
}

/// The buffered part of one trace.
#[derive(Default)]
pub(crate) struct PendingTrace {
    seq: u64,
    /// Ended spans, in the order they ended.
    pub(crate) spans: Vec<SpanData>,
    /// Log records emitted inside spans of this trace, already rendered.
    pub(crate) events: Vec<PendingEvent>,
}

impl PendingTrace {
    fn len(&self) -> usize {
        self.spans.len() + self.events.len()
    }
}

/// A rendered `• event …` line waiting to be printed under the span that emitted it.
#[derive(Debug)]
pub(crate) struct PendingEvent {
    /// The span the event belongs under.
    pub(crate) span_id: SpanId,
    /// When it happened; events under one span are printed in this order.
    pub(crate) time: SystemTime,
    /// The line, without indentation or newline.
    pub(crate) text: String,
}

impl TraceBuffers {
    fn new(capacity: usize) -> Self {
        Self {
            pending: HashMap::new(),
            buffered: 0,
            capacity,
            next_seq: 0,
            printed: RecentSpans::new(MAX_REMEMBERED_SPANS),
            span_exporters: 0,
        }
    }

    /// A console span exporter was created: from now on log records inside a trace wait for
    /// its tree.
    pub(crate) fn attach_span_exporter(&mut self) {
        self.span_exporters += 1;
    }

    /// A console span exporter shut down (after printing everything buffered).
    pub(crate) fn detach_span_exporter(&mut self) {
        self.span_exporters = self.span_exporters.saturating_sub(1);
    }

    /// Parks an ended span until its local root ends. The caller checks
    /// [`TraceBuffers::over_capacity`] afterwards.
    pub(crate) fn push_span(&mut self, trace_id: TraceId, span: SpanData) {
        self.entry(trace_id).spans.push(span);
        self.buffered += 1;
    }

    /// Parks a rendered log record under its span, or gives it back when it should be
    /// printed at once: no console span exporter will draw its trace, its span was printed
    /// already, or the buffer is full.
    pub(crate) fn push_event(
        &mut self,
        trace_id: TraceId,
        event: PendingEvent,
    ) -> Result<(), PendingEvent> {
        if self.span_exporters == 0
            || self.buffered >= self.capacity
            || self.printed.contains(&(trace_id, event.span_id))
        {
            return Err(event);
        }
        self.entry(trace_id).events.push(event);
        self.buffered += 1;
        Ok(())
    }

    fn entry(&mut self, trace_id: TraceId) -> &mut PendingTrace {
        let next_seq = &mut self.next_seq;
        self.pending.entry(trace_id).or_insert_with(|| {
            *next_seq += 1;
            PendingTrace {
                seq: *next_seq,
                ..PendingTrace::default()
            }
        })
    }

    /// Removes and returns what is buffered for `trace_id`.
    pub(crate) fn take(&mut self, trace_id: TraceId) -> Option<PendingTrace> {
        let taken = self.pending.remove(&trace_id)?;
        self.buffered = self.buffered.saturating_sub(taken.len());
        Some(taken)
    }

    /// Returns what [`TraceBuffers::take`] took but did not print (another local root's
    /// spans, say), keeping its place in the eviction order.
    pub(crate) fn put_back(&mut self, trace_id: TraceId, rest: PendingTrace) {
        if rest.len() == 0 {
            return;
        }
        self.buffered += rest.len();
        self.pending.insert(trace_id, rest);
    }

    /// More is buffered than the bound allows.
    pub(crate) fn over_capacity(&self) -> bool {
        self.buffered > self.capacity
    }

    /// Removes the oldest traces until a quarter of the capacity is free again, so that an
    /// overflowing buffer is not scanned again on every following span.
    pub(crate) fn take_oldest(&mut self) -> Vec<(TraceId, PendingTrace)> {
        let target = self.capacity - self.capacity / 4;
        let mut by_age: Vec<(u64, TraceId)> = self
            .pending
            .iter()
            .map(|(trace_id, pending)| (pending.seq, *trace_id))
            .collect();
        by_age.sort_unstable_by_key(|(seq, _)| *seq);
        let mut taken = Vec::new();
        for (_, trace_id) in by_age {
            if self.buffered <= target {
                break;
            }
            if let Some(pending) = self.take(trace_id) {
                taken.push((trace_id, pending));
            }
        }
        taken
    }

    /// Removes every buffered trace, oldest first.
    pub(crate) fn take_all(&mut self) -> Vec<(TraceId, PendingTrace)> {
        let mut all: Vec<(TraceId, PendingTrace)> = self.pending.drain().collect();
        all.sort_unstable_by_key(|(_, pending)| pending.seq);
        self.buffered = 0;
        all
    }

    /// Remembers that a span has been printed: its late children start a continuation
    /// tree, its late log records are printed at once.
    pub(crate) fn mark_printed(&mut self, trace_id: TraceId, span_id: SpanId) {
        self.printed.insert((trace_id, span_id));
    }

    /// Whether the span was printed recently.
    pub(crate) fn was_printed(&self, trace_id: TraceId, span_id: SpanId) -> bool {
        self.printed.contains(&(trace_id, span_id))
    }
}

/// A set that forgets its oldest members beyond a capacity.
struct RecentSpans {
    order: VecDeque<(TraceId, SpanId)>,
    members: HashSet<(TraceId, SpanId)>,
    capacity: usize,
}

impl RecentSpans {
    fn new(capacity: usize) -> Self {
        Self {
            order: VecDeque::new(),
            members: HashSet::new(),
            capacity,
        }
    }

    fn insert(&mut self, id: (TraceId, SpanId)) {
        if !self.members.insert(id) {
            return;
        }
        self.order.push_back(id);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.members.remove(&oldest);
            }
        }
    }

    fn contains(&self, id: &(TraceId, SpanId)) -> bool {
        self.members.contains(id)
    }
}

/// The resource's `service.name`, shown in trace headers and the metrics summary.
pub(crate) fn service_name(resource: &Resource) -> Option<String> {
    resource
        .get(&Key::from_static_str("service.name"))
        .map(|name| name.as_str().into_owned())
}

/// Text styles; all of them are no-ops when the palette is plain.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Style {
    /// Span names.
    Bold,
    /// Headers, attributes, secondary details.
    Dim,
    /// Errors.
    Red,
    /// Warnings.
    Yellow,
    /// Informational severities.
    Green,
}

/// Whether to print ANSI colours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Palette {
    colour: bool,
}

impl Palette {
    /// No escape codes.
    pub(crate) const PLAIN: Self = Self { colour: false };

    /// `text` in `style`.
    pub(crate) fn paint(self, style: Style, text: &str) -> Cow<'_, str> {
        if !self.colour || text.is_empty() {
            return Cow::Borrowed(text);
        }
        let code = match style {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::Yellow => "33",
            Style::Green => "32",
        };
        Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
    }
}

/// The line of one event (a span event or a log record): `• event <name> <parts…>`, where
/// empty parts are left out.
pub(crate) fn event_text(palette: Palette, name: &str, parts: &[&str]) -> String {
    let mut text = palette.paint(Style::Dim, "• event").into_owned();
    text.push(' ');
    push_plain(&mut text, name);
    // The parts come styled by the caller (a severity in its colour, attributes dimmed).
    for part in parts.iter().filter(|part| !part.is_empty()) {
        text.push(' ');
        text.push_str(part);
    }
    text
}

/// Attributes as `{key=value, …}`, or an empty string when there are none.
pub(crate) fn attributes_text<'a, V>(
    attributes: impl IntoIterator<Item = (&'a Key, &'a V)>,
) -> String
where
    V: ConsoleValue + 'a,
{
    let mut text = String::new();
    for (key, value) in attributes {
        text.push_str(if text.is_empty() { "{" } else { ", " });
        push_plain(&mut text, key.as_str());
        text.push('=');
        value.write_console(&mut text);
    }
    if !text.is_empty() {
        text.push('}');
    }
    text
}

/// A value that can be printed on the console: attribute values of spans and metrics
/// ([`Value`]) and of log records ([`AnyValue`]).
pub(crate) trait ConsoleValue {
    /// Appends the value: numbers and booleans as they are, strings bare unless they would
    /// be ambiguous (see [`push_string`]), arrays as `[a, b]`.
    fn write_console(&self, out: &mut String);
}

impl ConsoleValue for Value {
    fn write_console(&self, out: &mut String) {
        match self {
            Value::Bool(value) => push_display(out, value),
            Value::I64(value) => push_display(out, value),
            Value::F64(value) => push_display(out, value),
            Value::String(value) => push_string(out, value.as_str()),
            Value::Array(Array::Bool(values)) => push_list(out, values, push_display),
            Value::Array(Array::I64(values)) => push_list(out, values, push_display),
            Value::Array(Array::F64(values)) => push_list(out, values, push_display),
            Value::Array(Array::String(values)) => {
                push_list(out, values, |out, value| push_string(out, value.as_str()));
            }
            // Both enums are non-exhaustive; a future variant still prints, if less nicely.
            other => push_string(out, &other.to_string()),
        }
    }
}

impl ConsoleValue for AnyValue {
    fn write_console(&self, out: &mut String) {
        match self {
            AnyValue::Int(value) => push_display(out, value),
            AnyValue::Double(value) => push_display(out, value),
            AnyValue::Boolean(value) => push_display(out, value),
            AnyValue::String(value) => push_string(out, value.as_str()),
            AnyValue::Bytes(bytes) => {
                let _ = write!(out, "<{} bytes>", bytes.len());
            }
            AnyValue::ListAny(values) => push_list(out, values, |out, value| {
                value.write_console(out);
            }),
            AnyValue::Map(map) => {
                // Sorted, so that the same map always prints the same way.
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable_by(|(a, _), (b, _)| a.as_str().cmp(b.as_str()));
                let text = attributes_text(entries);
                out.push_str(if text.is_empty() { "{}" } else { &text });
            }
            other => push_string(out, &format!("{other:?}")),
        }
    }
}

fn push_display(out: &mut String, value: &impl fmt::Display) {
    let _ = write!(out, "{value}");
}

fn push_list<T>(out: &mut String, values: &[T], mut push: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        push(out, value);
    }
    out.push(']');
}

/// Appends a string value, quoted (with escapes) only when bare text would be ambiguous:
/// empty, or containing whitespace, a control character, a quote or a comma. Most values
/// (`/cart`, `GET`, `CardError`) stay bare and easy to read.
pub(crate) fn push_string(out: &mut String, value: &str) {
    let ambiguous = value.is_empty()
        || value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == ',');
    if ambiguous {
        let _ = write!(out, "{value:?}");
    } else {
        out.push_str(value);
    }
}

/// Appends free text (a name, a log body) as it is, except that control characters are
/// escaped: a newline in a value must not break the tree.
pub(crate) fn push_plain(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}

/// A duration for people: `850ns`, `12.3µs`, `4.56ms`, `1.20s`; two decimals below 10,
/// one below 100, none above, so that every duration is three or four digits long.
pub(crate) fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    let (value, unit) = if nanos < 1_000_000 {
        (nanos as f64 / 1e3, "µs")
    } else if nanos < 1_000_000_000 {
        (nanos as f64 / 1e6, "ms")
    } else {
        (nanos as f64 / 1e9, "s")
    };
    if value < 10.0 {
        format!("{value:.2}{unit}")
    } else if value < 100.0 {
        format!("{value:.1}{unit}")
    } else {
        format!("{value:.0}{unit}")
    }
}

/// A measurement for people: integers as integers, other values to four significant
/// digits (`0.3`, not `0.30000000000000004`), very small ones in scientific notation.
pub(crate) fn format_f64(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    if value.abs() < 1e-6 {
        return format!("{value:.3e}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = usize::try_from(3 - magnitude).unwrap_or(0);
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A writer that tests can read back; clones share the buffer.
    #[derive(Clone, Default)]
    pub(crate) struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

    impl SharedBuffer {
        /// Everything written so far.
        pub(crate) fn text(&self) -> String {
            let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            String::from_utf8(bytes.clone()).expect("console output is UTF-8")
        }
    }

    impl Write for SharedBuffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The output of a future that is ready at once, as the exporters' futures are.
    pub(crate) fn poll_ready<T>(future: impl std::future::Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("console exporters never wait"),
        }
    }

    /// Replaces every duration word (`12.3µs`, `850ns`) by `<dur>`, as durations vary.
    pub(crate) fn mask_durations(text: &str) -> String {
        text.lines()
            .map(|line| {
                line.split(' ')
                    .map(|word| if is_duration(word) { "<dur>" } else { word })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn is_duration(word: &str) -> bool {
        ["ns", "µs", "ms", "s"].iter().any(|unit| {
            word.strip_suffix(unit).is_some_and(|number| {
                !number.is_empty()
                    && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && number.chars().next().is_some_and(|c| c.is_ascii_digit())
            })
        })
    }

    #[test]
    fn durations_read_as_three_or_four_digits() {
        assert_eq!(format_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(format_duration(Duration::from_nanos(1_234)), "1.23µs");
        assert_eq!(format_duration(Duration::from_nanos(12_345)), "12.3µs");
        assert_eq!(format_duration(Duration::from_micros(4_560)), "4.56ms");
        assert_eq!(format_duration(Duration::from_micros(250_400)), "250ms");
        assert_eq!(format_duration(Duration::from_millis(1_200)), "1.20s");
        assert_eq!(format_duration(Duration::from_secs(75)), "75.0s");
    }

    #[test]
    fn measurements_are_rounded_to_four_significant_digits() {
        assert_eq!(format_f64(3.0), "3");
        assert_eq!(format_f64(0.1 + 0.2), "0.3");
        assert_eq!(format_f64(12.5), "12.5");
        assert_eq!(format_f64(10.0 / 3.0), "3.333");
        assert_eq!(format_f64(0.000_123_4), "0.0001234");
        assert_eq!(format_f64(12_345.67), "12346");
        assert_eq!(format_f64(-2.5), "-2.5");
        assert_eq!(format_f64(1e-9), "1.000e-9");
        assert_eq!(format_f64(f64::NAN), "NaN");
    }

    #[test]
    fn strings_are_quoted_only_when_bare_text_would_be_ambiguous() {
        let attributes = [
            (Key::new("route"), Value::from("/cart/{id}")),
            (Key::new("message"), Value::from("card declined")),
            (Key::new("empty"), Value::from("")),
            (Key::new("quote"), Value::from("say \"hi\"")),
            (Key::new("line"), Value::from("a\nb")),
            (Key::new("count"), Value::from(3_i64)),
            (Key::new("ratio"), Value::from(0.5)),
            (Key::new("ok"), Value::from(true)),
            (
                Key::new("tags"),
                Value::Array(Array::String(vec!["a".into(), "b c".into()])),
            ),
            (Key::new("ids"), Value::Array(Array::I64(vec![1, 2]))),
        ];
        assert_eq!(
            attributes_text(attributes.iter().map(|(key, value)| (key, value))),
            r#"{route=/cart/{id}, message="card declined", empty="", quote="say \"hi\"", line="a\nb", count=3, ratio=0.5, ok=true, tags=[a, "b c"], ids=[1, 2]}"#
        );
        assert_eq!(attributes_text(std::iter::empty::<(&Key, &Value)>()), "");
    }

    #[test]
    fn log_values_print_like_attribute_values() {
        let map: HashMap<Key, AnyValue> = [
            (Key::new("b"), AnyValue::from(2_i64)),
            (Key::new("a"), AnyValue::from("x y")),
        ]
        .into_iter()
        .collect();
        let values = [
            (
                Key::new("list"),
                AnyValue::ListAny(Box::new(vec![1_i64.into(), "z".into()])),
            ),
            (Key::new("map"), AnyValue::Map(Box::new(map))),
            (Key::new("bytes"), AnyValue::Bytes(Box::new(vec![1, 2, 3]))),
        ];
        assert_eq!(
            attributes_text(values.iter().map(|(key, value)| (key, value))),
            r#"{list=[1, z], map={a="x y", b=2}, bytes=<3 bytes>}"#
        );
    }

    #[test]
    fn control_characters_in_free_text_are_escaped() {
        let mut out = String::new();
        push_plain(&mut out, "line one\nline\ttwo");
        assert_eq!(out, r"line one\nline\ttwo");
    }

    #[test]
    fn colour_is_only_applied_when_enabled() {
        assert_eq!(Palette::PLAIN.paint(Style::Red, "ERROR"), "ERROR");
        let colour = Palette { colour: true };
        assert_eq!(colour.paint(Style::Red, "ERROR"), "\x1b[31mERROR\x1b[0m");
        assert_eq!(colour.paint(Style::Bold, ""), "");
    }

    #[test]
    fn remembered_spans_are_bounded() {
        let mut recent = RecentSpans::new(2);
        let id = |n: u64| (TraceId::from(1_u128), SpanId::from(n));
        recent.insert(id(1));
        recent.insert(id(2));
        recent.insert(id(2));
        recent.insert(id(3));
        assert!(!recent.contains(&id(1)));
        assert!(recent.contains(&id(2)) && recent.contains(&id(3)));
        assert_eq!(recent.order.len(), 2);
    }
}
