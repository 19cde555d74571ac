//! `/import`: choose a spreadsheet, see every problem and what will change
//! at once (the engine runs here, in WASM, against a snapshot of the
//! directory), fix it in the page, and import it all or nothing.

mod browser;
mod errors;
mod headings;
mod offline;
pub(crate) mod preview;
mod reader;

pub use reader::read_in_worker;

use super::frame::Guard;
use crate::api::import::{commit_import, fetch_snapshot};
use crate::model::import::{Outcome, Upload};
use crate::domain::access::AccessLevel;
use crate::error::AppError;
use crate::import::columns::column_name;
use crate::import::tenant_columns::TenantColumn;
use crate::import::write::{self, Format};
use crate::import::{check_paced, check_read, Directory, Plan};
use crate::sheet::{Edits, Limits, ReadError, Sheet};
use errors::{Cell, Problems};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use std::sync::Arc;

/// A file as read, before the admin's edits.
#[derive(Clone)]
struct Loaded {
    name: String,
    sheet: Result<Arc<Sheet>, ReadError>,
}

/// A file checked against the directory, after the admin's edits.
#[derive(Clone)]
pub struct Checked {
    pub sheet: Arc<Sheet>,
    pub plan: Arc<Plan>,
    /// The batch id for importing exactly this.
    key: String,
}

/// The directory the page checks against.
#[derive(Clone)]
struct Shown {
    directory: Arc<Directory>,
    /// When it was fetched, in milliseconds since 1970.
    at: f64,
    /// The copy kept in the browser, while the server has not answered.
    saved: bool,
}

type Snapshot = Result<Shown, AppError>;

/// Shows a newer directory. The one it replaces (the saved copy, once the
/// server's arrives) is freed a few thousand users at a time: a big
/// directory freed at once would hold the page up.
fn show(snapshot: RwSignal<Option<Snapshot>>, shown: Shown) {
    let old = snapshot.try_update(|current| current.replace(Ok(shown))).flatten();
    let Some(Ok(Shown { directory, .. })) = old else { return };
    // A check still running holds its own reference, and frees it when done.
    let Ok(mut directory) = Arc::try_unwrap(directory) else { return };
    spawn_local(async move {
        while !directory.users.is_empty() {
            directory.users.truncate(directory.users.len().saturating_sub(5000));
            browser::pause().await;
        }
    });
}

/// The signed-in admin's id, known from the page's session.
fn me() -> Option<i64> {
    expect_context::<super::Session>().0.get_untracked()?.ok()?.map(|user| user.id)
}

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import · Roster"/>
        <Guard allow=AccessLevel::is_admin>
            <h1>"Import users"</h1>
            <Importer/>
        </Guard>
    }
}

/// The import page's state: every signal its parts read and set. Signals
/// are handles, so the state is copied into each closure that needs it.
#[derive(Clone, Copy)]
struct ImportState {
    snapshot: RwSignal<Option<Snapshot>>,
    /// How far decoding a snapshot has come; not shown.
    decoding: RwSignal<Option<f64>>,
    loaded: RwSignal<Option<Loaded>>,
    edits: RwSignal<Edits>,
    checked: RwSignal<Option<Checked>>,
    busy: RwSignal<Option<&'static str>>,
    /// How far the step that `busy` names has come, 0 to 1, once it is known.
    progress: RwSignal<Option<f64>>,
    outcome: RwSignal<Option<Result<Outcome, AppError>>>,
    format: RwSignal<Format>,
    /// Numbers the reads and checks, so that a newer one makes an older one void.
    reads: StoredValue<u64>,
    runs: StoredValue<u64>,
}

/// What the page's download buttons save.
#[derive(Clone, Copy)]
enum Download {
    Template,
    Users,
    ErrorLog,
    Corrected,
}

impl ImportState {
    fn new() -> Self {
        Self {
            snapshot: RwSignal::new(None),
            decoding: RwSignal::new(None),
            loaded: RwSignal::new(None),
            edits: RwSignal::new(Edits::default()),
            checked: RwSignal::new(None),
            busy: RwSignal::new(None),
            progress: RwSignal::new(None),
            outcome: RwSignal::new(None),
            format: RwSignal::new(Format::Csv),
            reads: StoredValue::new(0),
            runs: StoredValue::new(0),
        }
    }

