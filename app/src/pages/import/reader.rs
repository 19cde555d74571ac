//! Reading a workbook in a Web Worker (`public/reader.js`), so that no step
//! of reading holds up the page: calamine reads an XLSX's shared strings, and
//! whole XLS and ODS sheets, in one call each, far longer than a frame.
//! The worker runs a second instance of this same WASM, so it reads exactly
//! as the server does; the sheet comes back as three arrays and is rebuilt
//! here in paced steps, every cell checked again.

use super::browser;
use crate::import::Code;
use crate::pace::Pace;
use crate::sheet::{self, Limits, ReadError, Sheet};
use futures::channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// In the worker: the sheet read from `bytes`, as `{meta, text, ends, rows}`;
/// `meta` holds the headings, or the reading error, in CBOR.
pub fn read_in_worker(bytes: &[u8]) -> JsValue {
    let answer = Object::new();
    let meta = match sheet::read(bytes, &Limits::default()) {
        Ok(sheet) => {
            let parts = sheet.into_parts();
            set(&answer, "text", &Uint8Array::from(parts.text.as_bytes()));
            set(&answer, "ends", &Uint32Array::from(&parts.ends[..]));
            set(&answer, "rows", &Uint32Array::from(parts.rows.as_flattened()));
            Ok(parts.headings)
        }
        Err(error) => Err(error),
    };
    let mut encoded = Vec::new();
    if ciborium::into_writer(&meta, &mut encoded).is_ok() {
        set(&answer, "meta", &Uint8Array::from(&encoded[..]));
    }
    answer.into()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property of a plain new object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}

/// The page's end: one worker, started when the import page opens so that
/// its WASM is ready before a file is chosen.
struct Reader {
    worker: web_sys::Worker,
    waiting: Waiting,
    /// Set when the worker could not start; the page then reads for itself.
    broken: Rc<Cell<bool>>,
    _listeners: [Closure<dyn FnMut(JsValue)>; 2],
}

/// The read the page waits for: its id, and where its answer goes.
type Waiting = Rc<RefCell<Option<(f64, oneshot::Sender<JsValue>)>>>;

thread_local! {
    static READER: RefCell<Option<Reader>> = const { RefCell::new(None) };
}

/// Starts the worker, if the browser can run one and it is not running yet.
pub fn start() {
    READER.with_borrow_mut(|reader| {
        if reader.is_none() {
            *reader = Reader::new();
        }
    });
}

/// Text past which the worker is replaced after reading: a WASM instance's
/// memory never shrinks, and a million rows leave it hundreds of MB.
const BIG: usize = 16 << 20;

fn restart() {
    READER.with_borrow_mut(|reader| {
        if let Some(old) = reader.take() {
            old.worker.terminate();
        }
        *reader = Reader::new();
    });
}

impl Reader {
    fn new() -> Option<Self> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options("/reader.js", &options).ok()?;
        let waiting = Waiting::default();
        let broken = Rc::new(Cell::new(false));
        let answers = Rc::clone(&waiting);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = Reflect::get(&event, &"data".into()).unwrap_or_default();
            let id = Reflect::get(&data, &"id".into()).ok().and_then(|id| id.as_f64());
            let mut waiting = answers.borrow_mut();
            // An answer to a read that a newer one replaced is dropped.
            if waiting.as_ref().is_some_and(|(wanted, _)| Some(*wanted) == id) {
                if let Some((_, answer)) = waiting.take() {
                    let _ = answer.send(data);
                }
            }
        });
        let (failed, gone) = (Rc::clone(&waiting), Rc::clone(&broken));
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            gone.set(true);
            failed.borrow_mut().take();
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The page's own compiled module: the worker neither fetches nor
        // compiles the WASM again, and shares the code the page has optimised.
        worker.post_message(&wasm_bindgen::module()).ok()?;
        Some(Self { worker, waiting, broken, _listeners: [on_message, on_error] })
    }
}

/// Reads `file` under `pace`: a workbook in the worker (the page reads it
/// itself only if no worker can), a CSV file here, in paced steps, which is
/// quicker than handing its rows over. `None` when a newer read replaced
/// this one.
pub async fn read(file: &web_sys::File, pace: &mut dyn Pace, stale: impl Fn() -> bool) -> Option<Result<Sheet, ReadError>> {
    let head = match file.slice_with_i32_and_i32(0, 8) {
        Ok(head) => browser::read(&head).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    if sheet::is_workbook(&head) {
        match in_worker(file, pace).await {
            Some(sheet) => return Some(sheet),
            None if stale() => return None,
            None => leptos::logging::warn!("no reader worker: the page reads the file itself"),
        }
    }
    let sheet = match browser::read(file).await {
        Ok(bytes) => {
            browser::pause().await;
            sheet::read_paced(&bytes, &Limits::default(), pace).await
        }
        Err(error) => Err(ReadError { code: Code::FileUnreadable, message: format!("The file could not be read: {error}") }),
    };
    (!stale()).then_some(sheet)
}

/// Reads `file` in the worker, then rebuilds the sheet here under `pace`.
/// `None` when the worker cannot read it (none started, or its WASM failed
/// to start), or a newer read replaced this one.
async fn in_worker(file: &web_sys::File, pace: &mut dyn Pace) -> Option<Result<Sheet, ReadError>> {
    let (asked, answer) = oneshot::channel();
    let id = js_sys::Math::random();
    READER.with_borrow(|reader| {
        let reader = reader.as_ref().filter(|r| !r.broken.get())?;
        // Replaces an older read's wait, which then ends with no answer.
        *reader.waiting.borrow_mut() = Some((id, asked));
        reader.worker.post_message(&Array::of2(&id.into(), file)).ok()
    })?;
    let data = answer.await.ok()?;
    let field = |name: &str| Reflect::get(&data, &name.into()).ok().filter(|value| !value.is_undefined());
    let meta = Uint8Array::new(&field("meta")?).to_vec();
    let headings = match ciborium::from_reader::<Result<Vec<String>, ReadError>, _>(&meta[..]).ok()? {
        Ok(headings) => headings,
        Err(error) => return Some(Err(error)),
    };
    let text = Uint8Array::new(&field("text")?).to_vec();
    if text.len() > BIG {
        restart();
    }
    let ends = Uint32Array::new(&field("ends")?).to_vec();
    let flat = Uint32Array::new(&field("rows")?).to_vec();
    let rows: Vec<[u32; 3]> = flat.chunks_exact(3).map(|row| [row[0], row[1], row[2]]).collect();
    Some(Sheet::rebuilt(&headings, &text, &ends, &rows, &Limits::default(), pace).await)
}
