#![deny(warnings, clippy::pedantic)]
//! A user's crate that denies every warning and clippy's pedantic lints, with `#[traced]` on
//! every supported function shape and with every option. `cargo clippy -p signalry-ui-tests
//! --all-targets -- -D warnings` passing proves the generated code adds no lint of its own:
//! a lint here is either in the code below (fix the code) or in the expansion (fix the macro,
//! never silence it here).
//!
//! The trybuild cases under `tests/traced/` cover the same shapes one family per file, and
//! every error the macro can give.

/// Free functions: sync and async, with and without a `Result`, early return and `?`.
pub mod free_functions {
    use std::num::ParseIntError;

    /// Nothing returned.
    #[signalry::traced]
    pub fn unit() {}

    /// A value returned.
    #[signalry::traced]
    #[must_use]
    pub fn add(a: u32, b: u32) -> u32 {
        a.saturating_add(b)
    }

    /// `?` and an early return in a function returning `Result`.
    ///
    /// # Errors
    /// When `input` is not a number.
    #[signalry::traced]
    pub fn parse(input: &str) -> Result<u32, ParseIntError> {
        if input.is_empty() {
            return Ok(0);
        }
        let n: u32 = input.trim().parse()?;
        Ok(n)
    }

    /// An `io::Result` alias.
    ///
    /// # Errors
    /// When `path` is empty.
    #[signalry::traced]
    pub fn io(path: &str) -> std::io::Result<usize> {
        if path.is_empty() {
            return Err(std::io::Error::other("empty path"));
        }
        Ok(path.len())
    }

    /// An `async fn`.
    #[signalry::traced]
    pub async fn fetch(id: u64) -> String {
        format!("{id}")
    }

    /// An `async fn` returning `Result`, with `?` and an early return.
    ///
    /// # Errors
    /// When `input` is not a number.
    #[signalry::traced]
    pub async fn fetch_parsed(input: String) -> Result<u64, ParseIntError> {
        if input.is_empty() {
            return Ok(0);
        }
        let n = input.parse()?;
        Ok(n)
    }
}

/// Every form of `self`, associated functions, and methods of a generic type.
pub mod methods {
    use std::fmt::Debug;
    use std::pin::Pin;

    /// A counter.
    #[derive(Debug, Clone, Default)]
    pub struct Counter {
        count: u64,
    }

    impl Counter {
        /// An associated function returning `Self`.
        #[signalry::traced]
        #[must_use]
        pub fn new(start: u64) -> Self {
            Self { count: start }
        }

        /// `self`.
        #[signalry::traced]
        #[must_use]
        pub fn into_count(self) -> u64 {
            self.count
        }

        /// `&self`.
        #[signalry::traced]
        #[must_use]
        pub fn count(&self) -> u64 {
            self.count
        }

        /// `&mut self`.
        #[signalry::traced]
        pub fn increment(&mut self, step: u64) -> u64 {
            self.count = self.count.saturating_add(step);
            self.count
        }

        /// `mut self`.
        #[signalry::traced]
        #[must_use]
        pub fn with_step(mut self, step: u64) -> Self {
            self.count = self.count.saturating_add(step);
            self
        }

        /// `self: Box<Self>`.
        #[signalry::traced]
        #[must_use]
        #[allow(clippy::boxed_local)] // the shape under test, not the macro's doing
        pub fn boxed(self: Box<Self>) -> u64 {
            self.count
        }

        /// `self: Pin<&mut Self>`.
        #[signalry::traced]
        #[must_use]
        pub fn pinned(self: Pin<&mut Self>) -> u64 {
            let this = self.get_mut();
            this.count = this.count.saturating_add(1);
            this.count
        }

        /// `async fn` with `&self`.
        #[signalry::traced]
        pub async fn count_async(&self) -> u64 {
            self.count
        }

        /// `async fn` with `&mut self`.
        #[signalry::traced]
        pub async fn increment_async(&mut self, step: u64) -> u64 {
            self.count = self.count.saturating_add(step);
            self.count
        }
    }

    /// A generic type.
    #[derive(Debug)]
    pub struct Slot<T> {
        value: T,
    }

    impl<T: Clone + Debug> Slot<T> {
        /// A method of a generic type, recording a field through `Debug`.
        #[signalry::traced(fields(value = ?self.value))]
        #[must_use]
        pub fn get(&self) -> T {
            self.value.clone()
        }

