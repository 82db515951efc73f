//! `#[traced]` options and function shapes, through `signalry::testing`: arguments as
//! attributes (secrets never), `skip`, `fields`, `ret`, `err`, `root`, `parent`, `link`, and
//! the default names of methods.

use std::future::Future;
use std::pin::Pin;

use signalry::otel::trace::{SpanContext, SpanId, Status, TraceContextExt};
use signalry::otel::{Context, Value};
use signalry::testing::{capture, capture_future};

fn text(value: &str) -> Option<Value> {
    Some(Value::from(value.to_owned()))
}

#[derive(Debug)]
struct Opaque {
    #[allow(dead_code)]
    inner: u8,
}

#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
#[signalry::traced]
fn natives(
    count: u32,
    big: u64,
    delta: i64,
    ratio: f64,
    on: bool,
    name: &str,
    owned: String,
    maybe: Option<u16>,
    nothing: Option<&str>,
    opaque: Opaque,
) {
    let _ = (
        count, big, delta, ratio, on, name, owned, maybe, nothing, opaque,
    );
}

#[test]
fn arguments_of_native_types_are_recorded_natively_and_others_are_not() {
    let ((), captured) = capture(|| {
        natives(
            7,
            u64::MAX,
            -3,
            0.5,
            true,
            "ada",
            "lovelace".to_owned(),
            Some(9),
            None,
            Opaque { inner: 1 },
        );
    });
    let span = captured.span("natives");
    assert_eq!(span.attribute("count"), Some(&Value::I64(7)));
    // Past i64::MAX an unsigned value keeps its digits rather than wrapping.
    assert_eq!(span.attribute("big"), text("18446744073709551615").as_ref());
    assert_eq!(span.attribute("delta"), Some(&Value::I64(-3)));
    assert_eq!(span.attribute("ratio"), Some(&Value::F64(0.5)));
    assert_eq!(span.attribute("on"), Some(&Value::Bool(true)));
    assert_eq!(span.attribute("name"), text("ada").as_ref());
    assert_eq!(span.attribute("owned"), text("lovelace").as_ref());
    assert_eq!(span.attribute("maybe"), Some(&Value::I64(9)));
    assert_eq!(span.attribute("nothing"), None, "None is left out");
    assert_eq!(span.attribute("opaque"), None, "Debug only when asked");
}

#[allow(clippy::needless_pass_by_value)]
#[signalry::traced]
fn login(user: &str, password: &str, api_token: String, session_cookie: &str, db_passwd: &str) {
    let _ = (user, password, api_token, session_cookie, db_passwd);
}

#[signalry::traced(fields(password))]
fn login_recording_the_password_on_purpose(user: &str, password: &str) {
    let _ = (user, password);
}

#[test]
fn secret_looking_arguments_are_never_recorded_unless_named() {
    let ((), captured) = capture(|| login("ada", "hunter2", "t0k3n".to_owned(), "c", "p"));
    let span = captured.span("login");
    assert_eq!(span.attribute("user"), text("ada").as_ref());
    for secret in ["password", "api_token", "session_cookie", "db_passwd"] {
        assert_eq!(span.attribute(secret), None, "{secret} was recorded");
    }
    let leaked = span.attributes.iter().any(
        |kv| matches!(&kv.value, Value::String(s) if ["hunter2", "t0k3n"].contains(&s.as_str())),
    );
    assert!(!leaked, "{:?}", span.attributes);

    let ((), captured) = capture(|| login_recording_the_password_on_purpose("ada", "hunter2"));
    let span = captured.span("login_recording_the_password_on_purpose");
    assert_eq!(span.attribute("password"), text("hunter2").as_ref());
}

#[signalry::traced(skip(body))]
fn upload(name: &str, body: &[u8]) -> usize {
    name.len() + body.len()
}

#[signalry::traced(skip_all)]
fn upload_quietly(name: &str, size: u64) -> u64 {
    name.len() as u64 + size
}

