fn main() {
    let n: u32 = 3;
    signalry::histogram!("payload.size", n, unit = "By");
}
