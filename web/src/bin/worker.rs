//! Entry point of the scan worker (`worker.js` in the built site).

use gloo_worker::Registrable;
use tarsier_web::{JsCodec, ScanWorker};

fn main() {
    console_error_panic_hook::set_once();
    ScanWorker::registrar().encoding::<JsCodec>().register();
}
