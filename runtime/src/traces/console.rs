//! The console span exporter: each trace printed as a tree once its local root span ends.
//!
//! ```text
//! trace 4bf92f3577b34da6a3ce929d0e0e4736 · service quickstart
//! checkout  12.4ms  server  {http.route=/cart}
//! ├─ load_cart  3.21ms  {cart.id=42}
//! │     • event cache.miss {key=cart:42}
//! └─ charge  8.02ms  ERROR: card declined  {error.type=CardError}
//!       • event payment.declined WARN card declined {amount=12.5}
//! ```
//!
//! One line per span: name, duration, kind (unless internal), status (unless unset) and
//! attributes; under it the span's events and the log records emitted inside it, then its
//! children in the order they started.
//!
//! The SDK's simple processor hands over each span as it ends, children before parents, so
//! spans wait in the shared [`TraceBuffers`](crate::console::TraceBuffers) until a *local
//! root* ends: a span without a parent, or whose parent is remote (another process's span).
//! That span's subtree is printed at once. A span whose parent was printed already (a task
//! that outlived its caller) starts a tree of its own, headed as a continuation. Spans whose
//! root never ends are printed, marked incomplete, when the buffer reaches its bound or at
//! shutdown, so nothing is lost and memory stays bounded.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId};
use opentelemetry::KeyValue;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use crate::console::{
    attributes_text, event_text, format_duration, push_plain, service_name, ConsoleOutput,
    OutputState, Palette, PendingEvent, PendingTrace, Style,
};

/// Below this depth a tree is indented; deeper spans keep the indentation of this depth, so a
/// pathologically deep trace cannot make each line (and the printed text) quadratic in size.
const MAX_INDENT_DEPTH: usize = 48;

/// Prints span trees to the shared console; meant for the SDK's simple span processor.
#[derive(Debug)]
pub(crate) struct ConsoleSpanExporter {
    out: Arc<ConsoleOutput>,
    service: Option<String>,
    shut_down: AtomicBool,
}

impl ConsoleSpanExporter {
    /// An exporter printing to `out`. From now on, log records printed to `out` inside a
    /// trace wait for that trace's tree, until this exporter shuts down.
    pub(crate) fn new(out: Arc<ConsoleOutput>) -> Self {
        out.lock().traces.attach_span_exporter();
        Self {
            out,
            service: None,
            shut_down: AtomicBool::new(false),
        }
    }

    /// Prints the subtree of a local root, or of a span whose parent was printed already;
    /// buffers any other span.
    fn accept(&self, state: &mut OutputState, span: SpanData) {
        let trace_id = span.span_context.trace_id();
        let parent = span.parent_span_id;
        let note = if parent == SpanId::INVALID {
            None
        } else if span.parent_span_is_remote {
            Some(format!("remote parent {parent}"))
        } else if state.traces.was_printed(trace_id, parent) {
            Some(format!("continues span {parent}, printed earlier"))
        } else {
            state.traces.push_span(trace_id, span);
            if state.traces.over_capacity() {
                for (trace_id, pending) in state.traces.take_oldest() {
                    self.print_incomplete(
                        state,
                        trace_id,
                        pending,
                        "incomplete, printed before its root span ended to bound memory",
                    );
                }
            }
            return;
        };
        self.print_subtree(state, span, note.as_deref());
    }

