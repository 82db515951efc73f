#[derive(signalry::TelemetryEvent)]
struct CommandRan {
    #[event(count_by)]
    subcommand: String,
}

fn main() {}