#[test]
fn skip_and_skip_all_leave_arguments_out() {
    let (_, captured) = capture(|| upload("a.txt", b"xyz"));
    let span = captured.span("upload");
    assert_eq!(span.attribute("name"), text("a.txt").as_ref());
    assert_eq!(span.attribute("body"), None);
    let (_, captured) = capture(|| upload_quietly("a.txt", 3));
    let span = captured.span("upload_quietly");
    assert_eq!(span.attribute("name"), None);
    assert_eq!(span.attribute("size"), None);
}

#[derive(Debug)]
struct Request {
    path: &'static str,
}

#[signalry::traced(fields(
    http.route = "/orders/{id}",
    "db.system.name" = "postgresql",
    path = %request.path,
    ?request,
    items = request.path.len(),
))]
fn route(request: &Request) {
    let _ = request;
}

#[test]
fn fields_take_dotted_and_string_keys_native_display_and_debug_values() {
    let ((), captured) = capture(|| route(&Request { path: "/orders/7" }));
    let span = captured.span("route");
    assert_eq!(span.attribute("http.route"), text("/orders/{id}").as_ref());
    assert_eq!(
        span.attribute("db.system.name"),
        text("postgresql").as_ref()
    );
    assert_eq!(span.attribute("path"), text("/orders/7").as_ref());
    assert_eq!(
        span.attribute("request"),
        text("Request { path: \"/orders/7\" }").as_ref()
    );
    assert_eq!(span.attribute("items"), Some(&Value::I64(9)));
}

#[derive(Debug, PartialEq)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

type Fallible<T> = Result<T, Refused>;

#[signalry::traced(ret)]
fn doubled(x: i64) -> i64 {
    x * 2
}

#[signalry::traced(ret)]
fn checked(x: u8) -> Result<u8, Refused> {
    if x == 0 {
        return Err(Refused);
    }
    Ok(x)
}

#[signalry::traced(err)]
fn through_an_alias(fail: bool) -> Fallible<&'static str> {
    if fail {
        Err(Refused)
    } else {
        Ok("fine")
    }
}

#[signalry::traced]
#[allow(clippy::result_unit_err)]
fn unit_error() -> Result<(), ()> {
    Err(())
}

#[signalry::traced(ret)]
fn opaque_return() -> Opaque {
    Opaque { inner: 4 }
}

#[test]
fn ret_records_the_value_or_the_ok_value() {
    let (_, captured) = capture(|| doubled(21));
    assert_eq!(
        captured.span("doubled").attribute("return.value"),
        Some(&Value::I64(42))
    );
    let (_, captured) = capture(|| checked(3));
    assert_eq!(
        captured.span("checked").attribute("return.value"),
        Some(&Value::I64(3))
    );
    let (_, captured) = capture(|| checked(0));
    let span = captured.span("checked");
    assert_eq!(span.attribute("return.value"), None);
    assert_eq!(span.status, Status::error("refused"));
    let (_, captured) = capture(opaque_return);
    assert_eq!(
        captured.span("opaque_return").attribute("return.value"),
        text("Opaque { inner: 4 }").as_ref(),
        "a type without a native value is recorded through Debug"
    );
}

#[test]
fn err_records_results_behind_aliases_and_errors_without_display() {
    let (_, captured) = capture(|| through_an_alias(true));
    let span = captured.span("through_an_alias");
    assert_eq!(span.status, Status::error("refused"));
    assert_eq!(
        span.attribute("error.type"),
        text("traced_options::Refused").as_ref()
    );
    let (_, captured) = capture(|| through_an_alias(false));
    assert_eq!(captured.span("through_an_alias").status, Status::Unset);
    // `()` has no Display: its Debug text describes the error.
    let (_, captured) = capture(unit_error);
    assert_eq!(captured.span("unit_error").status, Status::error("()"));
}

#[signalry::traced]
fn outer_with_children(upstream: &SpanContext) {
    detached();
    linked(upstream.clone());
    explicit_parent(upstream);
}

#[signalry::traced(root)]
fn detached() {}

#[signalry::traced(link = origin)]
fn linked(origin: SpanContext) {
    let _ = origin;
}

#[signalry::traced(parent = origin)]
fn explicit_parent(origin: &SpanContext) {
    let _ = origin;
}

#[signalry::traced]
fn upstream_work() -> SpanContext {
    Context::current().span().span_context().clone()
}

