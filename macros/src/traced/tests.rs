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

#[test]
fn method_with_arguments_fields_and_a_secret() {
    insta::assert_snapshot!(expand(
        quote!(fields(http.route = "/orders", user = %self.user, ?request, "db.system.name" = "postgresql")),
        quote! {
            pub fn handle(&self, request: Request, order_id: u64, password: &str) -> Response {
                self.respond(request, order_id, password)
            }
        }
    ));
}

#[test]
fn skip_and_skip_all() {
    insta::assert_snapshot!(expand(
        quote!(skip(body)),
        quote! {
            fn upload(name: &str, body: &[u8]) {}
        }
    ));
    insta::assert_snapshot!(expand(
        quote!(skip_all),
        quote! {
            fn upload(name: &str, body: &[u8]) {}
        }
    ));
}

#[test]
fn ret_records_the_returned_value() {
    insta::assert_snapshot!(expand(
        quote!(ret),
        quote! {
            fn total(a: u64, b: u64) -> u64 {
                a + b
            }
        }
    ));
}

#[test]
fn err_and_ret_on_a_result_alias() {
    insta::assert_snapshot!(expand(
        quote!(err, ret),
        quote! {
            fn load(id: u64) -> Fallible<Order> {
                Store::get(id)
            }
        }
    ));
}

#[test]
fn root_parent_and_link() {
    insta::assert_snapshot!(expand(
        quote!(root, link = upstream),
        quote! {
            fn background(upstream: SpanContext) {}
        }
    ));
    insta::assert_snapshot!(expand(
        quote!(parent = &incoming),
        quote! {
            fn consume(incoming: Context) {}
        }
    ));
}

#[test]
fn fn_returning_impl_future() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            fn fetch(&self, id: u64) -> impl Future<Output = Result<Item, Error>> + Send + '_ {
                let client = self.client.clone();
                async move { client.get(id).await }
            }
        }
    ));
}

#[test]
fn method_under_async_trait() {
    // What `#[async_trait]` leaves for `#[traced]` to expand.
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            fn get<'life0, 'async_trait>(
                &'life0 self,
                id: u64,
            ) -> ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Option<String>> + ::core::marker::Send + 'async_trait>>
            where
                'life0: 'async_trait,
                Self: 'async_trait,
            {
                Box::pin(async move {
                    let __self = self;
                    let __ret: Option<String> = { __self.lookup(id).await };
                    #[allow(unreachable_code)]
                    __ret
                })
            }
        }
    ));
}

#[test]
fn generic_fn_with_patterns_and_mut() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            pub(crate) fn merge<'a, T: Clone>(mut acc: Vec<T>, (left, right): (&'a [T], &'a [T]), _unused: u8) -> Vec<T>
            where
                T: Send,
            {
                acc.extend_from_slice(left);
                acc.extend_from_slice(right);
                acc
            }
        }
    ));
}

#[test]
fn on_an_impl_block_the_error_says_where_it_goes() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            impl Buffer {
                fn len(&self) -> usize {
                    self.len
                }
            }
        }
    ));
}

#[test]
fn receivers_unsafe_and_extern() {
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            #[inline]
            pub unsafe extern "C" fn raw_len(self: Box<Self>, offset: usize) -> usize {
                self.len - offset
            }
        }
    ));
    insta::assert_snapshot!(expand(
        quote!(),
        quote! {
            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u8>> {
                Poll::Pending
            }
        }
    ));
}

#[test]
fn trait_impl_method() {
    insta::assert_snapshot!(expand(
        quote!(kind = client),
        quote! {
            fn send(&self, message: &str) -> std::io::Result<()> {
                self.inner.send(message)
            }
        }
    ));
}

#[test]
fn leaf_spans_are_never_made_current() {
    insta::assert_snapshot!(expand(
        quote!(leaf),
        quote! {
            fn parse(input: &str) -> Result<u32, std::num::ParseIntError> {
                let n = input.trim().parse()?;
                Ok(n)
            }
        }
    ));
    // Without a value to record the span needs no `mut`; a returned future still owns it.
    insta::assert_snapshot!(expand(
        quote!(leaf),
        quote! {
            fn fetch(id: u64) -> impl std::future::Future<Output = ()> {
                async move { let _ = id; }
            }
        }
    ));
}
