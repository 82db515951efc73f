//! Every recording macro and option, including opted-out legacy names.

#[derive(Debug)]
struct Region(&'static str);

fn main() {
    let kind = "express";
    let method = String::from("card");
    let region = Region("eu");
    signalry::counter!("orders.received", 1);
    signalry::counter!(
        "orders.created",
        1,
        unit = "{order}",
        description = "Orders accepted",
        attributes(order.kind = kind, "payment.method" = %method, ?region, retried = false),
    );
    signalry::updown!("queue.size", -1, unit = "{item}");
    signalry::histogram!(
        "db.query.duration",
        0.012,
        unit = "s",
        attributes(db.system.name = "postgresql")
    );
    signalry::histogram!("http.client.request.duration", 12.0, unit = "ms");
    signalry::gauge!("cache.fill.ratio", 0.5, unit = "1");
    // A legacy name, kept as dashboards know it.
    signalry::counter!(
        "Legacy_Requests_total",
        1,
        allow(lowercase, namespaced, prometheus_suffix)
    );
    mod reexport {
        pub use ::signalry;
    }
    signalry::counter!("reexported.calls", 1, crate = reexport::signalry);
}
