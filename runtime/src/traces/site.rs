//! The spans of `#[traced]` calls, recorded by signalry itself.
//!
//! The SDK's tracer builds every span for any caller: it asks a boxed sampler, draws ids from a
//! shared generator, copies the tracer's scope into each span and, when the span ends, builds a
//! `SpanData` and sends it over the batch processor's channel, all on the instrumented thread.
//! A `#[traced]` site knows its name, kind and code location at compile time, so its span
//! needs far less:
//!
//! - **Start**: the sampler is matched in place, ids come from a per-thread generator, the
//!   time from the TSC clock; the span is a [`SiteSpan`] put into the OpenTelemetry
//!   [`Context`] like any other span, so that `tracing-opentelemetry`, propagators, events and
//!   `Span::current()` see it and nest under it. Only the call's own attributes are stored:
//!   the `code.*` ones come from the site later.
//! - **End**: the finished record goes to a buffer owned by the ending thread (an uncontended
//!   lock: no other thread touches it between collections).
//! - **Export**: a background thread collects every thread's buffer, turns each record into
//!   standard `SpanData` (adding the site's `code.*` attributes and the scope) and hands it to
//!   the batch processor, which exports OTLP as before. `force_flush` and `shutdown` collect
//!   first, so nothing recorded is lost on a clean shutdown.
//!
//! Spans made through the SDK tracer by other code (`tracing-opentelemetry`, the
//! `opentelemetry` API) reach the same processors through [`Registered`].

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, Link, SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId,
};
use opentelemetry::{Context, InstrumentationScope, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks, SpanProcessor};
use opentelemetry_sdk::Resource;

use super::{Parent, SpanSite, SpanStart};
use crate::config::{ParentRoot, SamplerConfig};
use crate::pool::{Delivery, Local, Pool, Processors, Reusable};
use crate::testing::CaptureTarget;

/// The SDK's default span limits, which signalry's spans keep too.
const MAX_ATTRIBUTES: usize = 128;
const MAX_EVENTS: usize = 128;
const MAX_LINKS: usize = 128;

/// Where one pipeline's `#[traced]` spans go.
pub(crate) struct SiteSpans {
    sampler: SamplerConfig,
    scope: InstrumentationScope,
    processors: Processors<dyn SpanProcessor>,
    /// Buffers, batches, lanes and shutdown.
    pub(crate) delivery: Delivery,
}

impl fmt::Debug for SiteSpans {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteSpans")
            .field("sampler", &self.sampler)
            .field("processors", &self.processors)
            .finish_non_exhaustive()
    }
}

impl SiteSpans {
    pub(crate) fn new(
        sampler: SamplerConfig,
        scope: InstrumentationScope,
        processors: Processors<dyn SpanProcessor>,
        batch: crate::config::BatchConfig,
    ) -> Self {
        crate::clock::anchor();
        Self {
            sampler,
            scope,
            delivery: Delivery::new(batch, processors.lanes.len()),
            processors,
        }
    }

    /// Starts a span for `site` under the parent `start` names, and returns the context that
    /// holds it.
    pub(super) fn start(&self, site: &'static SpanSite, start: SpanStart) -> Context {
        // Read in place: the current context is not cloned, only what the new one shares.
        Context::map_current(|current| self.start_under(current, site, start))
    }

    fn start_under(&self, current: &Context, site: &'static SpanSite, start: SpanStart) -> Context {
        match self.begin(current, site, start) {
            // The capture mark and baggage stay whatever the parent: only the span is new.
            Ok(record) => current.with_span(SiteSpan {
                span_context: record.span_context.clone(),
                record: Some(record),
            }),
            // Nothing to record: the context carries the ids alone (no span object), so that
            // children and propagation see the decision. Not marked remote: it is local.
            Err(span_context) => current.with_remote_span_context(span_context),
        }
    }

    /// Starts a span for `site` that is not made current, under the parent `start` names;
    /// returns its record when it is sampled.
    pub(super) fn start_leaf(
        &self,
        site: &'static SpanSite,
        start: SpanStart,
    ) -> Option<Box<Record>> {
        Context::map_current(|current| self.begin(current, site, start).ok())
    }