    /// Prints `root` with every buffered descendant and the log records inside them; what
    /// else is buffered for the trace stays.
    fn print_subtree(&self, state: &mut OutputState, root: SpanData, note: Option<&str>) {
        let trace_id = root.span_context.trace_id();
        let root_id = root.span_context.span_id();
        let parent = root.parent_span_id;
        let mut pending = state.traces.take(trace_id).unwrap_or_default();

        let mut children: HashMap<SpanId, Vec<SpanId>> = HashMap::new();
        for span in &pending.spans {
            children
                .entry(span.parent_span_id)
                .or_default()
                .push(span.span_context.span_id());
        }
        let mut in_tree = HashSet::from([root_id]);
        let mut to_visit = vec![root_id];
        while let Some(id) = to_visit.pop() {
            for &child in children.get(&id).into_iter().flatten() {
                if in_tree.insert(child) {
                    to_visit.push(child);
                }
            }
        }

        let (mut spans, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut pending.spans)
            .into_iter()
            .partition(|span| in_tree.contains(&span.span_context.span_id()));
        // Records emitted under a remote parent, before this root started, belong here too.
        let (events, rest_events): (Vec<_>, Vec<_>) = std::mem::take(&mut pending.events)
            .into_iter()
            .partition(|event| {
                in_tree.contains(&event.span_id)
                    || (parent != SpanId::INVALID && event.span_id == parent)
            });
        pending.spans = rest;
        pending.events = rest_events;
        state.traces.put_back(trace_id, pending);

        if root.parent_span_is_remote {
            // Later records under the remote parent have no tree left to join.
            state.traces.mark_printed(trace_id, parent);
        }
        spans.push(root);
        self.print(state, trace_id, note, &spans, events);
    }

    /// Prints a trace whose root has not ended: each fragment as its own tree.
    fn print_incomplete(
        &self,
        state: &mut OutputState,
        trace_id: TraceId,
        pending: PendingTrace,
        note: &str,
    ) {
        self.print(state, trace_id, Some(note), &pending.spans, pending.events);
    }

    /// Prints every buffered trace, marked incomplete.
    fn print_all(&self, state: &mut OutputState, note: &str) {
        for (trace_id, pending) in state.traces.take_all() {
            self.print_incomplete(state, trace_id, pending, note);
        }
    }

    fn print(
        &self,
        state: &mut OutputState,
        trace_id: TraceId,
        note: Option<&str>,
        spans: &[SpanData],
        events: Vec<PendingEvent>,
    ) {
        for span in spans {
            state
                .traces
                .mark_printed(trace_id, span.span_context.span_id());
        }
        let palette = self.out.palette();
        let mut text = header(palette, trace_id, self.service.as_deref(), note);
        render_forest(palette, spans, events, &mut text);
        state.write(&text);
    }
}

impl SpanExporter for ConsoleSpanExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        let result = if self.shut_down.load(Ordering::Acquire) {
            Err(OTelSdkError::AlreadyShutdown)
        } else {
            let mut state = self.out.lock();
            for span in batch {
                self.accept(&mut state, span);
            }
            Ok(())
        };
        std::future::ready(result)
    }

    /// Prints what is still buffered (traces whose root never ended), so that a clean
    /// shutdown loses nothing.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let mut state = self.out.lock();
        self.print_all(&mut state, "incomplete, root span still open at shutdown");
        state.traces.detach_span_exporter();
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        let mut state = self.out.lock();
        self.print_all(&mut state, "incomplete, root span still open at flush");
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.service = service_name(resource);
    }
}

impl Drop for ConsoleSpanExporter {
    /// An exporter dropped without a shutdown (its provider was never built, say) still
    /// prints what it buffered and stops log records from waiting for it.
    fn drop(&mut self) {
        let _ = self.shutdown_with_timeout(Duration::ZERO);
    }
}

/// `trace <id> · service <name> · <note>`.
fn header(
    palette: Palette,
    trace_id: TraceId,
    service: Option<&str>,
    note: Option<&str>,
) -> String {
    let mut text = format!("trace {trace_id}");
    if let Some(service) = service {
        text.push_str(" · service ");
        push_plain(&mut text, service);
    }
    if let Some(note) = note {
        text.push_str(" · ");
        text.push_str(note);
    }
    let mut line = palette.paint(Style::Dim, &text).into_owned();
    line.push('\n');
    line
}

