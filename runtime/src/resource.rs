//! The OpenTelemetry resource: who is sending the telemetry.

use opentelemetry::KeyValue;
use opentelemetry_sdk::resource::{ResourceDetector, TelemetryResourceDetector};
use opentelemetry_sdk::Resource;

use crate::config::EnvConfig;

/// Builds the resource. `service.name` comes from, in order: code, `OTEL_SERVICE_NAME`,
/// `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, the executable's file name. Attributes given in
/// code win over `OTEL_RESOURCE_ATTRIBUTES`; `telemetry.sdk.*` always describes the SDK.
pub(crate) fn build(
    config: &EnvConfig,
    service_name: Option<&str>,
    service_version: Option<&str>,
    attributes: &[(String, String)],
) -> Resource {
    let service_name = service_name
        .map(str::to_owned)
        .or_else(|| config.service_name.clone())
        .unwrap_or_else(executable_name);

    let mut kvs: Vec<KeyValue> = config
        .resource_attributes
        .iter()
        .chain(attributes)
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    kvs.push(KeyValue::new("service.name", service_name));
    if let Some(version) = service_version {
        kvs.push(KeyValue::new("service.version", version.to_owned()));
    }
    kvs.push(KeyValue::new("telemetry.distro.name", "signalry"));
    kvs.push(KeyValue::new(
        "telemetry.distro.version",
        env!("CARGO_PKG_VERSION"),
    ));

    // Later attributes win in the builder, so the SDK's own description goes last.
    Resource::builder_empty()
        .with_attributes(kvs)
        .with_attributes(
            TelemetryResourceDetector
                .detect()
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        )
        .build()
}

/// The running executable's file name, which is what a service is usually called; the
/// specification's `unknown_service` only when even that is unknown.
fn executable_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unknown_service".to_owned())
}
