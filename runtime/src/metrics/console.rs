//! The console metric exporter: a summary table of every series, printed at shutdown.
//!
//! ```text
//! metrics summary · service quickstart
//!   cart.checkouts{outcome=error}  counter    {checkout}  1
//!   cart.checkouts{outcome=ok}     counter    {checkout}  3
//!   http.server.request.duration   histogram  s           count=4 sum=0.0503 min=0.0041 max=0.0203 mean=0.01257
//!   queue.depth                    gauge      {item}      7
//! ```
//!
//! Printing every export interval would bury the span trees under repeated tables, so
//! `export` only keeps the latest snapshot; with cumulative temporality that snapshot holds
//! everything recorded since start. The periodic reader exports once more when it shuts
//! down, and the exporter's shutdown, which follows, prints the table.

use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;

use crate::console::{attributes_text, format_f64, service_name, ConsoleOutput, Palette, Style};

/// Keeps the latest metrics and prints them as a table at shutdown; meant for the SDK's
/// periodic reader.
#[derive(Debug)]
pub(crate) struct ConsoleMetricExporter {
    out: Arc<ConsoleOutput>,
    latest: Mutex<Option<Summary>>,
    shut_down: AtomicBool,
}

impl ConsoleMetricExporter {
    /// An exporter printing to `out`.
    pub(crate) fn new(out: Arc<ConsoleOutput>) -> Self {
        Self {
            out,
            latest: Mutex::new(None),
            shut_down: AtomicBool::new(false),
        }
    }
}

impl PushMetricExporter for ConsoleMetricExporter {
    fn export(&self, metrics: &ResourceMetrics) -> impl Future<Output = OTelSdkResult> + Send {
        let result = if self.shut_down.load(Ordering::Acquire) {
            Err(OTelSdkError::AlreadyShutdown)
        } else {
            let summary = Summary::of(metrics);
            *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(summary);
            Ok(())
        };
        std::future::ready(result)
    }

    /// Nothing to flush: the table is printed once, at shutdown.
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let latest = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(summary) = latest.filter(|summary| !summary.rows.is_empty()) {
            let text = summary.render(self.out.palette());
            self.out.lock().write(&text);
        }
        Ok(())
    }

    /// Cumulative, so that the last snapshot is the whole run.
    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

/// What the table shows, copied out of the SDK's borrowed [`ResourceMetrics`].
#[derive(Debug)]
struct Summary {
    service: Option<String>,
    rows: Vec<Row>,
}

/// One line of the table: one metric with one attribute set.
#[derive(Debug)]
struct Row {
    /// The metric name followed by the point's attributes: `name{key=value}`.
    series: String,
    kind: &'static str,
    unit: String,
    reading: Reading,
}

#[derive(Debug)]
enum Reading {
    /// A counter's or up-down counter's sum, a gauge's last value.
    Value(Number),
    /// A histogram.
    Distribution {
        count: u64,
        sum: Number,
        min: Option<Number>,
        max: Option<Number>,
    },
}

/// A measurement of any of the SDK's three number types.
#[derive(Clone, Copy, Debug)]
enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::U64(value) => value as f64,
            Number::I64(value) => value as f64,
            Number::F64(value) => value,
        }
    }

    fn text(self) -> String {
        match self {
            Number::U64(value) => value.to_string(),
            Number::I64(value) => value.to_string(),
            Number::F64(value) => format_f64(value),
        }
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        Number::U64(value)
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Number::I64(value)
    }
}

impl From<f64> for Number {
    fn from(value: f64) -> Self {
        Number::F64(value)
    }
}

impl Summary {
    fn of(metrics: &ResourceMetrics) -> Self {
        let mut rows = Vec::new();
        for scope in metrics.scope_metrics() {
            for metric in scope.metrics() {
                let (name, unit) = (metric.name(), metric.unit());
                match metric.data() {
                    AggregatedMetrics::U64(data) => push_rows(name, unit, data, &mut rows),
                    AggregatedMetrics::I64(data) => push_rows(name, unit, data, &mut rows),
                    AggregatedMetrics::F64(data) => push_rows(name, unit, data, &mut rows),
                }
            }
        }
        // Points come in no particular order; sorted, the table is stable and the series of
        // one metric stand together.
        rows.sort_by(|a, b| a.series.cmp(&b.series));
        Self {
            service: service_name(metrics.resource()),
            rows,
        }
    }

