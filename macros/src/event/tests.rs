//! Expansion snapshots of `#[derive(TelemetryEvent)]`.

use proc_macro2::TokenStream;
use quote::quote;

fn derive(input: TokenStream) -> String {
    let output = super::derive(input, None);
    match syn::parse2::<syn::File>(output.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.to_string(),
    }
}

#[test]
fn every_field_option() {
    insta::assert_snapshot!(derive(quote! {
        #[event(name = "order.failed", severity = error, body = "order {order_id} failed: {reason}")]
        struct OrderFailed<'a> {
            #[event(rename = "order.id")]
            order_id: u64,
            reason: &'a str,
            #[event(display)]
            amount: Money,
            #[event(debug)]
            items: Vec<Item>,
            #[event(redact)]
            card_number: &'a str,
            #[event(truncate = 1024)]
            stderr: String,
            #[event(skip)]
            internal: Handle,
        }
    }));
}

#[test]
fn defaults_and_tuple_structs() {
    insta::assert_snapshot!(derive(quote! {
        struct CacheMissed {
            key: String,
        }
    }));
    insta::assert_snapshot!(derive(quote! {
        #[event(name = "job.done", crate = ::my::signalry)]
        struct JobDone(#[event(rename = "job.id")] u64, #[event(skip)] Handle);
    }));
}

#[test]
fn every_problem_is_reported_at_once() {
    insta::assert_snapshot!(derive(quote! {
        #[event(name = "Order Failed", severity = loud, colour = "red", body = "{missing} {secret}")]
        struct OrderFailed {
            #[event(redact, display)]
            secret: String,
            #[event(rename = "id")]
            a: u64,
            #[event(rename = "id")]
            b: u64,
            #[event(compress)]
            c: u64,
        }
    }));
}

#[test]
fn an_enum_is_one_event_per_variant() {
    insta::assert_snapshot!(derive(quote! {
        #[event(name = "job", severity = info)]
        enum JobEvent<'a> {
            Started {
                #[event(rename = "job.id")]
                id: u64,
            },
            #[event(severity = error, body = "job failed: {reason}")]
            Failed {
                #[event(rename = "job.id")]
                id: u64,
                reason: &'a str,
            },
            #[event(name = "job.gave_up")]
            Abandoned(#[event(rename = "job.id")] u64),
            Idle,
        }
    }));
}

#[test]
fn a_flattened_field_adds_its_attributes_under_a_prefix() {
    insta::assert_snapshot!(derive(quote! {
        struct RequestDone {
            #[event(flatten)]
            http: HttpInfo,
            #[event(flatten, rename = "peer")]
            client: Option<Peer>,
            outcome: &'static str,
        }
    }));
    insta::assert_snapshot!(derive(quote! {
        #[event(nested)]
        struct Peer {
            address: String,
        }
    }));
}

#[test]
fn a_counted_event_adds_one_to_its_counter() {
    insta::assert_snapshot!(derive(quote! {
        #[event(count = "cli.commands")]
        struct CommandRan {
            #[event(count_by)]
            subcommand: String,
            #[event(count_by, display, rename = "process.status")]
            status: Status,
            duration_ms: u64,
        }
    }));
    insta::assert_snapshot!(derive(quote! {
        #[event(name = "job", count = "jobs.events")]
        enum JobEvent {
            Started,
            #[event(count = "jobs.failures")]
            Failed {
                #[event(count_by)]
                reason: &'static str,
            },
        }
    }));
}

#[test]
fn flatten_count_and_enum_misuse_is_reported() {
    insta::assert_snapshot!(derive(quote! {
        #[event(body = "x")]
        enum Bad {
            #[event(crate = ::other)]
            A {
                #[event(count_by)]
                a: u64,
                #[event(flatten)]
                http: Http,
                #[event(rename = "http.method")]
                method: String,
                #[event(flatten, display)]
                b: Http,
                #[event(count_by, skip)]
                c: u64,
            },
        }
    }));
    insta::assert_snapshot!(derive(quote! {
        #[event(count = "secrets.seen", body = "{http}")]
        struct Leaky {
            #[event(count_by, redact)]
            token: String,
            #[event(flatten)]
            http: Http,
        }
    }));
}

#[test]
fn a_nested_type_has_nothing_only_an_event_has() {
    insta::assert_snapshot!(derive(quote! {
        #[event(nested, name = "peer", severity = warn, body = "{address}", count = "peers.seen")]
        struct Peer {
            address: String,
        }
    }));
}
