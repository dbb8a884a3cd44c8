//! The page's side of the scan workers: spawns them, queues messages until each says it is
//! ready, forwards their events, and ends them with `Worker.terminate()`, the only way to stop
//! a worker that is busy in a synchronous scan.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::protocol::{decode, encode, ScanEvent, ScanRequest};

/// The worker's loader script (static/worker-loader.js), relative to the page; it loads the
/// `worker.js` glue and `worker_bg.wasm` that Trunk writes next to `index.html`.
const WORKER_URL: &str = "./worker-loader.js";

struct Slot {
    worker: web_sys::Worker,
    ready: Rc<Cell<bool>>,
    queue: Rc<RefCell<Vec<JsValue>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// A fixed set of scan workers. Dropping the pool terminates them.
pub struct Pool {
    slots: Vec<Slot>,
}

impl Pool {
    /// Spawns `size` workers; `on_event(w, event)` receives worker `w`'s events. A worker that
    /// cannot start, or dies (a panic in its code), is reported as a `Failed` event from it.
    pub fn spawn(size: usize, on_event: Rc<dyn Fn(usize, ScanEvent)>) -> Pool {
        let mut slots = Vec::with_capacity(size);
        for w in 0..size {
            let worker = match web_sys::Worker::new(WORKER_URL) {
                Ok(worker) => worker,
                Err(e) => {
                    on_event(
                        w,
                        ScanEvent::Failed {
                            code: "worker".into(),
                            message: format!("could not start a scan worker: {e:?}"),
                            hint: "Reload the page. Scanning needs web workers and WebAssembly."
                                .into(),
                        },
                    );
                    continue;
                }
            };
            let ready = Rc::new(Cell::new(false));
            let queue: Rc<RefCell<Vec<JsValue>>> = Rc::new(RefCell::new(Vec::new()));
            let on_message = {
                let (ready, queue, worker, on_event) = (
                    ready.clone(),
                    queue.clone(),
                    worker.clone(),
                    on_event.clone(),
                );
                Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                    move |ev: web_sys::MessageEvent| match decode::<ScanEvent>(ev.data()) {
                        Ok(ScanEvent::Ready) => {
                            ready.set(true);
                            for message in queue.borrow_mut().drain(..) {
                                let _ = worker.post_message(&message);
                            }
                        }
                        Ok(event) => on_event(w, event),
                        Err(message) => on_event(
                            w,
                            ScanEvent::Failed {
                                code: "internal".into(),
                                message,
                                hint: "Reload the page: its code and its worker's code differ."
                                    .into(),
                            },
                        ),
                    },
                )
            };
            let on_error = {
                let on_event = on_event.clone();
                Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                    ev.prevent_default();
                    on_event(
                        w,
                        ScanEvent::Failed {
                            code: "worker-crashed".into(),
                            message: format!("a scan worker stopped: {}", ev.message()),
                            hint: "This is a bug in tarsier; please report it with the browser \
                                   console's output. Reload the page to scan again."
                                .into(),
                        },
                    )
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            slots.push(Slot {
                worker,
                ready,
                queue,
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        Pool { slots }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Posts `request` to worker `w` (held until the worker is ready).
    pub fn send(&self, w: usize, request: &ScanRequest) {
        let Some(slot) = self.slots.get(w) else {
            return;
        };
        let message = match encode(request) {
            Ok(m) => m,
            Err(e) => {
                web_sys::console::error_1(&JsValue::from_str(&format!("tarsier: {e}")));
                return;
            }
        };
        if slot.ready.get() {
            let _ = slot.worker.post_message(&message);
        } else {
            slot.queue.borrow_mut().push(message);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for slot in &self.slots {
            slot.worker.set_onmessage(None);
            slot.worker.set_onerror(None);
            slot.worker.terminate();
        }
    }
}
