// Starts a scan worker: loads wasm-bindgen's no-modules glue that Trunk writes as worker.js,
// then its WebAssembly, whose `main` installs the message handler and posts `Ready`. Relative
// URLs resolve against this script's URL, so the site works under any path prefix.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