        /// Replaces the value.
        #[signalry::traced]
        pub fn replace(&mut self, value: T) -> T {
            std::mem::replace(&mut self.value, value)
        }
    }

    impl<T> Slot<T> {
        /// An associated function of a generic type.
        #[signalry::traced(skip_all)]
        pub fn new(value: T) -> Self {
            Self { value }
        }
    }
}

/// Generic parameters, lifetimes, const generics, where clauses and `impl Trait` arguments and
/// returns.
pub mod generics {
    use std::fmt::{Debug, Display};
    use std::hash::BuildHasher;

    /// A type parameter.
    #[signalry::traced]
    pub fn identity<T>(value: T) -> T {
        value
    }

    /// Two lifetimes with a bound.
    #[signalry::traced]
    #[must_use]
    pub fn longest<'a, 'b: 'a>(left: &'a str, right: &'b str) -> &'a str {
        if left.len() >= right.len() {
            left
        } else {
            right
        }
    }

    /// A const generic.
    #[signalry::traced]
    #[must_use]
    pub fn len<const N: usize>(items: [u8; N]) -> usize {
        items.len()
    }

    /// A where clause, `?` and associated types.
    ///
    /// # Errors
    /// When an input does not parse.
    #[signalry::traced(err, ret)]
    pub fn parse_all<I, T>(inputs: I) -> Result<Vec<T>, T::Err>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
        T: std::str::FromStr + Debug,
        T::Err: Display,
    {
        let mut out = Vec::new();
        for input in inputs {
            out.push(input.as_ref().parse()?);
        }
        Ok(out)
    }

    /// `impl Trait` arguments.
    #[signalry::traced]
    pub fn describe(label: impl Display, value: impl Debug) -> String {
        format!("{label}: {value:?}")
    }

    /// `impl Trait` return borrowing an argument.
    #[signalry::traced(ret)]
    pub fn evens(items: &[u32]) -> impl Iterator<Item = &u32> + '_ {
        items.iter().filter(|n| *n % 2 == 0)
    }

    /// A generic hasher, as pedantic clippy asks for `HashMap` arguments.
    #[signalry::traced]
    #[must_use]
    pub fn total<S: BuildHasher>(map: &std::collections::HashMap<String, u64, S>) -> u64 {
        map.values().sum()
    }

    /// An `async fn` with a where clause.
    ///
    /// # Errors
    /// Returns `error` when `fail` is set.
    #[signalry::traced(err)]
    pub async fn maybe_fail<E>(fail: bool, error: E) -> Result<(), E>
    where
        E: std::error::Error + Send,
    {
        if fail {
            return Err(error);
        }
        Ok(())
    }
}

/// Destructuring patterns, `mut` bindings, `_` and `_unused` arguments.
pub mod patterns {
    /// A point.
    #[derive(Debug, Clone, Copy)]
    pub struct Point {
        /// Horizontal.
        pub x: i64,
        /// Vertical.
        pub y: i64,
    }

    /// A tuple pattern.
    #[signalry::traced]
    #[must_use]
    pub fn tuple((left, right): (u32, u32)) -> u32 {
        left.saturating_add(right)
    }

    /// A struct pattern.
    #[signalry::traced]
    #[must_use]
    pub fn structure(Point { x, y }: Point) -> i64 {
        x.saturating_mul(y)
    }

    /// A reference pattern.
    #[signalry::traced]
    #[must_use]
    pub fn reference(&value: &u64) -> u64 {
        value
    }

    /// A binding with a sub-pattern.
    #[signalry::traced]
    #[must_use]
    pub fn binding(whole @ Point { x, .. }: Point) -> i64 {
        whole.y.saturating_add(x)
    }

    /// `mut` bindings.
    #[signalry::traced]
    #[must_use]
    pub fn mutable(mut count: u32, mut text: String) -> String {
        count = count.saturating_add(1);
        text.push_str(&count.to_string());
        text
    }

    /// `mut` binding with `err`.
    ///
    /// # Errors
    /// Never in practice: `attempts` always counts down to zero.
    #[signalry::traced(err)]
    pub fn countdown(mut attempts: u8) -> Result<u8, String> {
        while attempts > 0 {
            attempts -= 1;
        }
        if attempts == 0 {
            Ok(attempts)
        } else {
            Err("attempts left".to_owned())
        }
    }

