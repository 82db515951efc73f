#[derive(signalry::TelemetryEvent)]
#[event(count = "cli.commands_total")]
struct CommandRan {
    subcommand: String,
}

fn main() {}