#[test]
fn root_parent_and_link() {
    let ((), captured) = capture(|| {
        let upstream = upstream_work();
        outer_with_children(&upstream);
    });
    let upstream = captured.span("upstream_work");
    let outer = captured.span("outer_with_children");

    let detached = captured.span("detached");
    assert_eq!(detached.parent_span_id, SpanId::INVALID);
    assert_ne!(detached.trace_id, outer.trace_id, "root starts a new trace");

    let linked = captured.span("linked");
    assert!(linked.is_child_of(outer));
    assert_eq!(linked.links, vec![(upstream.trace_id, upstream.span_id)]);

    let explicit = captured.span("explicit_parent");
    assert!(
        explicit.is_child_of(upstream),
        "parent = expr wins over the current span"
    );
}

// --- default names and function shapes -----------------------------------------------------

struct Service {
    calls: u32,
}

trait Greeter {
    fn greet(&self) -> String;
}

impl Service {
    #[signalry::traced]
    fn by_ref(&self) -> u32 {
        self.calls
    }

    #[signalry::traced]
    fn by_mut(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }

    #[allow(clippy::boxed_local)] // the receiver shape is what is tested
    #[signalry::traced]
    fn boxed(self: Box<Self>) -> u32 {
        self.calls
    }

    #[signalry::traced]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        self.calls
    }

    #[signalry::traced]
    async fn by_ref_async(&self) -> u32 {
        tokio::task::yield_now().await;
        self.calls
    }

    #[signalry::traced]
    fn returns_future(&self, fail: bool) -> impl Future<Output = Result<u32, Refused>> + '_ {
        let calls = self.calls;
        async move {
            tokio::task::yield_now().await;
            child_of_future();
            if fail {
                Err(Refused)
            } else {
                Ok(calls)
            }
        }
    }
}

#[signalry::traced]
fn child_of_future() {}

impl Greeter for Service {
    #[signalry::traced]
    fn greet(&self) -> String {
        format!("hello {}", self.calls)
    }
}

struct Wrapper<T>(T);

impl<T: Clone> Wrapper<T> {
    #[signalry::traced]
    fn get(&self) -> T {
        self.0.clone()
    }
}