    /// Fetches the server's directory; a saved copy stays in use while the
    /// server cannot be reached.
    fn fetch(self) {
        spawn_local(async move {
            // One pace for taking in the bytes and decoding them, so that no task does the end of one and the start of the other.
            let mut slices = browser::Slices::new(self.decoding, || false);
            let answer = fetch_snapshot(&mut slices).await;
            let at = browser::now_ms();
            let decoded = match answer {
                Ok(sent) => sent.decode(&mut slices).await.map(|d| (sent, d)).ok_or(AppError::Internal),
                Err(error) => Err(error),
            };
            match decoded {
                Ok((sent, directory)) => {
                    if let Some(user) = me() {
                        offline::save(user, at, &sent).await;
                    }
                    show(self.snapshot, Shown { directory: Arc::new(directory), at, saved: false });
                }
                Err(error) if !matches!(self.snapshot.get_untracked(), Some(Ok(_))) => self.snapshot.set(Some(Err(error))),
                Err(_) => self.snapshot.update(|s| if let Some(Ok(shown)) = s { shown.saved = true }),
            }
        });
    }

    /// In the browser only: the saved copy first, so that a file can be
    /// checked before the network answers, then the server's.
    fn open(self) {
        offline::keep_page();
        reader::start();
        if let Some(user) = me() {
            spawn_local(async move {
                let Some((at, saved)) = offline::load(user).await else { return };
                let directory = saved.decode(&mut browser::Slices::new(self.decoding, || false)).await;
                // The server's answer, if it came first, is newer.
                if let (Some(directory), false) = (directory, matches!(self.snapshot.get_untracked(), Some(Ok(_)))) {
                    self.snapshot.set(Some(Ok(Shown { directory: Arc::new(directory), at, saved: true })));
                }
            });
        }
        self.fetch();
    }

    /// Checks the file as edited against the directory shown; run again
    /// whenever either changes, each run making an older one's result void.
    fn check(self) {
        let (Some(file), Some(Ok(Shown { directory, .. }))) = (self.loaded.get(), self.snapshot.get()) else { return };
        let edits = self.edits.get();
        self.runs.update_value(|n| *n += 1);
        let this_run = self.runs.get_value();
        self.busy.set(Some("Validating…"));
        self.progress.set(None);
        spawn_local(async move {
            browser::pause().await;
            let mut slices = browser::Slices::new(self.progress, move || self.runs.get_value() != this_run);
            // An unedited file is checked as read, without a copy.
            let sheet = match &file.sheet {
                Ok(sheet) if edits == Edits::none(sheet) => Ok(Arc::clone(sheet)),
                Ok(sheet) => sheet.edited(&edits, &Limits::default(), &mut slices).await.map(Arc::new),
                Err(error) => Err(error.clone()),
            };
            let (sheet, plan) = match sheet {
                Ok(sheet) => {
                    let plan = check_paced(&sheet, &directory, &mut slices).await;
                    (sheet, plan)
                }
                Err(error) => (Arc::default(), check_read(&Err(error), &directory)),
            };
            // The result is shown in a task of its own.
            browser::pause().await;
            if self.runs.get_value() == this_run {
                self.checked.set(Some(Checked { sheet, plan: Arc::new(plan), key: browser::batch_key() }));
                self.busy.set(None);
            }
        });
    }

    /// Reads a chosen file; the file before is gone.
    fn choose(self, file: web_sys::File) {
        let name = file.name();
        self.outcome.set(None);
        self.checked.set(None);
        // A check of the file before that is still running must not show
        // its preview, or offer it to Import, once it ends.
        self.loaded.set(None);
        self.runs.update_value(|n| *n += 1);
        self.busy.set(Some("Reading…"));
        self.progress.set(None);
        self.reads.update_value(|n| *n += 1);
        let this_read = self.reads.get_value();
        spawn_local(async move {
            let stale = move || self.reads.get_value() != this_read;
            let mut slices = browser::Slices::new(self.progress, stale);
            let Some(sheet) = reader::read(&file, &mut slices, stale).await else { return };
            let mut fresh = sheet.as_ref().map(Edits::none).unwrap_or_default();
            if let Ok(sheet) = &sheet {
                headings::recall(&mut fresh, &sheet.headings);
            }
            self.edits.set(fresh);
            self.loaded.set(Some(Loaded { name, sheet: sheet.map(Arc::new) }));
        });
    }

    /// The directory shown, which the check in `checked` was made against: a
    /// newer one starts a new check. Not kept with the check, so that a
    /// replaced directory is still freed a few thousand users at a time.
    fn directory(self) -> Option<Arc<Directory>> {
        self.snapshot.get_untracked().and_then(Result::ok).map(|s| s.directory)
    }

