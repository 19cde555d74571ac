// Reads workbooks for the import page off its thread (a module worker): a
// second instance of the page's own WASM module, which the page posts first,
// so the reader is the very code that the server runs. Answers `[id, file]`
// with the sheet's parts and the same id (app/src/pages/import/reader.rs),
// or with `failed` when the WASM could not start, in which case the page
// reads the file itself.
import init, { read_sheet } from "/pkg/roster.js";

let ready = Promise.resolve(false);

self.onmessage = async ({ data }) => {
  if (data instanceof WebAssembly.Module) {
    ready = init({ module_or_path: data }).then(
      () => true,
      () => false,
    );
    return;
  }
  const [id, file] = data;
  if (!(await ready)) {
    self.postMessage({ id, failed: true });
    return;
  }
  const answer = read_sheet(new Uint8Array(await file.arrayBuffer()));
  answer.id = id;
  const buffers = [answer.text, answer.ends, answer.rows, answer.meta].filter(Boolean).map((array) => array.buffer);
  self.postMessage(answer, buffers);
};