    /// A new span: its record, filled in, when it is sampled; else its context alone.
    fn begin(
        &self,
        current: &Context,
        site: &'static SpanSite,
        start: SpanStart,
    ) -> Result<Box<Record>, SpanContext> {
        let SpanStart {
            mut record,
            parent,
            links,
        } = start;
        let parent = match parent {
            Parent::Current => current.span().span_context().clone(),
            Parent::Root => SpanContext::empty_context(),
            Parent::Explicit(span_context) => span_context,
        };
        let (trace_id, parent_span_id, trace_state) = if parent.is_valid() {
            (
                parent.trace_id(),
                parent.span_id(),
                parent.trace_state().clone(),
            )
        } else {
            (Ids::trace_id(), SpanId::INVALID, Default::default())
        };
        // The SDK's own work (an export) records nothing, so that it never feeds itself.
        let sampled = !current.is_telemetry_suppressed() && self.samples(&parent, trace_id);
        let flags = if sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        };
        let span_context = SpanContext::new(trace_id, Ids::span_id(), flags, false, trace_state);
        if !sampled {
            SPANS.recycle(record);
            return Err(span_context);
        }
        record.site = site;
        record.span_context = span_context;
        record.parent_span_id = parent_span_id;
        record.parent_is_remote = parent.is_remote();
        record.start = crate::clock::now();
        if !links.is_empty() {
            let rare = record.rare();
            rare.dropped_links = count(links.len().saturating_sub(MAX_LINKS));
            rare.links = links
                .into_iter()
                .take(MAX_LINKS)
                .map(Link::with_context)
                .collect();
        }
        record.capture = crate::testing::capture_target(current);
        Ok(record)
    }

    /// The sampling decision of the configured sampler, as the SDK's samplers make it.
    fn samples(&self, parent: &SpanContext, trace_id: TraceId) -> bool {
        match self.sampler {
            SamplerConfig::AlwaysOn => true,
            SamplerConfig::AlwaysOff => false,
            SamplerConfig::TraceIdRatio(ratio) => ratio_samples(ratio, trace_id),
            SamplerConfig::ParentBased(root) => {
                if parent.is_valid() {
                    parent.is_sampled()
                } else {
                    match root {
                        ParentRoot::AlwaysOn => true,
                        ParentRoot::AlwaysOff => false,
                        ParentRoot::TraceIdRatio(ratio) => ratio_samples(ratio, trace_id),
                    }
                }
            }
        }
    }

    /// A span has ended: to the immediate processors and the capture now, to the batch
    /// processors through this thread's buffer.
    fn finish(&self, mut record: Box<Record>) {
        if let Some(capture) = record.capture.take() {
            capture.span(self.span_data(&mut record.clone()));
        }
        for processor in &self.processors.immediate {
            processor.on_end(self.span_data(&mut record.clone()));
        }
        if self.delivery.open() {
            SPANS.push(record, self.delivery.max_buffered);
        } else {
            SPANS.recycle(record);
        }
    }

    /// The standard form of a finished span: the site's `code.*` attributes first, then the
    /// call's own. The record is left empty, ready to be used again.
    fn span_data(&self, record: &mut Record) -> SpanData {
        let site = record.site;
        let names = site.names();
        let rare = record.rare.take().map_or_else(Rare::default, |rare| *rare);
        let attributes = std::mem::take(&mut record.attributes).into_vec([
            KeyValue::new("code.function.name", names.function),
            KeyValue::new("code.file.path", site.file),
            KeyValue::new("code.line.number", i64::from(site.line)),
        ]);
        SpanData {
            span_context: std::mem::replace(&mut record.span_context, SpanContext::empty_context()),
            parent_span_id: record.parent_span_id,
            parent_span_is_remote: record.parent_is_remote,
            span_kind: site.kind.clone(),
            name: rare.name.unwrap_or(Cow::Borrowed(names.span)),
            start_time: crate::clock::system_time(record.start),
            end_time: crate::clock::system_time(record.end),
            attributes,
            dropped_attributes_count: std::mem::take(&mut record.dropped_attributes),
            events: events(rare.events, rare.dropped_events),
            links: links(rare.links, rare.dropped_links),
            status: rare.status,
            instrumentation_scope: self.scope.clone(),
        }
    }

    /// Takes every thread's buffered spans and hands them to the batch processors.
    pub(crate) fn collect(&self) {
        self.delivery.collect(
            &SPANS,
            |lane, record| self.processors.lanes[lane].on_end(self.span_data(record)),
            || self.processors.flush_lanes(),
        );
    }
}

