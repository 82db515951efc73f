fn main() {
    signalry::counter!("http.requests_total", 1);
}