    /// The table, with aligned columns.
    fn render(&self, palette: Palette) -> String {
        let cells: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|row| {
                [
                    row.series.clone(),
                    row.kind.to_owned(),
                    row.unit.clone(),
                    row.reading.text(),
                ]
            })
            .collect();
        let mut widths = [0; 4];
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }

        let mut title = String::from("metrics summary");
        if let Some(service) = &self.service {
            title.push_str(" · service ");
            title.push_str(service);
        }
        let mut text = palette.paint(Style::Dim, &title).into_owned();
        text.push('\n');
        for row in &cells {
            let mut line = String::from(" ");
            for (cell, width) in row.iter().zip(widths) {
                // A column that is empty in every row (no metric has a unit) takes no room.
                if width > 0 {
                    let _ = write!(line, " {cell:<width$} ");
                }
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

impl Reading {
    fn text(&self) -> String {
        match self {
            Reading::Value(value) => value.text(),
            Reading::Distribution {
                count,
                sum,
                min,
                max,
            } => {
                let mut text = format!("count={count} sum={}", sum.text());
                if let Some(min) = min {
                    let _ = write!(text, " min={}", min.text());
                }
                if let Some(max) = max {
                    let _ = write!(text, " max={}", max.text());
                }
                if *count > 0 {
                    let mean = sum.as_f64() / *count as f64;
                    let _ = write!(text, " mean={}", format_f64(mean));
                }
                text
            }
        }
    }
}

/// One row per data point of `data`.
fn push_rows<T>(name: &str, unit: &str, data: &MetricData<T>, rows: &mut Vec<Row>)
where
    T: Copy + Into<Number>,
{
    let mut push =
        |kind: &'static str, attributes: &mut dyn Iterator<Item = &KeyValue>, reading| {
            let mut series = name.to_owned();
            series.push_str(&attributes_text(
                attributes.map(|attribute| (&attribute.key, &attribute.value)),
            ));
            rows.push(Row {
                series,
                kind,
                unit: unit.to_owned(),
                reading,
            });
        };
    match data {
        MetricData::Sum(sum) => {
            let kind = if sum.is_monotonic() {
                "counter"
            } else {
                "updown"
            };
            for point in sum.data_points() {
                push(
                    kind,
                    &mut point.attributes(),
                    Reading::Value(point.value().into()),
                );
            }
        }
        MetricData::Gauge(gauge) => {
            for point in gauge.data_points() {
                push(
                    "gauge",
                    &mut point.attributes(),
                    Reading::Value(point.value().into()),
                );
            }
        }
        MetricData::Histogram(histogram) => {
            for point in histogram.data_points() {
                let reading = Reading::Distribution {
                    count: point.count(),
                    sum: point.sum().into(),
                    min: point.min().map(Into::into),
                    max: point.max().map(Into::into),
                };
                push("histogram", &mut point.attributes(), reading);
            }
        }
        MetricData::ExponentialHistogram(histogram) => {
            for point in histogram.data_points() {
                let reading = Reading::Distribution {
                    count: u64::try_from(point.count()).unwrap_or(u64::MAX),
                    sum: point.sum().into(),
                    min: point.min().map(Into::into),
                    max: point.max().map(Into::into),
                };
                push("histogram", &mut point.attributes(), reading);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::tests::SharedBuffer;
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
    use opentelemetry_sdk::Resource;

    fn provider() -> (SharedBuffer, SdkMeterProvider) {
        let buffer = SharedBuffer::default();
        let out = ConsoleOutput::to_writer(Box::new(buffer.clone()));
        let reader = PeriodicReader::builder(ConsoleMetricExporter::new(out))
            .with_interval(Duration::from_secs(3600))
            .build();
        let provider = SdkMeterProvider::builder()
            .with_resource(
                Resource::builder_empty()
                    .with_service_name("quickstart")
                    .build(),
            )
            .with_reader(reader)
            .build();
        (buffer, provider)
    }

    #[test]
    fn shutdown_prints_one_line_per_series() {
        let (buffer, provider) = provider();
        let meter = provider.meter("shop");

        let checkouts = meter
            .u64_counter("cart.checkouts")
            .with_unit("{checkout}")
            .build();
        checkouts.add(1, &[KeyValue::new("outcome", "ok")]);
        checkouts.add(2, &[KeyValue::new("outcome", "ok")]);
        checkouts.add(1, &[KeyValue::new("outcome", "error")]);

        let active = meter
            .i64_up_down_counter("http.server.active_requests")
            .build();
        active.add(3, &[]);
        active.add(-1, &[]);

        let duration = meter
            .f64_histogram("http.server.request.duration")
            .with_unit("s")
            .build();
        for seconds in [0.0041, 0.0082, 0.0177, 0.0203] {
            duration.record(seconds, &[KeyValue::new("http.route", "/cart")]);
        }

        let depth = meter.u64_gauge("queue.depth").with_unit("{item}").build();
        depth.record(9, &[]);
        depth.record(7, &[]);

        let revenue = meter.f64_counter("shop.revenue").with_unit("EUR").build();
        revenue.add(0.1, &[]);
        revenue.add(0.2, &[]);

        assert_eq!(buffer.text(), "", "nothing is printed before shutdown");
        provider.shutdown().expect("shutdown");
        assert_eq!(
            buffer.text(),
            "\
metrics summary · service quickstart
  cart.checkouts{outcome=error}                   counter    {checkout}  1
  cart.checkouts{outcome=ok}                      counter    {checkout}  3
  http.server.active_requests                     updown                 2
  http.server.request.duration{http.route=/cart}  histogram  s           count=4 sum=0.0503 min=0.0041 max=0.0203 mean=0.01257
  queue.depth                                     gauge      {item}      7
  shop.revenue                                    counter    EUR         0.3
"
        );
    }

    #[test]
    fn nothing_is_printed_when_nothing_was_recorded() {
        let (buffer, provider) = provider();
        let _unused = provider.meter("shop").u64_counter("never.used").build();
        provider.shutdown().expect("shutdown");
        assert_eq!(buffer.text(), "");
    }

    #[test]
    fn columns_without_content_take_no_room() {
        let summary = Summary {
            service: None,
            rows: vec![Row {
                series: "jobs".into(),
                kind: "counter",
                unit: String::new(),
                reading: Reading::Distribution {
                    count: 0,
                    sum: Number::U64(0),
                    min: None,
                    max: None,
                },
            }],
        };
        assert_eq!(
            summary.render(Palette::PLAIN),
            "metrics summary\n  jobs  counter  count=0 sum=0\n"
        );
    }
}
