//! Code generation for `#[derive(TelemetryEvent)]`: the methods `TelemetryEvent::emit` and
//! `emit_to` call, each taking the value apart once (per variant, for an enum). The body and
//! the attributes are built only when an event is emitted.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{Event, Field, Recording, Variant};

pub(crate) fn generate(event: &Event) -> TokenStream {
    let Event {
        ident,
        generics,
        events,
        krate,
        registry,
        ..
    } = event;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let tracking = registry.as_ref().map(|path| {
        let path = path.display().to_string();
        quote!(
            const _: &[u8] = include_bytes!(#path);
        )
    });

    let site = dispatch(event, |variant| site(variant, krate), None);
    let body = dispatch(
        event,
        |variant| body(variant, krate),
        Some(quote!(::core::option::Option::None)),
    );
    let local = Ident::new("__signalry_attributes", Span::mixed_site());
    let attributes = dispatch(event, |variant| attributes(variant, &local, krate), None);
    let count = events.iter().any(|v| v.count.is_some()).then(|| {
        let count = dispatch(event, count, Some(quote!({})));
        quote! {
            fn __count(&self) {
                #count
            }
        }
    });
    let fields = quote! {
        impl #impl_generics #krate::__private::EventFields for #ident #ty_generics #where_clause {
            fn __attributes(&self, #local: &mut #krate::__private::EventAttributes<'_>) {
                #attributes
            }
        }
    };
    if event.nested {
        return fields;
    }
    quote! {
        impl #impl_generics #krate::TelemetryEvent for #ident #ty_generics #where_clause {
            fn __site(&self) -> &'static #krate::__private::EventSite {
                #tracking
                #site
            }

            fn __body(&self) -> ::core::option::Option<#krate::__private::AnyValue> {
                #body
            }

            #count
        }

        #fields
    }
}

/// `arm` of each event, on the fields it reads: for a struct a `let` taking the value apart
/// (when any field is read), for an enum a `match` on the variants. `arm` gives the code and the
/// fields it reads, or `None` for a variant that has nothing to do, which `otherwise` covers.
fn dispatch(
    event: &Event,
    arm: impl Fn(&Variant) -> Option<(TokenStream, Vec<&Field>)>,
    otherwise: Option<TokenStream>,
) -> TokenStream {
    let pattern = |variant: &Variant, reads: &[&Field]| {
        let fields = reads.iter().map(|field| {
            let member = &field.member;
            let binding = &field.binding;
            match member {
                syn::Member::Named(ident) if *ident == *binding => quote!(#binding),
                _ => quote!(#member: #binding),
            }
        });
        let path = match &variant.variant {
            Some(name) => quote!(Self::#name),
            None => quote!(Self),
        };
        quote!(#path { #(#fields,)* .. })
    };
    if !event.is_enum {
        let variant = &event.events[0];
        return match arm(variant) {
            Some((code, reads)) if reads.is_empty() => code,
            Some((code, reads)) => {
                let pattern = pattern(variant, &reads);
                quote! {
                    let #pattern = self;
                    #code
                }
            }
            None => otherwise.unwrap_or_default(),
        };
    }
    let mut covered = true;
    let arms: Vec<TokenStream> = event
        .events
        .iter()
        .filter_map(|variant| {
            let Some((code, reads)) = arm(variant) else {
                covered = false;
                return None;
            };
            let pattern = pattern(variant, &reads);
            Some(quote!(#pattern => { #code }))
        })
        .collect();
    if arms.is_empty() {
        return otherwise.unwrap_or_default();
    }
    let rest = (!covered).then(|| quote!(_ => #otherwise,));
    quote! {
        match self {
            #(#arms)*
            #rest
        }
    }
}

/// The event's `static` site.
fn site<'a>(variant: &'a Variant, krate: &syn::Path) -> Option<(TokenStream, Vec<&'a Field>)> {
    let name = &variant.name;
    let severity = Ident::new(variant.severity, Span::call_site());
    let code = quote! {
        static __SIGNALRY_EVENT: #krate::__private::EventSite = #krate::__private::EventSite {
            name: #name,
            severity: #krate::__private::Severity::#severity,
        };
        &__SIGNALRY_EVENT
    };
    Some((code, Vec::new()))
}

/// The body from its template, for an event that has one.
fn body<'a>(variant: &'a Variant, krate: &syn::Path) -> Option<(TokenStream, Vec<&'a Field>)> {
    let (template, members) = variant.body.as_ref()?;
    let reads: Vec<&Field> = members
        .iter()
        .filter_map(|member| variant.fields.iter().find(|f| f.member == *member))
        .collect();
    let arguments = reads.iter().map(|field| {
        let binding = &field.binding;
        let name = match &field.member {
            syn::Member::Named(ident) => Ident::new(
                &syn::ext::IdentExt::unraw(ident).to_string(),
                Span::call_site(),
            ),
            syn::Member::Unnamed(_) => Ident::new("_", Span::call_site()),
        };
        quote!(#name = #binding)
    });
    let code = quote! {
        ::core::option::Option::Some(#krate::__private::AnyValue::from(
            ::std::format!(#template, #(#arguments),*)
        ))
    };
    Some((code, reads))
}

/// One `add` per field.
fn attributes<'a>(
    variant: &'a Variant,
    local: &Ident,
    krate: &syn::Path,
) -> Option<(TokenStream, Vec<&'a Field>)> {
    let adds = variant.fields.iter().map(|field| {
        let key = &field.key;
        let binding = &field.binding;
        // Errors about the field's type point at the field.
        let span = field.member.span();
        match field.recording {
            Recording::Native => quote_spanned! {span=>
                #local.add(#key, #krate::__private::EventValue::event_value(#binding));
            },
            Recording::Display => quote_spanned! {span=>
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(::std::string::ToString::to_string(#binding))
                ));
            },
            Recording::Debug => quote! {
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(::std::format!("{:?}", #binding))
                ));
            },
            // The field is bound (and dropped) so that a field only ever redacted is read.
            Recording::Redacted => quote! {
                let _ = #binding;
                #local.add(#key, ::core::option::Option::Some(
                    #krate::__private::AnyValue::from(#krate::__private::REDACTED)
                ));
            },
            Recording::Truncated(bytes) => {
                let flag = format!("{key}.truncated");
                quote_spanned! {span=>
                    #local.add_truncated(
                        #key,
                        #flag,
                        #krate::__private::TruncatableText::text(#binding),
                        #bytes,
                    );
                }
            }
            Recording::Flattened => quote_spanned! {span=>
                #local.flatten(#key, |#local| {
                    #krate::__private::Flatten::flatten_into(#binding, #local);
                });
            },
        }
    });
    let code = quote!(#(#adds)*);
    Some((code, variant.fields.iter().collect()))
}

/// The `count = "..."` counter, on the fields marked `count_by`.
fn count(variant: &Variant) -> Option<(TokenStream, Vec<&Field>)> {
    let code = variant.count.as_ref()?;
    let reads = variant
        .fields
        .iter()
        .filter(|field| field.count_by)
        .collect();
    Some((code.clone(), reads))
}