    /// Sends the checked batch; an applied one clears the page and fetches
    /// the directory again.
    fn import(self) {
        let (Some(c), Some(directory)) = (self.checked.get_untracked(), self.directory()) else { return };
        if !browser::online() {
            self.outcome.set(Some(Err(AppError::Unreachable)));
            return;
        }
        let file_name = self.loaded.with_untracked(|l| l.as_ref().map(|l| l.name.clone()).unwrap_or_default());
        self.outcome.set(None);
        self.busy.set(Some("Loading…"));
        self.progress.set(None);
        spawn_local(async move {
            // Paced: a file's new users are made again for it.
            let digest = c.plan.digest_paced(&c.sheet, &directory, &mut browser::Slices::new(self.progress, || false)).await;
            drop(directory); // not held through the upload
            self.progress.set(None);
            let upload = Upload { key: c.key, file_name, version: c.plan.version, digest, sheet: c.sheet.to_parts() };
            let result = commit_import(upload).await;
            self.busy.set(None);
            if let Ok(Outcome::Applied { .. }) = result {
                self.loaded.set(None);
                self.checked.set(None);
                self.fetch();
            }
            self.outcome.set(Some(result));
        });
    }

    fn download(self, what: Download) {
        let format = self.format.get_untracked();
        let checked = self.checked.get_untracked();
        let bytes = match (what, &checked) {
            (Download::Template, _) => write::template(format, &self.directory().map(|d| d.columns.clone()).unwrap_or_default()),
            (Download::Users, _) => match self.directory() {
                Some(d) => write::export(&d.users, &d.columns, format),
                None => return,
            },
            (Download::ErrorLog, Some(c)) => write::error_log(&c.sheet, &c.plan, &self.directory().map(|d| d.columns.clone()).unwrap_or_default(), format),
            (Download::Corrected, Some(c)) => write::corrected(&c.sheet, format),
            (Download::ErrorLog | Download::Corrected, None) => return,
        };
        match bytes {
            Ok(bytes) => browser::save(&format!("{}.{}", what.file_stem(&self.loaded.get_untracked()), format.extension()), &bytes),
            Err(error) => leptos::logging::error!("{error}"),
        }
    }
}

impl Download {
    /// The saved file's name before its extension.
    fn file_stem(self, loaded: &Option<Loaded>) -> String {
        let stem = || loaded.as_ref().map_or("users".to_string(), |l| l.name.rsplit_once('.').map_or(l.name.clone(), |(s, _)| s.to_string()));
        match self {
            Self::Template => "roster-template".into(),
            Self::Users => "roster-users".into(),
            Self::ErrorLog => format!("{}-errors", stem()),
            Self::Corrected => format!("{}-corrected", stem()),
        }
    }
}

#[component]
fn Importer() -> impl IntoView {
    let page = ImportState::new();
    Effect::new(move |_| page.open());
    Effect::new(move |_| page.check());
    let check_again = Callback::new(move |()| {
        page.outcome.set(None);
        page.fetch();
    });
    let fix = Callback::new(move |(cell, value): (Cell, String)| page.edits.update(|e| { e.cells.insert(cell, value); }));
    let remove = Callback::new(move |row: u32| page.edits.update(|e| { e.removed.insert(row); }));
    let ImportState { snapshot, loaded, edits, checked, busy, progress, outcome, format, .. } = page;

    view! {
        <section class="card toolbar" aria-label="Files">
            <label class="format">
                "Format "
                <select on:change=move |ev| format.set(Format::parse(&event_target_value(&ev)).unwrap_or(Format::Csv))>
                    <option value="csv">"CSV"</option>
                    <option value="xlsx">"XLSX"</option>
                </select>
            </label>
            <button type="button" on:click=move |_| page.download(Download::Template)>"Download template"</button>
            <button type="button" on:click=move |_| page.download(Download::Users) disabled=move || !matches!(snapshot.get(), Some(Ok(_)))>"Download users"</button>
        </section>
        <FileChooser choose=move |file| page.choose(file)/>
        <SnapshotState snapshot check_again/>
        <p class="muted" role="status" aria-live="polite">
            {move || busy.get().map(|text| view! { <progress aria-label=text max="1" value=move || progress.get()></progress>" "{text} })}
        </p>
        <ImportOutcome outcome check_again/>
        {move || {
            let c = checked.get()?;
            let original = loaded.with(|l| l.as_ref().and_then(|l| l.sheet.as_ref().ok().map(|s| s.headings.clone())))?;
            let own = page.directory().map(|d| d.columns.clone()).unwrap_or_default();
            let positions = Arc::new(positions(&original, &own, &edits.get_untracked()));
            let valid = c.plan.is_valid();
            Some(view! {
                <headings::Headings headings=original own=own.clone() edits/>
                {(!valid).then(|| view! { <Problems checked=c.clone() positions own on_fix=fix on_remove=remove/> })}
                {valid.then(|| {
                    let new_users = page.directory().map(|d| crate::model::import::listed(&c.plan, &c.sheet, &d)).unwrap_or_default();
                    view! { <preview::Preview plan=c.plan.clone() new_users/> }
                })}
                <section class="card actions" aria-label="Import">
                    <button type="button" class="primary" disabled=move || !valid || busy.get().is_some() on:click=move |_| page.import()>"Import"</button>
                    {(!valid).then(|| view! { <button type="button" on:click=move |_| page.download(Download::ErrorLog)>"Download error log"</button> })}
                    <button type="button" on:click=move |_| page.download(Download::Corrected)>"Download corrected file"</button>
                </section>
            })
        }}
    }
}

