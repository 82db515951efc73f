//! The recording macros through `signalry::testing`: names, units, values, attributes.

use signalry::otel::Value;
use signalry::testing::{capture, MetricValue};

#[test]
fn counter_records_its_value_unit_and_attributes() {
    let kind = "express";
    let region = Some("eu");
    let ((), captured) = capture(|| {
        for _ in 0..3 {
            signalry::counter!(
                "orders.created",
                2,
                unit = "{order}",
                description = "Orders accepted",
                attributes(order.kind = kind, "payment.method" = "card", ?region)
            );
        }
    });
    let points: Vec<_> = captured.measurements("orders.created").collect();
    assert_eq!(points.len(), 3);
    let point = points[0];
    assert_eq!(point.kind, "counter");
    assert_eq!(point.unit, "{order}");
    assert_eq!(point.value, MetricValue::U64(2));
    assert_eq!(point.attribute("order.kind"), Some(&Value::from("express")));
    assert_eq!(
        point.attribute("payment.method"),
        Some(&Value::from("card"))
    );
    assert_eq!(
        point.attribute("region"),
        Some(&Value::from("Some(\"eu\")"))
    );
    assert!((captured.sum("orders.created") - 6.0).abs() < f64::EPSILON);
}

#[test]
fn updown_histogram_and_gauge() {
    let ((), captured) = capture(|| {
        signalry::updown!("queue.size", 5, unit = "{item}");
        signalry::updown!("queue.size", -2, unit = "{item}");
        signalry::histogram!(
            "db.query.duration",
            0.25,
            unit = "s",
            attributes(db.system.name = "postgresql")
        );
        signalry::gauge!("cache.fill.ratio", 0.75, unit = "1");
    });
    assert!((captured.sum("queue.size") - 3.0).abs() < f64::EPSILON);
    let duration: Vec<_> = captured.measurements("db.query.duration").collect();
    assert_eq!(duration[0].kind, "histogram");
    assert_eq!(duration[0].value, MetricValue::F64(0.25));
    assert_eq!(
        duration[0].attribute("db.system.name"),
        Some(&Value::from("postgresql"))
    );
    let gauge: Vec<_> = captured.measurements("cache.fill.ratio").collect();
    assert_eq!(
        (gauge[0].kind, gauge[0].value),
        ("gauge", MetricValue::F64(0.75))
    );
}

#[signalry::traced]
fn handle(items: u64) {
    signalry::counter!("items.handled", items, unit = "{item}");
}

#[test]
fn one_call_site_in_a_traced_function_counts_every_call() {
    let ((), captured) = capture(|| {
        handle(1);
        handle(4);
    });
    assert_eq!(captured.spans_named("handle").count(), 2);
    assert!((captured.sum("items.handled") - 5.0).abs() < f64::EPSILON);
}
