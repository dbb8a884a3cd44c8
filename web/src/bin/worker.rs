//! Entry point of the scan worker (`worker.js` in the built site).

fn main() {
    console_error_panic_hook::set_once();
    tarsier_web::worker::run();
}
