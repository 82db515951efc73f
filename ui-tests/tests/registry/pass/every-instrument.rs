//! Every instrument kind, each declared in the registry with its unit and attributes.

#[signalry::metric(counter, name = "charges.attempted", attributes(charge.currency = currency))]
#[signalry::metric(histogram, name = "charges.duration")]
#[signalry::metric(updown, name = "charges.active")]
fn charge(currency: &str) -> Result<(), String> {
    let _ = currency;
    Ok(())
}

fn main() {
    signalry::counter!(
        "orders.created",
        1,
        unit = "{order}",
        attributes(order.kind = "express", payment.method = "card")
    );
    signalry::updown!("queue.size", 1, unit = "{item}");
    signalry::histogram!("db.query.duration", 0.5, unit = "s", attributes(db.system.name = "postgresql"));
    signalry::gauge!("cache.fill.ratio", 0.5, unit = "1");
    let _observations = (
        signalry::observable_gauge!("tank.fill.ratio", |observer| observer.observe(0.5, &[]), unit = "1"),
        signalry::observable_counter!("tank.refills", |observer| observer.observe(1, &[]), unit = "{refill}"),
        signalry::observable_updown!("tank.valve.count", |observer| observer.observe(1, &[]), unit = "{valve}"),
    );
    let _ = charge("EUR");
}
