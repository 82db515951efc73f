fn main() {
    signalry::counter!(orders, 1);
}
