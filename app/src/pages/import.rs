//! CSV import: pick a file → preview the first rows and map columns → import with progress
//! → a report of what was imported and which rows had problems.

#[cfg(feature = "hydrate")]
use crate::api::contacts::import_status;
use crate::components::ui::*;
use crate::imports::{ImportJobStatus, ImportPhase};
use leptos::prelude::*;
use leptos_meta::Title;
use warmline::csv_import::{check_mapping, Field, Preview};
use warmline::url::encode_component;

/// How much of the file the browser reads for the preview.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PREVIEW_BYTES: f64 = 64.0 * 1024.0;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PREVIEW_ROWS: usize = 5;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    /// Upload progress, 0..=1.
    Uploading(f64),
    Working(ImportJobStatus),
    Finished(ImportJobStatus),
    Error(String),
}

impl Phase {
    fn busy(&self) -> bool {
        matches!(self, Phase::Uploading(_) | Phase::Working(_))
    }
}

/// `/app/imports?...` for the upload.
fn upload_url(list: &str, filename: &str, skip_invalid: bool, mapping: &[Field]) -> String {
    let mapping = mapping.iter().map(Field::key).collect::<Vec<_>>().join(",");
    format!("/app/imports?list={}&filename={}&skip_invalid={skip_invalid}&mapping={mapping}", encode_component(list), encode_component(filename))
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn list_name_from(file: &str) -> String {
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
    stem.replace(['_', '-'], " ").trim().to_string()
}

/// Rows in the whole file, from the rows counted in its first `PREVIEW_BYTES`.
fn estimate_rows(counted_in_head: u64, file_bytes: f64) -> i64 {
    if file_bytes <= PREVIEW_BYTES {
        return counted_in_head as i64;
    }
    let per_byte = counted_in_head as f64 / PREVIEW_BYTES;
    let n = (per_byte * file_bytes).round() as i64;
    // Two significant figures: it is an estimate.
    let scale = 10i64.pow((n.max(1) as f64).log10().floor().max(1.0) as u32 - 1);
    (n / scale) * scale
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn fmt_size(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (bytes / 1024.0).max(1.0))
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let file_input = NodeRef::<leptos::html::Input>::new();
    let preview = RwSignal::new(None::<Preview>);
    let mapping = RwSignal::new(Vec::<Field>::new());
    let file_label = RwSignal::new(String::new());
    let file_name = RwSignal::new(String::new());
    let list_name = RwSignal::new(String::new());
    let skip_invalid = RwSignal::new(false);
    let phase = RwSignal::new(Phase::Idle);
    let file_error = RwSignal::new(None::<String>);
    let file_bytes = RwSignal::new(0f64);

    let mapping_problem = move || {
        preview.with(|p| p.as_ref().and_then(|p| check_mapping(&p.headers, &mapping.get()).err().map(|e| e.to_string())))
    };
    let can_import = move || {
        preview.with(Option::is_some) && mapping_problem().is_none() && !list_name.get().trim().is_empty() && !phase.with(Phase::busy)
    };

    let on_file = move |_ev: leptos::ev::Event| {
        file_error.set(None);
        preview.set(None);
        phase.set(Phase::Idle);
        #[cfg(feature = "hydrate")]
        {
            let Some(input) = file_input.get_untracked() else { return };
            let Some(file) = browser::selected_file(&input) else { return };
            let name = file.name();
            file_label.set(format!("{name} · {}", fmt_size(file.size())));
            file_bytes.set(file.size());
            file_name.set(name.clone());
            list_name.set(list_name_from(&name));
            leptos::task::spawn_local(async move {
                let truncated = file.size() > PREVIEW_BYTES;
                match browser::read_head(&file, PREVIEW_BYTES).await {
                    Err(e) => file_error.set(Some(e)),
                    Ok(bytes) => match warmline::csv_import::preview(&bytes, PREVIEW_ROWS, truncated) {
                        Ok(p) => {
                            mapping.set(p.mapping.clone());
                            preview.set(Some(p));
                        }
                        Err(e) => file_error.set(Some(format!("This file can't be imported: {e}."))),
                    },
                }
            });
        }
    };

    let on_import = move |_| {
        if !can_import() {
            return;
        }
        let url = upload_url(&list_name.get_untracked(), &file_name.get_untracked(), skip_invalid.get_untracked(), &mapping.get_untracked());
        phase.set(Phase::Uploading(0.0));
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input.get_untracked().and_then(|i| browser::selected_file(&i)) else {
                phase.set(Phase::Error("Choose a file first.".into()));
                return;
            };
            leptos::task::spawn_local(async move {
                let started = browser::upload(&url, &file, move |p| phase.set(Phase::Uploading(p))).await;
                let job_id = match started {
                    Ok(id) => id,
                    Err(e) => return phase.set(Phase::Error(e)),
                };
                loop {
                    gloo_timers::future::TimeoutFuture::new(250).await;
                    match import_status(job_id.clone()).await {
                        Ok(s) if s.phase.finished() => return phase.set(Phase::Finished(s)),
                        Ok(s) => phase.set(Phase::Working(s)),
                        Err(e) => return phase.set(Phase::Error(e.to_string())),
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = url;
    };

    let reset = move |_| {
        phase.set(Phase::Idle);
        preview.set(None);
        file_label.set(String::new());
        if let Some(input) = file_input.get_untracked() {
            input.set_value("");
        }
    };

    view! {
        <Title text="Import contacts" />
        <PageHeader title="Import contacts" subtitle="Upload a CSV file with one contact per row and a phone number column." />
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:col-span-2">
                <Card class="p-6">
                    <h2 class="text-sm font-semibold text-slate-900">"1. Choose a file"</h2>
                    <label for="csv-file" class="mt-3 flex cursor-pointer flex-col items-center justify-center rounded-lg border-2 border-dashed border-slate-300 px-6 py-8 text-center hover:border-orange-400">
                        <svg class="h-8 w-8 text-slate-400" fill="none" viewBox="0 0 24 24" stroke="currentColor" stroke-width="1.5">
                            <path stroke-linecap="round" stroke-linejoin="round" d="M12 16V4m0 0l-4 4m4-4l4 4M4 16v2a2 2 0 002 2h12a2 2 0 002-2v-2" />
                        </svg>
                        <span class="mt-2 text-sm font-medium text-orange-700">"Select a CSV file"</span>
                        <span class="mt-1 text-xs text-slate-500">{move || { let l = file_label.get(); if l.is_empty() { "Phone numbers in any common format; US numbers need no country code.".to_string() } else { l } }}</span>
                        <input id="csv-file" node_ref=file_input type="file" accept=".csv,text/csv" class="sr-only" on:change=on_file data-testid="csv-file" />
                    </label>
                    {move || file_error.get().map(|e| view! { <div class="mt-3"><ErrorNote error=crate::error::AppError::Invalid(e) /></div> })}
                </Card>

                {move || preview.get().map(|p| view! {
                    <Card class="p-6">
                        <h2 class="text-sm font-semibold text-slate-900">"2. Check the columns"</h2>
                        <p class="mt-1 text-sm text-slate-500">"We guessed what each column holds. Change any that are wrong; columns we don't recognise are kept as custom attributes."</p>
                        <div class="mt-4 overflow-x-auto rounded-lg border border-slate-200">
                            <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="import-preview">
                                <thead class="bg-slate-50">
                                    <tr>{p.headers.iter().map(|h| view! { <th class=TH>{h.clone()}</th> }).collect_view()}</tr>
                                    <tr>{(0..p.headers.len()).map(|i| view! {
                                        <th class="px-2 pb-2">
                                            <select class="w-full min-w-[9rem] rounded border border-slate-300 bg-white px-2 py-1 text-xs font-normal normal-case"
                                                aria-label=format!("Column {} holds", i + 1)
                                                on:change=move |ev| {
                                                    if let Some(f) = Field::from_key(&event_target_value(&ev)) {
                                                        mapping.update(|m| if let Some(slot) = m.get_mut(i) { *slot = f });
                                                    }
                                                }>
                                                {Field::ALL.iter().map(|f| {
                                                    let selected = move || mapping.with(|m| m.get(i) == Some(f));
                                                    view! { <option value=f.key() selected=selected>{f.label()}</option> }
                                                }).collect_view()}
                                            </select>
                                        </th>
                                    }).collect_view()}</tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {p.rows.iter().enumerate().map(|(n, r)| {
                                        let r = r.clone();
                                        // A row whose phone cell can't be a number is marked (the server's check decides).
                                        let bad = Signal::derive(move || mapping.with(|m| m.iter().position(|f| *f == Field::Phone))
                                            .is_some_and(|i| !warmline::phone::looks_like_phone(r.get(i).map(String::as_str).unwrap_or(""))));
                                        let bad = move || bad.get();
                                        let cells = p.rows[n].clone();
                                        view! {
                                            <tr class=move || if bad() { "bg-red-50" } else { "" } data-testid=move || if bad() { "preview-bad-row" } else { "preview-row" }
                                                title=move || bad().then(|| format!("Row {}: the phone column doesn't hold a phone number", n + 2))>
                                                {cells.into_iter().map(|c| view! { <td class="max-w-[16rem] truncate whitespace-nowrap px-4 py-2 text-slate-700" title=c.clone()>{c.clone()}</td> }).collect_view()}
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <div class="mt-2 flex flex-wrap justify-between gap-2 text-xs text-slate-500">
                            <p data-testid="preview-total">{if p.truncated {
                                format!("Showing the first {} of about {} rows.", p.rows.len(), fmt_count(estimate_rows(p.counted, file_bytes.get_untracked())))
                            } else {
                                format!("Showing {} of {} {}.", p.rows.len(), fmt_count(p.counted as i64), plural(p.counted as i64, "row", "rows"))
                            }}</p>
                            {(p.headers.len() > 4).then(|| view! { <p class="sm:hidden" data-testid="preview-scroll-hint">{format!("Scroll sideways to see all {} columns →", p.headers.len())}</p> })}
                            {(p.headers.len() > 6).then(|| view! { <p class="hidden sm:block" data-testid="preview-scroll-hint">{format!("Scroll sideways to see all {} columns →", p.headers.len())}</p> })}
                        </div>
                        {move || mapping.with(|m| m.iter().position(|f| *f == Field::Phone)).map(|i| {
                            let bad = preview.with(|p| p.as_ref().map(|p| p.rows.iter().filter(|r| !warmline::phone::looks_like_phone(r.get(i).map(String::as_str).unwrap_or(""))).count()).unwrap_or(0));
                            (bad > 0).then(|| view! { <p class="mt-1 text-xs text-red-700" data-testid="preview-bad-count">{format!("{bad} of the rows shown {} no phone number (marked red).", if bad == 1 { "has" } else { "have" })}</p> })
                        })}
                        {move || mapping_problem().map(|m| view! { <p class="mt-2 text-sm text-red-700" role="alert">{m}</p> })}
                    </Card>
                })}

                {move || preview.with(Option::is_some).then(|| view! {
                    <Card class="p-6">
                        <h2 class="text-sm font-semibold text-slate-900">"3. Import"</h2>
                        <div class="mt-3 grid gap-4 sm:grid-cols-2">
                            <div>
                                <label class=LABEL for="list-name">"Add to list"</label>
                                <input class=INPUT id="list-name" bind:value=list_name required maxlength=warmline::limits::TITLE />
                                <p class="mt-1 text-xs text-slate-500">"A new list is created if none has this name."</p>
                            </div>
                            <label class="flex items-start gap-2 pt-7 text-sm text-slate-700">
                                <input type="checkbox" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-orange-600" bind:checked=skip_invalid data-testid="skip-invalid" />
                                <span>"Skip bad rows"<span class="block text-xs text-slate-500">"Import the good rows and list the bad ones. Otherwise one bad row stops the whole import."</span></span>
                            </label>
                        </div>
                        <div class="mt-5 flex items-center gap-3">
                            <button type="button" class=BTN_PRIMARY on:click=on_import disabled=move || !can_import() || phase.with(|p| matches!(p, Phase::Finished(s) if s.phase == ImportPhase::Done))>"Import contacts"</button>
                            {move || matches!(phase.get(), Phase::Finished(_) | Phase::Error(_)).then(|| view! {
                                <button type="button" class=BTN_SECONDARY on:click=reset>"Import another file"</button>
                            })}
                        </div>
                        <ProgressView phase=phase />
                    </Card>
                })}
            </div>
            <Card class="h-fit p-6 text-sm text-slate-600">
                <h2 class="text-sm font-semibold text-slate-900">"File format"</h2>
                <p class="mt-2">"The first row names the columns. One column must hold phone numbers."</p>
                <p class="mt-2">"Recognised columns: " <code class="text-xs">"phone, first_name, last_name, email, tags, timezone, consent_source, consent_at"</code> ". Any other column is kept as a custom attribute."</p>
                <p class="mt-2">"Tags can be separated with commas or semicolons. Time zones use names like " <code class="text-xs">"America/Chicago"</code> "."</p>
                <p class="mt-2">"Contacts already in Warmline are added to the list and keep their details; empty fields are filled in."</p>
                <p class="mt-2">"Row numbers in reports match a spreadsheet: the header is row 1."</p>
            </Card>
        </div>
    }
}

#[component]
fn ProgressView(phase: RwSignal<Phase>) -> impl IntoView {
    view! {
        {move || match phase.get() {
            Phase::Idle => ().into_any(),
            Phase::Uploading(p) => view! { <Bar label="Uploading…".to_string() fraction=Some(p) /> }.into_any(),
            Phase::Working(s) => match s.phase {
                ImportPhase::Writing if s.total > 0 => {
                    let label = format!("Importing {} of {} rows…", fmt_count(s.done as i64), fmt_count(s.total as i64));
                    view! { <Bar label fraction=Some(s.done as f64 / s.total as f64) /> }.into_any()
                }
                _ => view! { <Bar label="Checking every row…".to_string() fraction=None /> }.into_any(),
            },
            Phase::Error(e) => view! { <div class="mt-4"><ErrorNote error=crate::error::AppError::Invalid(e) /></div> }.into_any(),
            Phase::Finished(s) => view! { <Outcome status=s /> }.into_any(),
        }}
    }
}

#[component]
fn Bar(label: String, fraction: Option<f64>) -> impl IntoView {
    let pct = fraction.map(|f| (f.clamp(0.0, 1.0) * 100.0).round());
    view! {
        <div class="mt-5" data-testid="import-progress">
            <div class="mb-1 flex justify-between text-xs text-slate-600">
                <span>{label}</span>
                <span>{pct.map(|p| format!("{p}%")).unwrap_or_default()}</span>
            </div>
            <div class="h-2 w-full overflow-hidden rounded-full bg-slate-200" role="progressbar"
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.map(|p| p.to_string())>
                <div class=if pct.is_some() { "h-full rounded-full bg-orange-500 transition-all" } else { "h-full w-1/3 animate-pulse rounded-full bg-orange-400" }
                    style=pct.map(|p| format!("width: {p}%"))></div>
            </div>
        </div>
    }
}

#[component]
fn Outcome(status: ImportJobStatus) -> impl IntoView {
    let errors = status.errors.clone();
    let summary = match (&status.phase, &status.report) {
        (ImportPhase::Done, Some(r)) => {
            let list_link = r.list_id.map(|id| format!("/contacts?list={id}")).unwrap_or_else(|| "/contacts".into());
            view! {
                <div class="mt-5 rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900" role="status" data-testid="import-result">
                    <p class="font-semibold">{format!("Imported {} {}.", fmt_count(r.imported), plural(r.imported, "contact", "contacts"))}</p>
                    <p class="mt-1">{format!("{} new, {} already in Warmline, {} bad {} skipped.", fmt_count(r.created), fmt_count(r.updated), fmt_count(r.skipped), plural(r.skipped, "row", "rows"))}</p>
                    <a href=list_link class="mt-2 inline-block font-medium text-emerald-800 underline">"View the imported contacts"</a>
                </div>
            }.into_any()
        }
        _ => view! {
            <div class="mt-5 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800" role="alert" data-testid="import-result">
                <p class="font-semibold">{status.message.clone().unwrap_or_else(|| "The import failed.".into())}</p>
                {(status.phase == ImportPhase::Rejected).then(|| view! {
                    <p class="mt-1">"Fix these rows in the file and import it again, or tick “Skip bad rows” to import the others."</p>
                })}
            </div>
        }.into_any(),
    };
    view! {
        {summary}
        {(!errors.is_empty()).then(|| view! {
            <div class="mt-4 max-h-80 overflow-auto rounded-lg border border-slate-200">
                <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="import-errors">
                    <thead class="sticky top-0 bg-slate-50"><tr><th class=TH>"Row"</th><th class=TH>"Problem"</th></tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {errors.into_iter().map(|e| view! {
                            <tr><td class="px-4 py-2 font-mono text-xs text-slate-600">{e.row}</td><td class="px-4 py-2 text-slate-800">{e.reason}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}

/// Browser-only plumbing: the File API and an upload with progress events.
#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{File, HtmlInputElement, ProgressEvent, XmlHttpRequest};

    fn js_err(e: JsValue) -> String {
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    }

    pub fn selected_file(input: &HtmlInputElement) -> Option<File> {
        input.files()?.get(0)
    }

    /// The first `len` bytes of the file.
    pub async fn read_head(file: &File, len: f64) -> Result<Vec<u8>, String> {
        let blob = file.slice_with_f64_and_f64(0.0, len.min(file.size())).map_err(js_err)?;
        let buf = JsFuture::from(blob.array_buffer()).await.map_err(|_| "The file could not be read.".to_string())?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }

    #[derive(serde::Deserialize)]
    struct Started {
        job_id: String,
    }

    #[derive(serde::Deserialize)]
    struct Failure {
        error: String,
    }

    /// Uploads the file and returns the import job's id.
    pub async fn upload(url: &str, file: &File, on_progress: impl Fn(f64) + 'static) -> Result<String, String> {
        let xhr = XmlHttpRequest::new().map_err(js_err)?;
        xhr.open_with_async("POST", url, true).map_err(js_err)?;
        xhr.set_request_header("Content-Type", "text/csv").map_err(js_err)?;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress(e.loaded() / e.total());
            }
        });
        xhr.upload().map_err(js_err)?.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        let finished = js_sys::Promise::new(&mut |resolve, reject| {
            xhr.set_onload(Some(&resolve));
            xhr.set_onerror(Some(&reject));
            xhr.set_onabort(Some(&reject));
        });
        xhr.send_with_opt_blob(Some(file)).map_err(js_err)?;
        let outcome = JsFuture::from(finished).await;
        drop(progress);
        if outcome.is_err() {
            return Err("The upload failed. Check your connection and try again.".into());
        }
        let status = xhr.status().map_err(js_err)?;
        let body = xhr.response_text().map_err(js_err)?.unwrap_or_default();
        match status {
            200..=299 => serde_json::from_str::<Started>(&body).map(|s| s.job_id).map_err(|_| "Unexpected answer from the server.".into()),
            401 => Err("Your session has ended. Sign in again, then retry.".into()),
            413 => Err(serde_json::from_str::<Failure>(&body).map(|f| f.error).unwrap_or_else(|_| "The file is too large to import.".into())),
            _ => Err(serde_json::from_str::<Failure>(&body).map(|f| f.error).unwrap_or_else(|_| format!("The upload failed (HTTP {status})."))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_estimates_are_rounded() {
        assert_eq!(estimate_rows(5, 1000.0), 5);
        assert_eq!(estimate_rows(1000, PREVIEW_BYTES * 12.345), 12_000);
    }

    #[test]
    fn upload_url_encodes_parameters() {
        let url = upload_url("Spring leads & more", "a b.csv", true, &[Field::Phone, Field::Custom]);
        assert_eq!(url, "/app/imports?list=Spring%20leads%20%26%20more&filename=a%20b.csv&skip_invalid=true&mapping=phone,custom");
    }

    #[test]
    fn list_name_comes_from_the_file_name() {
        assert_eq!(list_name_from("spring_roofing-leads.csv"), "spring roofing leads");
        assert_eq!(list_name_from("contacts"), "contacts");
    }
}