/// The SDK's `TraceIdRatioBased` rule: the trace id's low 63 bits below `ratio · 2⁶³`.
fn ratio_samples(ratio: f64, trace_id: TraceId) -> bool {
    if ratio >= 1.0 {
        return true;
    }
    let bound = (ratio.max(0.0) * (1u64 << 63) as f64) as u64;
    let low = u128::from_be_bytes(trace_id.to_bytes()) as u64;
    (low >> 1) < bound
}

/// An event's or a link's attributes within the span limit, and how many were dropped.
fn within_limit(mut attributes: Vec<KeyValue>) -> (Vec<KeyValue>, u32) {
    let dropped = count(attributes.len().saturating_sub(MAX_ATTRIBUTES));
    attributes.truncate(MAX_ATTRIBUTES);
    (attributes, dropped)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn events(events: Vec<Event>, dropped_count: u32) -> SpanEvents {
    let mut out = SpanEvents::default();
    out.events = events;
    out.dropped_count = dropped_count;
    out
}

fn links(links: Vec<Link>, dropped_count: u32) -> SpanLinks {
    let mut out = SpanLinks::default();
    out.links = links;
    out.dropped_count = dropped_count;
    out
}

/// The pipeline's [`SiteSpans`] as a processor of the SDK's tracer provider: spans that other
/// code makes through the SDK go to the same processors, and flushing or shutting the
/// provider down collects the threads' buffers first.
pub(crate) struct Registered(pub(crate) Arc<SiteSpans>);

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl SpanProcessor for Registered {
    fn on_start(&self, _span: &mut opentelemetry_sdk::trace::Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        for processor in &self.0.processors.immediate {
            processor.on_end(span.clone());
        }
        if let Some(lane) = self.0.processors.lanes.first() {
            lane.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.collect();
        self.0.processors.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.collect();
        self.0
            .delivery
            .shut(&SPANS, || self.0.processors.shutdown(timeout))
    }

    /// The exporters were given the resource when the pipeline was built.
    fn set_resource(&mut self, _resource: &Resource) {}
}

/// A `#[traced]` call's span as the OpenTelemetry context holds it.
struct SiteSpan {
    span_context: SpanContext,
    /// What is recorded; `None` when not sampled, and once ended.
    record: Option<Box<Record>>,
}

/// A recording span's data. Boxed once and used again: the collector empties it and gives it
/// back to the thread that recorded it, so that a span allocates nothing for its record, moves
/// no more than a pointer, and no thread frees another's memory.
#[derive(Clone)]
pub(crate) struct Record {
    site: &'static SpanSite,
    span_context: SpanContext,
    parent_span_id: SpanId,
    parent_is_remote: bool,
    /// Nanoseconds since the Unix epoch; turned into `SystemTime` at export.
    start: u64,
    end: u64,
    /// The call's own attributes; the site's `code.*` are added at export.
    attributes: Attributes,
    dropped_attributes: u32,
    /// What few spans have, kept out of line so that the record stays small.
    rare: Option<Box<Rare>>,
    /// The test capture the span was started in, if any.
    capture: Option<CaptureTarget>,
}

/// The site of a record not yet started: never exported, since only started records are.
static UNSTARTED: SpanSite = SpanSite::new(
    Some("unstarted"),
    "",
    || "",
    "",
    0,
    opentelemetry::trace::SpanKind::Internal,
);

impl Default for Record {
    fn default() -> Self {
        Self {
            site: &UNSTARTED,
            span_context: SpanContext::empty_context(),
            parent_span_id: SpanId::INVALID,
            parent_is_remote: false,
            start: 0,
            end: 0,
            attributes: Attributes::default(),
            dropped_attributes: 0,
            rare: None,
            capture: None,
        }
    }
}

impl Record {
    /// An empty record from this thread's spares.
    #[inline]
    pub(crate) fn take() -> Box<Self> {
        SPANS.take()
    }

    /// Adds an attribute; beyond the span limit it is dropped and counted.
    #[inline]
    pub(crate) fn attribute(&mut self, attribute: KeyValue) {
        if !self.attributes.push(attribute) {
            self.dropped_attributes = self.dropped_attributes.saturating_add(1);
        }
    }

    /// As the specification orders statuses: `Ok` is final, `Error` replaces `Unset`.
    pub(crate) fn set_status(&mut self, status: Status) {
        let rare = self.rare();
        if status > rare.status {
            rare.status = status;
        }
    }

    /// Ends the span at `nanos` since the Unix epoch (never before its start, even when the
    /// clock was re-anchored in between) and sends it; nothing is sent when telemetry shut
    /// down while the span ran.
    pub(crate) fn end(mut self: Box<Self>, nanos: u64) {
        self.end = nanos.max(self.start);
        crate::state::with_current(|pipeline| pipeline.site_spans.finish(self));
    }

    fn rare(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

thread_local! {
    static LOCAL: Local<Record> = const { Local::new() };
}

/// Every thread's ended spans.
static SPANS: Pool<Record> = Pool::new();

impl Reusable for Record {
    const WHAT: &'static str = "spans";
    const QUEUE_VARIABLE: &'static str = "OTEL_BSP_MAX_QUEUE_SIZE";

    #[inline]
    fn local() -> &'static std::thread::LocalKey<Local<Self>> {
        &LOCAL
    }

    /// Only what holds memory or must start empty: the ids, times and site are written by
    /// every start, so an emptied record is not rewritten whole.
    fn clear(&mut self) {
        self.attributes.clear();
        self.dropped_attributes = 0;
        self.rare = None;
        self.capture = None;
    }
}

/// A span's name change, events, links and status.
#[derive(Clone, Default)]
struct Rare {
    /// Set by `update_name`; otherwise the site's name.
    name: Option<Cow<'static, str>>,
    events: Vec<Event>,
    dropped_events: u32,
    links: Vec<Link>,
    dropped_links: u32,
    status: Status,
}

impl fmt::Debug for SiteSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteSpan")
            .field("span_context", &self.span_context)
            .field("recording", &self.record.is_some())
            .finish()
    }
}

impl opentelemetry::trace::Span for SiteSpan {
    fn add_event_with_timestamp<T>(
        &mut self,
        name: T,
        timestamp: SystemTime,
        attributes: Vec<KeyValue>,
    ) where
        T: Into<Cow<'static, str>>,
    {
        if let Some(record) = &mut self.record {
            let record = record.rare();
            if record.events.len() >= MAX_EVENTS {
                record.dropped_events = record.dropped_events.saturating_add(1);
                return;
            }
            let (attributes, dropped) = within_limit(attributes);
            record
                .events
                .push(Event::new(name, timestamp, attributes, dropped));
        }
    }

    fn span_context(&self) -> &SpanContext {
        &self.span_context
    }

    fn is_recording(&self) -> bool {
        self.record.is_some()
    }

    fn set_attribute(&mut self, attribute: KeyValue) {
        if let Some(record) = &mut self.record {
            record.attribute(attribute);
        }
    }

    fn set_status(&mut self, status: Status) {
        if let Some(record) = &mut self.record {
            record.set_status(status);
        }
    }

    fn update_name<T>(&mut self, new_name: T)
    where
        T: Into<Cow<'static, str>>,
    {
        if let Some(record) = &mut self.record {
            record.rare().name = Some(new_name.into());
        }
    }

    fn add_link(&mut self, span_context: SpanContext, attributes: Vec<KeyValue>) {
        if let Some(record) = &mut self.record {
            if !span_context.is_valid() {
                return;
            }
            let record = record.rare();
            if record.links.len() >= MAX_LINKS {
                record.dropped_links = record.dropped_links.saturating_add(1);
                return;
            }
            let (attributes, dropped) = within_limit(attributes);
            record
                .links
                .push(Link::new(span_context, attributes, dropped));
        }
    }

    fn end_with_timestamp(&mut self, timestamp: SystemTime) {
        if let Some(record) = self.record.take() {
            record.end(crate::clock::nanos_since_epoch(timestamp));
        }
    }
}

// --- attributes ----------------------------------------------------------------------------

/// Attributes stored in the span while it runs: the first few in place, so that a call with
/// few arguments allocates nothing for them on the instrumented thread (the memory would be
/// freed by the exporting thread, and a cross-thread free contends with the caller's next
/// allocation).
#[derive(Clone, Debug, Default)]
pub(crate) struct Attributes {
    inline: [Option<KeyValue>; INLINE_ATTRIBUTES],
    more: Vec<KeyValue>,
}

/// Attributes a span holds without allocating.
const INLINE_ATTRIBUTES: usize = 3;

impl Attributes {
    /// Empties the attributes, keeping the capacity of the overflow list.
    fn clear(&mut self) {
        self.inline = Default::default();
        self.more.clear();
    }

    fn len(&self) -> usize {
        self.inline.iter().filter(|a| a.is_some()).count() + self.more.len()
    }

    /// Adds an attribute; beyond the span limit it is dropped and `false` returned.
    #[inline]
    pub(crate) fn push(&mut self, attribute: KeyValue) -> bool {
        if let Some(slot) = self.inline.iter_mut().find(|a| a.is_none()) {
            *slot = Some(attribute);
            return true;
        }
        if self.more.len() + INLINE_ATTRIBUTES >= MAX_ATTRIBUTES {
            return false;
        }
        self.more.push(attribute);
        true
    }

    /// All of them after `first`, in the order they were added.
    fn into_vec<const N: usize>(self, first: [KeyValue; N]) -> Vec<KeyValue> {
        let mut all = Vec::with_capacity(N + self.len());
        all.extend(first);
        all.extend(self.inline.into_iter().flatten());
        all.extend(self.more);
        all
    }
}

// --- ids -----------------------------------------------------------------------------------

/// Span and trace ids from a per-thread generator (wyrand), seeded from the process's random
/// hasher keys: no lock and no shared state per id.
struct Ids;

thread_local! {
    static RANDOM: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64,
    );
    hasher.finish()
}