/// Where each column, Roster's or the tenant's `own`, is in the file as
/// read, by its name, after the admin's heading choices (an ignored column
/// is in no position).
fn positions(original: &[String], own: &[TenantColumn], edits: &Edits) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for (at, heading) in original.iter().enumerate() {
        let now = match edits.headings.get(at) {
            Some(None) => continue,
            Some(Some(name)) => name.as_str(),
            None => heading.as_str(),
        };
        if let Some(name) = column_name(now, own).filter(|name| !found.iter().any(|(f, _)| f == name)) {
            found.push((name.to_string(), at));
        }
    }
    found
}

/// The file input labelled `Spreadsheet`, inside a zone that also takes a dropped file.
#[component]
fn FileChooser(choose: impl Fn(web_sys::File) + Copy + 'static) -> impl IntoView {
    let over = RwSignal::new(false);
    view! {
        <div
            class="card drop"
            class:over=move || over.get()
            on:dragover=move |ev| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                over.set(false);
                if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                    choose(file);
                }
            }
        >
            <label for="spreadsheet">"Spreadsheet"</label>
            <input
                id="spreadsheet"
                type="file"
                accept=".csv,.txt,.xlsx,.xls,.ods,text/csv"
                on:change=move |ev| {
                    let input = event_target::<web_sys::HtmlInputElement>(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        choose(file);
                    }
                    // Choosing the same file again after fixing it must fire again.
                    input.set_value("");
                }
            />
            <p class="muted">"CSV, XLSX, XLS or ODS. Drop a file here or choose one; it is checked in this page before anything is sent."</p>
        </div>
    }
}

#[component]
fn SnapshotState(snapshot: RwSignal<Option<Snapshot>>, check_again: Callback<()>) -> impl IntoView {
    move || match snapshot.get() {
        None => view! { <p class="muted">"Loading your directory…"</p> }.into_any(),
        Some(Ok(Shown { directory, at, saved })) => {
            let when = String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at)).to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED));
            let users = directory.users.len();
            let size = format!("{users} {}, version {}", if users == 1 { "user" } else { "users" }, directory.version);
            let text = if saved {
                format!("Files are checked against the copy of your directory saved {when} ({size}); the server has not answered. Importing needs a connection.")
            } else {
                format!("Files are checked against your directory as of {when} ({size}).")
            };
            view! { <p class="muted snapshot" class:offline=saved>{text}</p> }.into_any()
        }
        Some(Err(error)) => view! {
            <p class="error" role="alert">
                {match error {
                    AppError::Unreachable => "The server cannot be reached, and this browser has no saved copy of your directory yet. ".to_string(),
                    error => format!("Your directory could not be loaded: {error} "),
                }}
                <button type="button" on:click=move |_| check_again.run(())>"Try again"</button>
            </p>
        }
        .into_any(),
    }
}

#[component]
pub(super) fn ImportOutcome(outcome: RwSignal<Option<Result<Outcome, AppError>>>, check_again: Callback<()>) -> impl IntoView {
    let again = move || view! { <button type="button" on:click=move |_| check_again.run(())>"Check again"</button> };
    move || match outcome.get()? {
        Ok(Outcome::Applied { batch_id, message, replayed }) => Some(
            view! {
                <section class="card success" role="status">
                    <p>{message}</p>
                    {replayed.then(|| view! { <p class="muted">"This batch had been imported before; nothing was applied again."</p> })}
                    <p><a href=format!("/history/{batch_id}")>"See this import in the history"</a></p>
                </section>
            }
            .into_any(),
        ),
        Ok(Outcome::Refused { errors }) => Some(
            view! {
                <section class="card error" role="alert">
                    <p>"The server found problems in this file, so nothing was imported. Your directory may have changed since the check."</p>
                    <ul>{errors.into_iter().take(20).map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul>
                    {again()}
                </section>
            }
            .into_any(),
        ),
        Err(error @ AppError::Stale(_)) => Some(
            view! {
                <section class="card error" role="alert">
                    <p>{error.to_string()}</p>
                    {again()}
                </section>
            }
            .into_any(),
        ),
        Err(error) => Some(view! { <section class="card error" role="alert"><p>{error.to_string()}</p></section> }.into_any()),
    }
}
