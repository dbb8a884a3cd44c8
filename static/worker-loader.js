// Starts a scan worker: loads wasm-bindgen's no-modules glue that Trunk writes as worker.js,
// then its WebAssembly, whose `main` installs the message handler and posts `Ready`. Relative
// URLs resolve against this script's URL, so the site works under any path prefix.
//
// Streamed layer reads (web/src/stream.rs explains why): where the browser has JavaScript
// Promise Integration, the module's `tarsierStreamRead` import is wrapped in
// `WebAssembly.Suspending` while it is instantiated, and layer walks are started through
// `WebAssembly.promising(tarsier_walk_pending)`. Elsewhere `tarsierStreams()` is false and
// layers are read with FileReaderSync.
importScripts('./worker.js');

(() => {
  let memory = null;
  let walk = null;
  let lastError = '';
  /** The open stream: the file and end it reads, its position, its reader and unread bytes. */
  let cur = null;
  /** A forward gap larger than this reopens the stream instead of reading through it. */
  const REOPEN = 8 << 20;
  /** Bytes a bring-your-own-buffer read asks for; the one buffer is reused. */
  const CHUNK = 1 << 20;

  self.tarsierStreams = () => walk !== null;
  self.tarsierStreamError = () => lastError;
  self.tarsierWalkLater = () => {
    setTimeout(() => {
      walk().catch((e) => {
        // A trap inside the walk: rethrown outside the promise so the page's `onerror` sees it.
        setTimeout(() => {
          throw e;
        });
      });
    });
  };
  self.tarsierStreamClose = () => {
    if (cur) cur.reader.cancel().catch(() => {});
    cur = null;
  };

  function open(file, offset, end) {
    const stream = file.slice(offset, end).stream();
    try {
      return { file, end, pos: offset, reader: stream.getReader({ mode: 'byob' }), spare: new ArrayBuffer(CHUNK), left: null };
    } catch {
      return { file, end, pos: offset, reader: stream.getReader(), spare: null, left: null };
    }
  }

  /** Reads the next piece of the stream into `c.left`; false at its end. */
  async function fill(c) {
    if (c.spare) {
      const { done, value } = await c.reader.read(new Uint8Array(c.spare));
      if (value) c.spare = value.buffer;
      if (done || !value || value.length === 0) return !done && (await fill(c));
      c.left = value;
    } else {
      const { done, value } = await c.reader.read();
      if (done) return false;
      c.left = value;
    }
    return true;
  }

  self.tarsierStreamRead = async (file, offset, end, ptr, len) => {
    try {
      let c = cur;
      if (!c || c.file !== file || c.end !== end || offset < c.pos || offset - c.pos > REOPEN) {
        self.tarsierStreamClose();
        c = cur = open(file, offset, end);
      }
      let out = 0;
      while (out < len) {
        if (!c.left && !(await fill(c))) break;
        if (c.pos < offset) {
          const k = Math.min(offset - c.pos, c.left.length);
          c.pos += k;
          c.left = k < c.left.length ? c.left.subarray(k) : null;
          continue;
        }
        const k = Math.min(len - out, c.left.length);
        new Uint8Array(memory.buffer, ptr + out, k).set(c.left.subarray(0, k));
        out += k;
        c.pos += k;
        c.left = k < c.left.length ? c.left.subarray(k) : null;
      }
      return out;
    } catch (e) {
      lastError = String((e && e.message) || e);
      self.tarsierStreamClose();
      return -1;
    }
  };

  if (typeof WebAssembly.Suspending !== 'function' || typeof WebAssembly.promising !== 'function') return;
  const wrapImports = (imports) => {
    let found = 0;
    for (const module of Object.values(imports || {})) {
      for (const name of Object.keys(module)) {
        if (name.startsWith('__wbg_tarsierStreamRead_')) {
          module[name] = new WebAssembly.Suspending(module[name]);
          found++;
        }
      }
    }
    return found === 1;
  };
  const adopt = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    const exports = instance.exports;
    if (exports.memory instanceof WebAssembly.Memory && typeof exports.tarsier_walk_pending === 'function') {
      memory = exports.memory;
      walk = WebAssembly.promising(exports.tarsier_walk_pending);
    }
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = async function (source, imports) {
      const wrapped = wrapImports(imports);
      const result = await original.call(WebAssembly, source, imports);
      if (wrapped) adopt(result);
      return result;
    };
  }
})();

wasm_bindgen({ module_or_path: './worker_bg.wasm' });
