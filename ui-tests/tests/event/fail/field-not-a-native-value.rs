struct Money(u64);

#[derive(signalry::TelemetryEvent)]
struct Paid {
    amount: Money,
}

fn main() {}