impl Ids {
    #[inline]
    fn next() -> u64 {
        RANDOM.with(|state| {
            let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
            state.set(s);
            let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
            ((t >> 64) as u64) ^ (t as u64)
        })
    }

    fn span_id() -> SpanId {
        loop {
            let id = Self::next();
            if id != 0 {
                return SpanId::from(id);
            }
        }
    }

    fn trace_id() -> TraceId {
        loop {
            let id = (u128::from(Self::next()) << 64) | u128::from(Self::next());
            if id != 0 {
                return TraceId::from(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread that records spans holds as many records of this size as it had in flight at
    /// its busiest: up to about two buffers' worth (2 × 2,048 by default).
    #[test]
    fn a_record_stays_small() {
        let size = std::mem::size_of::<Record>();
        assert!(size <= 320, "Record is {size} bytes");
    }

    #[test]
    fn ratio_sampling_follows_the_trace_ids_low_bits() {
        let low = |bits: u64| TraceId::from(u128::from(bits));
        assert!(ratio_samples(1.0, low(u64::MAX)));
        assert!(!ratio_samples(0.0, low(0)));
        assert!(ratio_samples(0.5, low(0)));
        // The low 63 bits just under and at half of 2^63.
        assert!(ratio_samples(0.5, low(((1u64 << 62) - 1) << 1)));
        assert!(!ratio_samples(0.5, low((1u64 << 62) << 1)));
    }

    #[test]
    fn event_and_link_attributes_keep_the_span_limit() {
        let many: Vec<_> = (0..130).map(|i| KeyValue::new("k", i)).collect();
        let (kept, dropped) = within_limit(many);
        assert_eq!((kept.len(), dropped), (MAX_ATTRIBUTES, 2));
        let (kept, dropped) = within_limit(vec![KeyValue::new("k", 1)]);
        assert_eq!((kept.len(), dropped), (1, 0));
    }

    #[test]
    fn ids_are_never_zero_and_differ() {
        let spans: std::collections::HashSet<_> = (0..1000).map(|_| Ids::span_id()).collect();
        assert_eq!(spans.len(), 1000);
        assert!(!spans.contains(&SpanId::INVALID));
        assert_ne!(Ids::trace_id(), Ids::trace_id());
    }
}