    /// `_` and `_unused` arguments.
    #[signalry::traced]
    #[must_use]
    pub fn ignored(_: u32, _unused: &str, used: bool) -> bool {
        used
    }

    /// Patterns in an `async fn`.
    #[signalry::traced]
    pub async fn async_patterns((a, mut b): (u32, u32), Point { x, .. }: Point) -> i64 {
        b = b.saturating_add(a);
        i64::from(b).saturating_add(x)
    }
}

/// `unsafe fn` and `extern "C" fn`.
pub mod unsafe_and_extern {
    /// An `unsafe fn`.
    ///
    /// # Safety
    /// `pointer` must be valid for reads.
    #[allow(unsafe_code)] // the shape under test
    #[signalry::traced]
    #[must_use]
    pub unsafe fn read(pointer: *const u32) -> u32 {
        // SAFETY: the caller guarantees `pointer` is valid.
        unsafe { *pointer }
    }

    /// An `extern "C" fn`.
    #[signalry::traced]
    #[must_use]
    pub extern "C" fn callback(value: i32) -> i32 {
        value.saturating_mul(2)
    }

    /// An `unsafe extern "C" fn`.
    ///
    /// # Safety
    /// `pointer` must be valid for reads.
    #[allow(unsafe_code)] // the shape under test
    #[signalry::traced(ret)]
    #[must_use]
    pub unsafe extern "C" fn read_c(pointer: *const i32) -> i32 {
        // SAFETY: the caller guarantees `pointer` is valid.
        unsafe { *pointer }
    }

    /// An `unsafe fn` with `err`.
    ///
    /// # Safety
    /// None beyond the signature; `unsafe` is the shape under test.
    ///
    /// # Errors
    /// When `value` is negative.
    #[allow(unsafe_code)] // the shape under test
    #[signalry::traced(err)]
    pub unsafe fn checked(value: i32) -> Result<i32, String> {
        if value < 0 {
            return Err("negative".to_owned());
        }
        Ok(value)
    }
}

/// Methods of trait impls, and default methods in traits.
pub mod trait_impls {
    use std::fmt;

    /// A temperature.
    #[derive(Debug, Clone, Copy)]
    pub struct Celsius(pub f64);

    impl fmt::Display for Celsius {
        #[signalry::traced]
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} °C", self.0)
        }
    }

    impl std::str::FromStr for Celsius {
        type Err = std::num::ParseFloatError;

        #[signalry::traced(err, ret)]
        fn from_str(s: &str) -> Result<Self, Self::Err> {
            Ok(Self(s.trim_end_matches(" °C").parse()?))
        }
    }

    /// Counts down to zero.
    #[derive(Debug)]
    pub struct Countdown(pub u32);

    impl Iterator for Countdown {
        type Item = u32;

        #[signalry::traced]
        fn next(&mut self) -> Option<Self::Item> {
            if self.0 == 0 {
                return None;
            }
            self.0 -= 1;
            Some(self.0)
        }
    }

    /// A key-value store.
    pub trait Store {
        /// The key type.
        type Key;

        /// The value at `key`.
        fn get(&self, key: &Self::Key) -> Option<String>;

        /// A traced default method.
        #[signalry::traced]
        fn get_or_default(&self, key: &Self::Key) -> String {
            self.get(key).unwrap_or_default()
        }
    }

    /// An in-memory store.
    #[derive(Debug)]
    pub struct Memory;

    impl Store for Memory {
        type Key = u64;

        #[signalry::traced(kind = client)]
        fn get(&self, key: &u64) -> Option<String> {
            (*key == 1).then(|| "one".to_owned())
        }
    }
}

/// Native `async fn` in traits.
pub mod async_fn_in_trait {
    use std::future::Future;

    /// A repository whose futures are `Send`, implemented with `async fn`.
    pub trait Repository: Sync {
        /// Loads `id`.
        fn load(&self, id: u64) -> impl Future<Output = Option<String>> + Send;

        /// A traced default method returning the trait's `Send` future from an `async` block.
        #[signalry::traced]
        fn load_or(&self, id: u64, fallback: String) -> impl Future<Output = String> + Send {
            async move { self.load(id).await.unwrap_or(fallback) }
        }
    }

    /// An in-memory repository.
    #[derive(Debug)]
    pub struct Memory;