/// Draws `spans` as trees: spans whose parent is not among them are roots, in start order.
///
/// Records whose span is not among `spans` (a span still open at shutdown, a remote parent)
/// come first, at the top level, with their span id.
fn render_forest(
    palette: Palette,
    spans: &[SpanData],
    events: Vec<PendingEvent>,
    out: &mut String,
) {
    let ids: HashSet<SpanId> = spans
        .iter()
        .map(|span| span.span_context.span_id())
        .collect();
    let mut forest = Forest {
        palette,
        children: HashMap::new(),
        events: HashMap::new(),
        visited: HashSet::new(),
    };
    let mut roots = Vec::new();
    for span in spans {
        let id = span.span_context.span_id();
        forest
            .events
            .entry(id)
            .or_default()
            .extend(span_events(palette, span));
        if ids.contains(&span.parent_span_id) {
            forest
                .children
                .entry(span.parent_span_id)
                .or_default()
                .push(span);
        } else {
            roots.push(span);
        }
    }
    for siblings in forest.children.values_mut() {
        siblings.sort_by_key(|span| span.start_time);
    }
    roots.sort_by_key(|span| span.start_time);

    let mut loose = Vec::new();
    for event in events {
        match forest.events.get_mut(&event.span_id) {
            Some(under_span) => under_span.push(event),
            None => loose.push(event),
        }
    }
    loose.sort_by_key(|event| event.time);
    for event in loose {
        let span = format!("(span {})", event.span_id);
        let _ = writeln!(out, "{}  {}", event.text, palette.paint(Style::Dim, &span));
    }

    // Malformed input (a span that is its own ancestor) has no root; such spans are drawn
    // as roots after the others rather than lost.
    for start in roots.into_iter().chain(spans) {
        forest.draw_tree(start, out);
    }
}

/// Spans grouped for drawing, and which of them are drawn already.
struct Forest<'a> {
    palette: Palette,
    /// Children of each span, in start order.
    children: HashMap<SpanId, Vec<&'a SpanData>>,
    /// Events and records under each span (every drawn span has an entry).
    events: HashMap<SpanId, Vec<PendingEvent>>,
    visited: HashSet<SpanId>,
}

/// One span's place in the drawing: the text before its line, and before its children's.
struct Frame<'a> {
    span: &'a SpanData,
    line_prefix: String,
    child_prefix: String,
    depth: usize,
}

impl<'a> Forest<'a> {
    /// Draws `start` and its descendants, unless drawn already.
    fn draw_tree(&mut self, start: &'a SpanData, out: &mut String) {
        let mut stack = vec![Frame {
            span: start,
            line_prefix: String::new(),
            child_prefix: String::new(),
            depth: 0,
        }];
        // Iterative, not recursive: a deep trace must not overflow a small thread stack.
        while let Some(frame) = stack.pop() {
            let id = frame.span.span_context.span_id();
            if !self.visited.insert(id) {
                continue;
            }
            out.push_str(&frame.line_prefix);
            out.push_str(&span_line(self.palette, frame.span));
            out.push('\n');

            let visited = &self.visited;
            let kids: Vec<&SpanData> = self
                .children
                .get(&id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|kid| !visited.contains(&kid.span_context.span_id()))
                .collect();
            let mut own_events = self.events.remove(&id).unwrap_or_default();
            own_events.sort_by_key(|event| event.time);
            // Events sit where the span's children start; the bar joins the children below.
            let bar = if kids.is_empty() { "   " } else { "│  " };
            for event in own_events {
                let _ = writeln!(out, "{}{bar}{}", frame.child_prefix, event.text);
            }

            let count = kids.len();
            for (index, kid) in kids.into_iter().enumerate().rev() {
                let (line_prefix, child_prefix) = if frame.depth < MAX_INDENT_DEPTH {
                    let (glyph, continuation) = if index + 1 == count {
                        ("└─ ", "   ")
                    } else {
                        ("├─ ", "│  ")
                    };
                    (
                        format!("{}{glyph}", frame.child_prefix),
                        format!("{}{continuation}", frame.child_prefix),
                    )
                } else {
                    (frame.line_prefix.clone(), frame.child_prefix.clone())
                };
                stack.push(Frame {
                    span: kid,
                    line_prefix,
                    child_prefix,
                    depth: frame.depth + 1,
                });
            }
        }
    }
}

