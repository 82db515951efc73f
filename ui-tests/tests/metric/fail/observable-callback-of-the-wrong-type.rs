fn main() {
    let _observation = signalry::observable_counter!("cache.evictions", |observer| observer.observe(-1.5, &[]));
}