    impl Repository for Memory {
        #[signalry::traced(kind = client, fields(db.system.name = "memory"))]
        async fn load(&self, id: u64) -> Option<String> {
            (id == 1).then(|| "one".to_owned())
        }
    }

    /// A crate-private trait with native `async fn` default methods.
    trait Local {
        async fn value(&self) -> u64;

        #[signalry::traced]
        async fn doubled(&self) -> u64 {
            self.value().await.saturating_mul(2)
        }
    }

    impl Local for Memory {
        #[signalry::traced]
        async fn value(&self) -> u64 {
            1
        }
    }

    /// Uses the private trait.
    pub async fn local_doubled() -> u64 {
        Memory.doubled().await
    }
}

/// Functions returning a future built from a trailing `async move {}` block, plain or boxed.
pub mod impl_future {
    use std::future::Future;
    use std::pin::Pin;

    /// A plain `impl Future`.
    #[signalry::traced]
    pub fn plain(id: u64) -> impl Future<Output = u64> {
        let doubled = id.saturating_mul(2);
        async move { doubled }
    }

    /// A fallible `impl Future + Send`, with `?` and an early return inside.
    ///
    /// # Errors
    /// When `id` is zero.
    #[signalry::traced(err, ret)]
    pub fn fallible(id: u64) -> impl Future<Output = Result<u64, std::io::Error>> + Send {
        async move {
            if id == 0 {
                return Err(std::io::Error::other("zero"));
            }
            let parsed: u64 = "7".parse().map_err(std::io::Error::other)?;
            Ok(parsed.saturating_add(id))
        }
    }

    /// A boxed future.
    #[signalry::traced]
    #[must_use]
    pub fn boxed(id: u64) -> Pin<Box<dyn Future<Output = String> + Send>> {
        Box::pin(async move { id.to_string() })
    }

    /// A client.
    #[derive(Debug)]
    pub struct Client {
        /// The base address.
        pub base: String,
    }

    impl Client {
        /// A future borrowing `self`.
        #[signalry::traced(fields(base = %self.base))]
        pub fn get<'a>(&'a self, path: &'a str) -> impl Future<Output = String> + Send + 'a {
            let base = &self.base;
            async move { format!("{base}{path}") }
        }
    }
}

/// Methods under `#[async_trait]`.
pub mod async_trait_methods {
    use async_trait::async_trait;

    /// A service.
    #[async_trait]
    pub trait Service: Sync {
        /// Calls the service.
        async fn call(&self, id: u64) -> Option<String>;

        /// A traced default method.
        #[signalry::traced]
        async fn call_or(&self, id: u64, fallback: &str) -> String {
            self.call(id).await.unwrap_or_else(|| fallback.to_owned())
        }
    }

    /// Echoes with a prefix.
    #[derive(Debug)]
    pub struct Echo {
        /// The prefix.
        pub prefix: String,
    }

    #[async_trait]
    impl Service for Echo {
        #[signalry::traced(kind = server, fields(prefix = %self.prefix))]
        async fn call(&self, id: u64) -> Option<String> {
            if id == 0 {
                return None;
            }
            Some(format!("{}{id}", self.prefix))
        }
    }

    /// A fallible service taking `&mut self`.
    #[async_trait]
    pub trait Fallible {
        /// Runs.
        async fn run(&mut self, input: &str) -> Result<u32, std::num::ParseIntError>;
    }

    #[async_trait]
    impl Fallible for Echo {
        #[signalry::traced(err, ret)]
        async fn run(&mut self, input: &str) -> Result<u32, std::num::ParseIntError> {
            let n = input.parse()?;
            self.prefix.push('!');
            Ok(n)
        }
    }
}

/// Every option.
pub mod options {
    use signalry::otel::trace::SpanContext;
    use signalry::otel::Context;

    /// An order.
    #[derive(Debug)]
    pub struct Order {
        /// Its id.
        pub id: u64,
        /// Its customer.
        pub customer: String,
    }

    /// `name`.
    #[signalry::traced(name = "orders.get")]
    pub fn named() {}

    /// `kind = server`.
    #[signalry::traced(kind = server)]
    pub fn server() {}

    /// `kind = client`.
    #[signalry::traced(kind = client)]
    pub fn client() {}

    /// `kind = producer`.
    #[signalry::traced(kind = producer)]
    pub fn producer() {}

