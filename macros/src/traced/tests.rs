//! Expansion snapshots: the readable record of what `#[traced]` generates.

use proc_macro2::TokenStream;
use quote::quote;

fn expand(args: TokenStream, item: TokenStream) -> String {
    let output = super::expand(args, item);
    match syn::parse2::<syn::File>(output.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.to_string(),
    }
}

#[test]
fn sync_fn() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            /// Adds.
            pub fn add(a: u32, b: u32) -> u32 {
                a + b
            }
        }
    ));
}

#[test]
fn sync_fn_returning_result() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            fn parse(input: &str) -> Result<u32, std::num::ParseIntError> {
                let n = input.trim().parse()?;
                Ok(n)
            }
        }
    ));
}

#[test]
fn async_fn() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            async fn fetch(id: u64) -> String {
                format!("{id}")
            }
        }
    ));
}

#[test]
fn async_fn_returning_result() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            async fn load(id: u64) -> std::io::Result<Vec<u8>> {
                if id == 0 {
                    return Err(std::io::Error::other("no such id"));
                }
                Ok(vec![])
            }
        }
    ));
}

#[test]
fn name_kind_and_crate_options() {
    insta::assert_snapshot!(expand(
        quote!(
            name = "orders.get",
            kind = server,
            crate = ::my_telemetry::signalry
        ),
        quote! {
            fn get_order() {}
        }
    ));
}

#[test]
fn errors_are_reported_together_and_the_item_is_kept() {
    insta::assert_snapshot!(expand(
        quote!(nmae = "x", kind = sideways, name = "a", name = "b"),
        quote! {
            fn kept() {}
        }
    ));
}
