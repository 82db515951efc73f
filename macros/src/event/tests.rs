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