    /// `kind = consumer`.
    #[signalry::traced(kind = consumer)]
    pub fn consumer() {}

    /// `kind = internal`.
    #[signalry::traced(kind = internal)]
    pub fn internal() {}

    /// `skip`.
    #[signalry::traced(skip(body, order))]
    #[must_use]
    pub fn skip(name: &str, body: &[u8], order: &Order) -> usize {
        name.len() + body.len() + usize::from(order.id > 0)
    }

    /// `skip_all`.
    #[signalry::traced(skip_all)]
    #[must_use]
    pub fn skip_all(name: &str, count: usize) -> usize {
        count.saturating_add(name.len())
    }

    /// Every form of `fields`.
    #[signalry::traced(fields(
        plain = 1,
        text = "literal",
        display = %order.customer,
        debug = ?order,
        http.route = "/orders/{id}",
        "db.system.name" = "postgresql",
        computed = order.id.saturating_mul(2),
        optional = Some(1_i64),
        reference = &order.customer,
        count,
        %customer,
        ?order,
    ))]
    #[must_use]
    pub fn fields(order: &Order, count: u32, customer: &str) -> u64 {
        order.id + u64::from(count) + customer.len() as u64
    }

    /// A secret-looking argument, recorded because `fields` names it.
    #[signalry::traced(fields(password))]
    #[must_use]
    pub fn explicit_secret(user: &str, password: &str) -> bool {
        user != password
    }

    /// `err`.
    ///
    /// # Errors
    /// When `fail` is set.
    #[signalry::traced(err)]
    pub fn err(fail: bool) -> Result<u32, std::io::Error> {
        if fail {
            return Err(std::io::Error::other("failed"));
        }
        let n: u32 = "1".parse().map_err(std::io::Error::other)?;
        Ok(n)
    }

    /// `ret`.
    #[signalry::traced(ret)]
    #[must_use]
    pub fn ret(a: u64, b: u64) -> u64 {
        a.saturating_add(b)
    }

    /// `err` and `ret`.
    ///
    /// # Errors
    /// When `fail` is set.
    #[signalry::traced(err, ret)]
    pub fn err_and_ret(fail: bool) -> Result<String, String> {
        if fail {
            return Err("failed".to_owned());
        }
        Ok("done".to_owned())
    }

    /// `root`.
    #[signalry::traced(root)]
    pub fn root() {}

    /// `parent` from a `SpanContext`.
    #[signalry::traced(parent = upstream)]
    pub fn parent_span_context(upstream: &SpanContext) {}

    /// `parent` from a `Context`.
    #[signalry::traced(parent = &cx)]
    pub fn parent_context(cx: &Context) {}

    /// `parent` from an `Option`.
    #[signalry::traced(parent = maybe)]
    pub fn parent_option(maybe: Option<&SpanContext>) {}

    /// `link`.
    #[signalry::traced(link = upstream)]
    pub fn link(upstream: &SpanContext) {}

    /// `link` with `root`.
    #[signalry::traced(root, link = Context::current())]
    pub fn root_with_link() {}

    mod reexport {
        pub use ::signalry as telemetry;
    }

    /// `crate`.
    #[signalry::traced(crate = reexport::telemetry)]
    pub fn through_a_reexport() {}

    /// Every option at once.
    ///
    /// # Errors
    /// When `payload` is empty.
    #[signalry::traced(
        name = "orders.process",
        kind = consumer,
        skip(payload),
        fields(order.id = order.id, ?order),
        err,
        ret,
        parent = upstream,
        link = link,
        crate = ::signalry,
    )]
    pub async fn everything(
        order: &Order,
        payload: Vec<u8>,
        upstream: Option<&SpanContext>,
        link: &Context,
    ) -> Result<usize, std::io::Error> {
        if payload.is_empty() {
            return Err(std::io::Error::other("empty"));
        }
        Ok(payload.len() + order.customer.len())
    }
}

/// The recording macros, under the same pedantic lints.
pub mod metrics {
    /// Records one of each instrument with every option.
    pub fn record_everything(kind: &str, elapsed: std::time::Duration, region: Option<&str>) {
        signalry::counter!(
            "orders.created",
            1,
            unit = "{order}",
            description = "Orders accepted",
            attributes(order.kind = kind, "payment.method" = "card", ?region)
        );
        signalry::updown!("queue.size", -1, unit = "{item}");
        signalry::histogram!("db.query.duration", elapsed.as_secs_f64(), unit = "s");
        signalry::gauge!("cache.fill.ratio", 0.5, unit = "1");
        signalry::counter!(
            "Legacy_Requests_total",
            1,
            allow(lowercase, namespaced, prometheus_suffix)
        );
    }
}

