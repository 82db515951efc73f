//! Code generation for `#[derive(TelemetryEvent)]`: an `emit` with a `static` event site, and
//! a body and attributes built only when telemetry is on.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{Event, Recording};

pub(crate) fn generate(event: &Event) -> TokenStream {
    let Event {
        ident,
        generics,
        name,
        severity,
        body,
        fields,
        krate,
        registry,
    } = event;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let severity = Ident::new(severity, Span::call_site());
    let tracking = registry.as_ref().map(|path| {
        let path = path.display().to_string();
        quote!(
            const _: &[u8] = include_bytes!(#path);
        )
    });
    let body = match body {
        Some((template, members)) => {
            let arguments = members.iter().map(|member| {
                let name = match member {
                    syn::Member::Named(ident) => ident.clone(),
                    syn::Member::Unnamed(_) => Ident::new("_", Span::call_site()),
                };
                quote!(#name = &self.#member)
            });
            quote! {
                ::core::option::Option::Some(#krate::__private::AnyValue::from(
                    ::std::format!(#template, #(#arguments),*)
                ))
            }
        }
        None => quote!(::core::option::Option::None),
    };
    let count = fields.len();
    // Mixed-site hygiene: the local never meets a name of the user's.
    let local = Ident::new("__signalry_attributes", Span::mixed_site());
    let attributes = fields.iter().map(|field| {
        let key = &field.key;
        let member = &field.member;
        match field.recording {
            Recording::Native => quote_spanned! {member.span()=>
                #local.add(#key, #krate::__private::EventValue::event_value(&self.#member));
            },
            Recording::Display => quote! {
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(::std::string::ToString::to_string(&self.#member))
                ));
            },
            Recording::Debug => quote! {
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(::std::format!("{:?}", self.#member))
                ));
            },
            // The field is read (and dropped) so that a field only ever redacted is not dead code.
            Recording::Redacted => quote! {
                let _ = &self.#member;
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(#krate::__private::REDACTED)
                ));
            },
            Recording::Truncated(bytes) => {
                let flag = format!("{key}.truncated");
                quote_spanned! {member.span()=>
                    #local.add_truncated(#key, #flag, &self.#member, #bytes);
                }
            }
        }
    });
    quote! {
        impl #impl_generics #krate::TelemetryEvent for #ident #ty_generics #where_clause {
            fn emit(&self) {
                #tracking
                static __SIGNALRY_EVENT: #krate::__private::EventSite = #krate::__private::EventSite {
                    name: #name,
                    severity: #krate::__private::Severity::#severity,
                };
                __SIGNALRY_EVENT.emit(
                    || #body,
                    || {
                        let mut #local = #krate::__private::EventAttributes::with_capacity(#count);
                        #(#attributes)*
                        #local.into_vec()
                    },
                );
            }
        }
    }
}