/// `name  duration  kind  status  {attributes}`, leaving out what says nothing.
fn span_line(palette: Palette, span: &SpanData) -> String {
    let mut name = String::new();
    push_plain(&mut name, &span.name);
    let mut line = palette.paint(Style::Bold, &name).into_owned();

    let duration = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or_default();
    line.push_str("  ");
    line.push_str(&format_duration(duration));

    let kind = match span.span_kind {
        SpanKind::Server => Some("server"),
        SpanKind::Client => Some("client"),
        SpanKind::Producer => Some("producer"),
        SpanKind::Consumer => Some("consumer"),
        SpanKind::Internal => None,
    };
    if let Some(kind) = kind {
        line.push_str("  ");
        line.push_str(kind);
    }

    match &span.status {
        Status::Error { description } => {
            let mut status = String::from("ERROR");
            if !description.is_empty() {
                status.push_str(": ");
                push_plain(&mut status, description);
            }
            line.push_str("  ");
            line.push_str(&palette.paint(Style::Red, &status));
        }
        Status::Ok => {
            line.push_str("  ");
            line.push_str(&palette.paint(Style::Green, "OK"));
        }
        Status::Unset => {}
    }

    let attributes = attributes_text(
        span.attributes
            .iter()
            .filter(|attribute| is_shown(span, attribute))
            .map(|attribute| (&attribute.key, &attribute.value)),
    );
    let dropped = [
        (span.dropped_attributes_count, "attributes"),
        (span.events.dropped_count, "events"),
        (span.links.dropped_count, "links"),
    ];
    let mut details = vec![attributes];
    for (count, what) in dropped.into_iter().filter(|(count, _)| *count > 0) {
        details.push(format!("({count} {what} dropped)"));
    }
    for detail in details.iter().filter(|detail| !detail.is_empty()) {
        line.push_str("  ");
        line.push_str(&palette.paint(Style::Dim, detail));
    }
    line
}

/// Whether an attribute earns its place on the span's line.
fn is_shown(span: &SpanData, attribute: &KeyValue) -> bool {
    match attribute.key.as_str() {
        // Every `#[traced]` span has a code location: the same noise on every line, and the
        // function is easy to find from the span name.
        "code.file.path" | "code.line.number" | "code.column.number" => false,
        // `#[traced]` names a span after its function, so the function name usually repeats
        // the span name behind a module path. It is shown only when it says something the
        // name does not: for a span named `GET /cart`, or `charge` in `payments::charge_card`.
        "code.function.name" => !names_function(&span.name, &attribute.value.as_str()),
        _ => true,
    }
}

/// `function` is `span_name`, or a path ending in it (`shop::checkout` for `checkout`).
fn names_function(span_name: &str, function: &str) -> bool {
    function
        .strip_suffix(span_name)
        .is_some_and(|path| path.is_empty() || path.ends_with("::"))
}