/// `#[metric]` under the same pedantic lints.
pub mod measured {
    /// Why a charge failed.
    #[derive(Debug)]
    pub struct Declined;

    /// Measured three ways.
    ///
    /// # Errors
    /// When the amount is zero.
    #[signalry::traced]
    #[signalry::metric(counter, name = "charges.attempted", attributes(charge.currency = currency))]
    #[signalry::metric(histogram, name = "charges.duration")]
    #[signalry::metric(updown, name = "charges.active")]
    pub fn charge(currency: &str, amount: u64) -> Result<u64, Declined> {
        if amount == 0 {
            return Err(Declined);
        }
        Ok(amount)
    }

    /// Measured while it runs.
    ///
    /// # Errors
    /// Never.
    #[signalry::metric(histogram, name = "refunds.duration", unit = "ms")]
    pub async fn refund(amount: u64) -> Result<u64, Declined> {
        Ok(amount)
    }
}

/// Observable instruments under the same pedantic lints.
pub mod observed {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// Registers one of each; the observations stop when dropped.
    pub fn register(level: &Arc<AtomicU64>) -> [signalry::Observation; 3] {
        let seen = Arc::clone(level);
        [
            signalry::observable_gauge!(
                "tank.fill.ratio",
                move |observer| {
                    let level = seen.load(Ordering::Relaxed);
                    observer.observe(
                        f64::from(u32::try_from(level).unwrap_or(u32::MAX)) / 100.0,
                        &[],
                    );
                },
                unit = "1"
            ),
            signalry::observable_counter!(
                "tank.refills",
                |observer| observer.observe(1, &[]),
                unit = "{refill}"
            ),
            signalry::observable_updown!(
                "tank.valve.count",
                |observer| observer.observe(2, &[]),
                unit = "{valve}"
            ),
        ]
    }
}

/// `#[derive(TelemetryEvent)]` under the same pedantic lints.
pub mod events {
    use signalry::TelemetryEvent as _;

    /// An order that could not be completed.
    #[derive(Debug, signalry::TelemetryEvent)]
    #[event(name = "order.failed", severity = error, body = "order {id} failed")]
    pub struct OrderFailed {
        /// The order.
        #[event(rename = "order.id")]
        pub id: u64,
        /// How it ships.
        #[event(rename = "order.kind")]
        pub kind: String,
    }

    /// Emits one.
    pub fn fail(id: u64) {
        OrderFailed {
            id,
            kind: "express".to_owned(),
        }
        .emit();
    }

    /// What happens to a background job: one event per variant, each counted.
    #[derive(Debug, signalry::TelemetryEvent)]
    #[event(name = "job", count = "jobs.events")]
    pub enum JobEvent<'a> {
        /// It started.
        Started {
            /// The job.
            #[event(rename = "job.id")]
            id: i64,
            /// Always `running`.
            #[event(rename = "job.outcome", count_by)]
            outcome: &'a str,
        },
        /// It failed.
        #[event(severity = error, body = "job {id} failed")]
        Failed {
            /// The job.
            #[event(rename = "job.id")]
            id: i64,
            /// Why.
            #[event(rename = "job.outcome", count_by)]
            outcome: &'a str,
        },
    }

    /// The request part of an event, only ever flattened.
    #[derive(Debug, signalry::TelemetryEvent)]
    #[event(nested)]
    pub struct Request<'a> {
        /// The HTTP method.
        pub method: &'a str,
    }

    /// A request was served.
    #[derive(Debug, signalry::TelemetryEvent)]
    pub struct RequestDone<'a> {
        /// What was asked.
        #[event(flatten, rename = "http.request")]
        pub request: Request<'a>,
        /// How it went.
        pub outcome: &'a str,
    }

    /// Emits each.
    pub fn run(id: i64) {
        JobEvent::Started {
            id,
            outcome: "running",
        }
        .emit();
        JobEvent::Failed {
            id,
            outcome: "failed",
        }
        .emit();
        RequestDone {
            request: Request { method: "GET" },
            outcome: "ok",
        }
        .emit();
    }
}