#[test]
fn methods_are_named_after_their_type_and_every_receiver_works() {
    let ((), captured) = capture(|| {
        let mut service = Service { calls: 1 };
        service.by_ref();
        service.by_mut();
        Pin::new(&mut service).pinned();
        service.greet();
        Box::new(service).boxed();
        Wrapper(5u8).get();
    });
    for name in [
        "Service::by_ref",
        "Service::by_mut",
        "Service::pinned",
        "Service::boxed",
        "Service::greet",
        "Wrapper::get",
    ] {
        let span = captured.span(name);
        assert!(span.attribute("code.function.name").is_some(), "{name}");
    }
    assert_eq!(
        captured
            .span("Service::by_ref")
            .attribute("code.function.name"),
        text("traced_options::Service::by_ref").as_ref()
    );
    assert_eq!(
        captured
            .span("Service::greet")
            .attribute("code.function.name"),
        text("<traced_options::Service as traced_options::Greeter>::greet").as_ref()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_returning_futures_and_async_methods() {
    let service = Service { calls: 3 };
    let ((ok, failed, calls), captured) = capture_future(async {
        (
            service.returns_future(false).await,
            service.returns_future(true).await,
            service.by_ref_async().await,
        )
    })
    .await;
    assert_eq!((ok, failed, calls), (Ok(3), Err(Refused), 3));
    let futures: Vec<_> = captured.spans_named("Service::returns_future").collect();
    assert_eq!(futures.len(), 2);
    let children: Vec<_> = captured.spans_named("child_of_future").collect();
    assert_eq!(children.len(), 2);
    for parent in &futures {
        assert_eq!(children.iter().filter(|c| c.is_child_of(parent)).count(), 1);
    }
    assert_eq!(
        futures
            .iter()
            .filter(|s| s.status == Status::error("refused"))
            .count(),
        1
    );
    assert!(captured.spans_named("Service::by_ref_async").count() == 1);
}

#[async_trait::async_trait]
trait Store {
    async fn load(&self, id: u64) -> Result<String, Refused>;
}

#[async_trait::async_trait]
impl Store for Service {
    #[signalry::traced]
    async fn load(&self, id: u64) -> Result<String, Refused> {
        tokio::task::yield_now().await;
        child_of_future();
        if id == 0 {
            return Err(Refused);
        }
        Ok(format!("{id}:{}", self.calls))
    }
}

trait NativeAsync {
    async fn fetch(&self, id: u64) -> u64;
}

impl NativeAsync for Service {
    #[signalry::traced]
    async fn fetch(&self, id: u64) -> u64 {
        child_of_future();
        id + u64::from(self.calls)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_trait_methods_and_async_fn_in_traits() {
    let service = Service { calls: 2 };
    let ((loaded, failed, fetched), captured) = capture_future(async {
        (
            service.load(1).await,
            service.load(0).await,
            service.fetch(1).await,
        )
    })
    .await;
    assert_eq!(loaded.as_deref(), Ok("1:2"));
    assert_eq!(failed, Err(Refused));
    assert_eq!(fetched, 3);
    let loads: Vec<_> = captured.spans_named("Service::load").collect();
    assert_eq!(loads.len(), 2);
    assert!(loads.iter().all(|s| s.attribute("id").is_some()));
    assert_eq!(
        loads
            .iter()
            .filter(|s| s.status == Status::error("refused"))
            .count(),
        1
    );
    let fetch = captured.span("Service::fetch");
    let children: Vec<_> = captured.spans_named("child_of_future").collect();
    assert_eq!(children.len(), 3);
    assert_eq!(children.iter().filter(|c| c.is_child_of(fetch)).count(), 1);
    for load in loads {
        assert_eq!(children.iter().filter(|c| c.is_child_of(load)).count(), 1);
    }
}

impl Service {
    #[signalry::traced]
    fn new(calls: u32) -> Self {
        Self { calls }
    }
}

#[test]
fn associated_fns_mentioning_self_are_methods_and_nested_fns_keep_their_name() {
    #[signalry::traced]
    fn nested() {}

    let ((), captured) = capture(|| {
        let _ = Service::new(1);
        nested();
    });
    let new = captured.span("Service::new");
    assert_eq!(new.attribute("calls"), Some(&Value::I64(1)));
    let nested = captured.span("nested");
    assert!(matches!(
        nested.attribute("code.function.name"),
        Some(Value::String(path)) if path.as_str().ends_with("::nested")
    ));
}

/// One argument per secret pattern listed in the `#[traced]` documentation.
#[allow(
    clippy::too_many_arguments,
    clippy::similar_names,
    clippy::fn_params_excessive_bools
)]
#[signalry::traced]
fn every_secret_pattern(
    password: &str,
    db_passwd: &str,
    passphrase: &str,
    client_secret: &str,
    refresh_token: &str,
    api_key: &str,
    apikey: &str,
    access_key_id: &str,
    private_key: &str,
    privkey: &str,
    authorization: &str,
    credentials: &str,
    cookie: &str,
    session_id: &str,
    signature: &str,
    jwt: &str,
    bearer: &str,
    user_pwd: &str,
    pin: &str,
    ssn: &str,
    cvv: &str,
    card_number: &str,
    spinner: &str,
) {
    let _ = (
        password,
        db_passwd,
        passphrase,
        client_secret,
        refresh_token,
        api_key,
        apikey,
        access_key_id,
        private_key,
        privkey,
        authorization,
        credentials,
        cookie,
        session_id,
        signature,
        jwt,
        bearer,
        user_pwd,
        pin,
        ssn,
        cvv,
        card_number,
        spinner,
    );
}

#[test]
fn every_documented_secret_pattern_is_left_out() {
    let ((), captured) = capture(|| {
        every_secret_pattern(
            "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s",
            "s", "s", "s", "s", "s", "spins",
        );
    });
    let span = captured.span("every_secret_pattern");
    let recorded: Vec<&str> = span
        .attributes
        .iter()
        .map(|kv| kv.key.as_str())
        .filter(|k| !k.starts_with("code."))
        .collect();
    // `pin` is matched as a word only, so `spinner` is still recorded.
    assert_eq!(recorded, vec!["spinner"]);
}
