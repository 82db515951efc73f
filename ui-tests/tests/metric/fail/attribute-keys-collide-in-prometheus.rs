fn main() {
    signalry::counter!(
        "http.requests",
        1,
        attributes(http.route = "/a", http_route = "/b")
    );
}