/// The span's own events and links, as lines to print under it.
fn span_events(palette: Palette, span: &SpanData) -> impl Iterator<Item = PendingEvent> + '_ {
    let span_id = span.span_context.span_id();
    let links = span.links.iter().map(move |link| {
        let mut text = palette.paint(Style::Dim, "• link").into_owned();
        let _ = write!(
            text,
            " {}:{}",
            link.span_context.trace_id(),
            link.span_context.span_id()
        );
        let attributes = attributes_text(link.attributes.iter().map(|kv| (&kv.key, &kv.value)));
        if !attributes.is_empty() {
            text.push(' ');
            text.push_str(&palette.paint(Style::Dim, &attributes));
        }
        // Links are known when the span starts.
        PendingEvent {
            span_id,
            time: span.start_time,
            text,
        }
    });
    let events = span.events.iter().map(move |event| {
        let attributes = attributes_text(event.attributes.iter().map(|kv| (&kv.key, &kv.value)));
        PendingEvent {
            span_id,
            time: event.timestamp,
            text: event_text(
                palette,
                &event.name,
                &[&palette.paint(Style::Dim, &attributes)],
            ),
        }
    });
    links.chain(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::tests::{mask_durations, SharedBuffer};
    use crate::logs::console::ConsoleLogExporter;
    use opentelemetry::logs::{
        AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity,
    };
    use opentelemetry::trace::{
        Span as _, SpanContext, TraceContextExt as _, TraceFlags, TraceState, Tracer as _,
        TracerProvider as _,
    };
    use opentelemetry::Context;
    use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};
    use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

    /// A tracer and a logger printing to one in-memory console, as `init()` wires them.
    struct Console {
        buffer: SharedBuffer,
        tracer_provider: SdkTracerProvider,
        logger_provider: SdkLoggerProvider,
        tracer: SdkTracer,
        logger: SdkLogger,
    }

    impl Console {
        fn new() -> Self {
            let buffer = SharedBuffer::default();
            Self::with_output(buffer.clone(), ConsoleOutput::to_writer(Box::new(buffer)))
        }

        fn with_output(buffer: SharedBuffer, out: Arc<ConsoleOutput>) -> Self {
            let resource = Resource::builder_empty()
                .with_service_name("quickstart")
                .build();
            let tracer_provider = SdkTracerProvider::builder()
                .with_resource(resource.clone())
                .with_simple_exporter(ConsoleSpanExporter::new(Arc::clone(&out)))
                .build();
            let logger_provider = SdkLoggerProvider::builder()
                .with_resource(resource)
                .with_simple_exporter(ConsoleLogExporter::new(out))
                .build();
            let tracer = tracer_provider.tracer("test");
            let logger = logger_provider.logger("test");
            Self {
                buffer,
                tracer_provider,
                logger_provider,
                tracer,
                logger,
            }
        }

        /// Emits an event in the current context.
        fn log(
            &self,
            name: &'static str,
            severity: Severity,
            body: &'static str,
            attributes: Vec<(&'static str, AnyValue)>,
        ) {
            let mut record = self.logger.create_log_record();
            record.set_event_name(name);
            record.set_severity_number(severity);
            record.set_body(body.into());
            record.add_attributes(attributes);
            self.logger.emit(record);
        }

        /// Shuts both providers down and returns the output, durations masked.
        fn finish(self) -> String {
            self.tracer_provider.shutdown().expect("tracer shutdown");
            self.logger_provider.shutdown().expect("logger shutdown");
            self.text()
        }

        fn text(&self) -> String {
            mask_durations(&self.buffer.text())
        }
    }

    fn trace_id(cx: &Context) -> String {
        cx.span().span_context().trace_id().to_string()
    }

    #[test]
    fn a_trace_is_printed_as_a_tree_when_its_root_ends() {
        let console = Console::new();
        let tracer = &console.tracer;
        console.log(
            "app.started",
            Severity::Info,
            "ready",
            vec![("port", 8080_i64.into())],
        );

        let root = tracer
            .span_builder("checkout")
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("http.route", "/cart"),
                KeyValue::new("code.function.name", "quickstart::checkout"),
                KeyValue::new("code.file.path", "src/main.rs"),
                KeyValue::new("code.line.number", 12_i64),
            ])
            .start(tracer);
        let root = Context::current_with_span(root);

        let mut load = tracer.start_with_context("load_cart", &root);
        load.set_attribute(KeyValue::new("cart.id", 42_i64));
        load.add_event("cache.miss", vec![KeyValue::new("key", "cart:42")]);
        load.end();

        let charge = tracer
            .span_builder("charge")
            .with_attributes([KeyValue::new(
                "code.function.name",
                "quickstart::payments::charge_card",
            )])
            .start_with_context(tracer, &root);
        let charge = root.with_span(charge);
        {
            let _attached = charge.clone().attach();
            console.log(
                "payment.declined",
                Severity::Warn,
                "card declined",
                vec![("amount", 12.5.into())],
            );
        }
        charge
            .span()
            .set_attribute(KeyValue::new("error.type", "CardError"));
        charge.span().set_status(Status::error("card declined"));
        charge.span().end();

        assert_eq!(console.text(), "• event app.started INFO ready {port=8080}");
        root.span().end();

        // A record inside a span that was printed already cannot join its tree.
        {
            let _attached = charge.clone().attach();
            console.log("payment.retried", Severity::Info, "", vec![]);
        }

        let trace = trace_id(&root);
        let charge_id = charge.span().span_context().span_id();
        let expected = format!(
            "\
• event app.started INFO ready {{port=8080}}
trace {trace} · service quickstart
checkout  <dur>  server  {{http.route=/cart}}
├─ load_cart  <dur>  {{cart.id=42}}
│     • event cache.miss {{key=cart:42}}
└─ charge  <dur>  ERROR: card declined  {{code.function.name=quickstart::payments::charge_card, error.type=CardError}}
      • event payment.declined WARN card declined {{amount=12.5}}
• event payment.retried INFO  (trace {trace} span {charge_id})"
        );
        assert_eq!(console.finish(), expected);
    }

    #[test]
    fn children_are_ordered_by_start_time_and_events_sit_above_them() {
        let console = Console::new();
        let tracer = &console.tracer;
        let root = Context::current_with_span(tracer.start("root"));
        root.span().add_event("root.event", vec![]);
        let mut first = tracer.start_with_context("first", &root);
        let mut second = tracer.start_with_context("second", &root);
        let third = root.with_span(tracer.start_with_context("third", &root));
        tracer.start_with_context("grandchild", &third).end();
        third.span().end();
        second.end();
        first.add_event("late", vec![]);
        first.end();
        root.span().end();

        let trace = trace_id(&root);
        assert_eq!(
            console.finish(),
            format!(
                "\
trace {trace} · service quickstart
root  <dur>
│  • event root.event
├─ first  <dur>
│     • event late
├─ second  <dur>
└─ third  <dur>
   └─ grandchild  <dur>"
            )
        );
    }

    #[test]
    fn a_span_ending_after_its_trace_was_printed_continues_it() {
        let console = Console::new();
        let tracer = &console.tracer;
        let root = Context::current_with_span(tracer.start("handle"));
        let task = root.with_span(tracer.start_with_context("background", &root));
        root.span().end();

        tracer.start_with_context("flush", &task).end();
        {
            let _attached = task.clone().attach();
            console.log("cache.flushed", Severity::Debug, "done", vec![]);
        }
        task.span().end();

        let trace = trace_id(&root);
        let root_id = root.span().span_context().span_id();
        assert_eq!(
            console.finish(),
            format!(
                "\
trace {trace} · service quickstart
handle  <dur>
trace {trace} · service quickstart · continues span {root_id}, printed earlier
background  <dur>
│  • event cache.flushed DEBUG done
└─ flush  <dur>"
            )
        );
    }

    #[test]
    fn a_trace_whose_root_never_ends_is_printed_at_shutdown() {
        let console = Console::new();
        let tracer = &console.tracer;
        let root = Context::current_with_span(tracer.start("serve"));
        {
            let _attached = root.clone().attach();
            console.log("server.listening", Severity::Info, "listening", vec![]);
        }
        tracer.start_with_context("request", &root).end();

        assert_eq!(console.text(), "", "nothing printed while the root is open");
        let trace = trace_id(&root);
        let root_id = root.span().span_context().span_id();
        let output = console.finish();
        assert_eq!(
            output,
            format!(
                "\
trace {trace} · service quickstart · incomplete, root span still open at shutdown
• event server.listening INFO listening  (span {root_id})
request  <dur>"
            )
        );
    }

    #[test]
    fn a_local_root_under_a_remote_parent_is_printed_with_it() {
        let console = Console::new();
        let tracer = &console.tracer;
        let remote = SpanContext::new(
            TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
            SpanId::from(0x00f0_67aa_0ba9_02b7),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let remote = Context::new().with_remote_span_context(remote);
        {
            let _attached = remote.clone().attach();
            console.log("request.received", Severity::Info, "GET /cart", vec![]);
        }
        let server = tracer
            .span_builder("GET /cart")
            .with_kind(SpanKind::Server)
            .with_attributes([KeyValue::new("code.function.name", "shop::get_cart")])
            .start_with_context(tracer, &remote);
        let server = remote.with_span(server);
        server.span().set_status(Status::Ok);
        server.span().end();
        // Later records under the remote parent have no tree left to join.
        {
            let _attached = remote.clone().attach();
            console.log("request.done", Severity::Info, "", vec![]);
        }

        assert_eq!(
            console.finish(),
            "\
trace 4bf92f3577b34da6a3ce929d0e0e4736 · service quickstart · remote parent 00f067aa0ba902b7
• event request.received INFO GET /cart  (span 00f067aa0ba902b7)
GET /cart  <dur>  server  OK  {code.function.name=shop::get_cart}
• event request.done INFO  (trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7)"
        );
    }

    #[test]
    fn a_full_buffer_prints_the_oldest_trace_early_and_loses_nothing() {
        let buffer = SharedBuffer::default();
        let out = ConsoleOutput::to_writer_with_capacity(Box::new(buffer.clone()), 4);
        let console = Console::with_output(buffer, out);
        let tracer = &console.tracer;
        let roots: Vec<Context> = ["a", "b", "c"]
            .into_iter()
            .map(|name| Context::current_with_span(tracer.start(name)))
            .collect();
        for (root, name) in roots.iter().zip(["a", "b"]) {
            tracer.start_with_context(format!("{name}.1"), root).end();
            tracer.start_with_context(format!("{name}.2"), root).end();
        }
        assert_eq!(console.text(), "", "four spans fit");

        tracer.start_with_context("c.1", &roots[2]).end();
        let [a, b, c] = [0, 1, 2].map(|i| trace_id(&roots[i]));
        assert_eq!(
            console.text(),
            format!(
                "\
trace {a} · service quickstart · incomplete, printed before its root span ended to bound memory
a.1  <dur>
a.2  <dur>"
            )
        );

        roots[0].span().end();
        assert_eq!(
            console.finish(),
            format!(
                "\
trace {a} · service quickstart · incomplete, printed before its root span ended to bound memory
a.1  <dur>
a.2  <dur>
trace {a} · service quickstart
a  <dur>
trace {b} · service quickstart · incomplete, root span still open at shutdown
b.1  <dur>
b.2  <dur>
trace {c} · service quickstart · incomplete, root span still open at shutdown
c.1  <dur>"
            )
        );
    }

    #[test]
    fn shutdown_happens_once_and_stops_records_waiting_for_trees() {
        let buffer = SharedBuffer::default();
        let out = ConsoleOutput::to_writer(Box::new(buffer.clone()));
        let exporter = ConsoleSpanExporter::new(Arc::clone(&out));
        assert!(exporter.shutdown().is_ok());
        assert!(matches!(
            exporter.shutdown(),
            Err(OTelSdkError::AlreadyShutdown)
        ));
        drop(exporter);
        assert_eq!(out.lock().traces.take_all().len(), 0);
        assert!(out
            .lock()
            .traces
            .push_event(
                TraceId::from(1_u128),
                PendingEvent {
                    span_id: SpanId::from(1_u64),
                    time: std::time::SystemTime::now(),
                    text: String::new(),
                },
            )
            .is_err());
    }

    #[test]
    fn function_names_that_repeat_the_span_name_are_hidden() {
        assert!(names_function("checkout", "checkout"));
        assert!(names_function("checkout", "shop::checkout"));
        assert!(names_function("Cart::add", "shop::Cart::add"));
        assert!(!names_function("checkout", "shop::precheckout"));
        assert!(!names_function("GET /cart", "shop::get_cart"));
    }

    #[test]
    fn a_deep_trace_is_drawn_without_recursion_and_with_bounded_indentation() {
        let console = Console::new();
        let tracer = &console.tracer;
        let mut contexts = vec![Context::current_with_span(tracer.start("level 0"))];
        for level in 1..200 {
            let parent = contexts.last().cloned().unwrap_or_default();
            contexts.push(
                parent.with_span(tracer.start_with_context(format!("level {level}"), &parent)),
            );
        }
        for cx in contexts.iter().rev() {
            cx.span().end();
        }
        let output = console.finish();
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), 201);
        let widest = lines
            .iter()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0);
        assert!(widest < 3 * MAX_INDENT_DEPTH + 30, "{widest}");
        assert!(lines[200].ends_with("└─ level 199  <dur>"));
    }
}
