//! Every `#[traced]` option, alone and together.

use signalry::otel::trace::SpanContext;
use signalry::otel::Context;

#[derive(Debug)]
struct Order {
    id: u64,
    customer: String,
}

#[signalry::traced(name = "orders.get")]
fn named() {}

#[signalry::traced(kind = server)]
fn server() {}

#[signalry::traced(kind = client)]
fn client() {}

#[signalry::traced(kind = producer)]
fn producer() {}

#[signalry::traced(kind = consumer)]
fn consumer() {}

#[signalry::traced(kind = internal)]
fn internal() {}

#[signalry::traced(skip(body, order))]
fn skip(name: &str, body: &[u8], order: &Order) -> usize {
    name.len() + body.len() + usize::from(order.id > 0)
}

#[signalry::traced(skip_all)]
fn skip_all(name: &str, count: u64) -> u64 {
    count + name.len() as u64
}

#[signalry::traced(fields(
    plain = 1,
    text = "literal",
    display = %order.customer,
    debug = ?order,
    http.route = "/orders/{id}",
    "db.system.name" = "postgresql",
    computed = order.id * 2,
    optional = Some(1_i64),
    reference = &order.customer,
    count,
    %customer,
    ?order,
))]
fn fields(order: &Order, count: u32, customer: &str) -> u64 {
    order.id + u64::from(count) + customer.len() as u64
}

/// A secret-looking argument is recorded only when named in `fields`.
#[signalry::traced(fields(password))]
fn explicit_secret(user: &str, password: &str) -> bool {
    user != password
}

#[signalry::traced(err)]
fn err(fail: bool) -> Result<u32, std::io::Error> {
    if fail {
        return Err(std::io::Error::other("failed"));
    }
    let n: u32 = "1".parse().map_err(std::io::Error::other)?;
    Ok(n)
}

type Fallible<T> = Result<T, String>;

#[signalry::traced(err)]
fn err_on_alias(fail: bool) -> Fallible<u8> {
    if fail {
        Err("failed".to_owned())
    } else {
        Ok(1)
    }
}

#[signalry::traced(ret)]
fn ret(a: u64, b: u64) -> u64 {
    a + b
}

#[signalry::traced(ret)]
fn ret_debug() -> Order {
    Order {
        id: 1,
        customer: "c".to_owned(),
    }
}

struct Opaque;

#[signalry::traced(ret)]
fn ret_opaque() -> Opaque {
    Opaque
}

#[signalry::traced(err, ret)]
fn err_and_ret(fail: bool) -> Result<String, String> {
    if fail {
        return Err("failed".to_owned());
    }
    Ok("done".to_owned())
}

#[signalry::traced(root)]
fn root() {}

#[signalry::traced(parent = upstream)]
fn parent_span_context(upstream: SpanContext) {}

#[signalry::traced(parent = upstream)]
fn parent_span_context_ref(upstream: &SpanContext) {}

#[signalry::traced(parent = cx)]
fn parent_context(cx: Context) {}

#[signalry::traced(parent = &cx)]
fn parent_context_ref(cx: Context) {}

#[signalry::traced(parent = maybe)]
fn parent_option(maybe: Option<SpanContext>) {}

#[signalry::traced(parent = maybe.as_ref())]
fn parent_option_ref(maybe: Option<Context>) {}

#[signalry::traced(link = upstream)]
fn link_span_context(upstream: SpanContext) {}

#[signalry::traced(link = &cx)]
fn link_context_ref(cx: Context) {}

#[signalry::traced(link = Context::current())]
fn link_current() {}

#[signalry::traced(link = maybe)]
fn link_option(maybe: Option<&SpanContext>) {}

#[signalry::traced(root, link = upstream)]
fn root_with_link(upstream: &SpanContext) {}

mod reexport {
    pub use ::signalry as telemetry;
}

#[signalry::traced(crate = reexport::telemetry)]
fn through_a_reexport() {}

#[signalry::traced(
    name = "orders.process",
    kind = consumer,
    skip(payload),
    fields(order.id = order.id, ?order),
    err,
    ret,
    parent = upstream,
    link = &link,
    crate = ::signalry,
)]
async fn everything(
    order: &Order,
    payload: Vec<u8>,
    upstream: Option<SpanContext>,
    link: Context,
) -> Result<usize, std::io::Error> {
    if payload.is_empty() {
        return Err(std::io::Error::other("empty"));
    }
    Ok(payload.len() + order.customer.len())
}

#[signalry::traced(skip_all, root, err, ret, kind = producer, fields(queue = "jobs"))]
async fn everything_else(job: u64) -> Result<u64, String> {
    Ok(job)
}

fn main() {
    let order = Order {
        id: 7,
        customer: "ada".to_owned(),
    };
    named();
    server();
    client();
    producer();
    consumer();
    internal();
    let _ = skip("n", b"body", &order);
    let _ = skip_all("n", 1);
    let _ = fields(&order, 2, "ada");
    let _ = explicit_secret("ada", "hunter2");
    let _ = err(false);
    let _ = err_on_alias(true);
    let _ = ret(1, 2);
    let _ = ret_debug();
    let _ = ret_opaque();
    let _ = err_and_ret(false);
    root();
    let span_context = SpanContext::empty_context();
    parent_span_context(span_context.clone());
    parent_span_context_ref(&span_context);
    parent_context(Context::current());
    parent_context_ref(Context::current());
    parent_option(None);
    parent_option_ref(Some(Context::current()));
    link_span_context(span_context.clone());
    link_context_ref(Context::current());
    link_current();
    link_option(Some(&span_context));
    root_with_link(&span_context);
    through_a_reexport();
    drop(everything(
        &order,
        vec![1],
        Some(span_context),
        Context::current(),
    ));
    drop(everything_else(1));
}
