fn main() {
    signalry::counter!("cache.evictions", 1);
    let _observation = signalry::observable_counter!("cache.evictions", |observer| observer.observe(1, &[]));
}
