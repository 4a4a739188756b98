//! keyrs-server: `keyrs-server [file.conf] [--option value ...]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(keyrs_server::main_with_args(&args));
}
