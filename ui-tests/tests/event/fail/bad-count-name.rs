#[derive(signalry::TelemetryEvent)]
#[event(count = "cli commands")]
struct CommandRan {
    subcommand: String,
}

fn main() {}
