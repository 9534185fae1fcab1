//! Contacts: search by name or phone, filter by list, tag, score band or source, sort by
//! score, page through, add one by hand.

use crate::api::contacts::{contact_filters, search_contacts, AddContact};
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use warmline::contact::ContactQuery;
use warmline::url::encode_component;
use warmline::scoring::Band;
use warmline::ListId;
use crate::components::layout::Live;
use crate::components::score::ScoreBadge;

fn query_from(map: &leptos_router::params::ParamsMap) -> ContactQuery {
    ContactQuery {
        q: map.get("q").filter(|s| !s.trim().is_empty()),
        phone: None,
        list_id: map.get("list").and_then(|s| s.parse::<ListId>().ok()),
        tag: map.get("tag").filter(|s| !s.is_empty()),
        band: map.get("band").filter(|s| Band::from_key(s).is_some()),
        source: map.get("source").filter(|s| !s.is_empty()),
        sort: map.get("sort").filter(|s| s == "score"),
        page: map.get("page").and_then(|s| s.parse().ok()),
        per_page: None,
        after: map.get("after").filter(|s| !s.is_empty()),
        before: map.get("before").filter(|s| !s.is_empty()),
    }
}

/// Pages up to this one are reached by number (OFFSET); deeper ones by keyset cursor.
const OFFSET_PAGES: i64 = 5;

/// The link to `page`, continuing from `cursor` (`after` for the next page, `before` for the
/// previous one) once past the first pages.
fn page_link(q: &ContactQuery, page: i64, cursor: Option<(&str, &str)>) -> String {
    let base = page_href(q, page);
    match cursor {
        Some((dir, c)) if page > OFFSET_PAGES => format!("{base}&{dir}={}", encode_component(c)),
        _ => base,
    }
}

fn page_href(q: &ContactQuery, page: i64) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &q.q {
        parts.push(format!("q={}", encode_component(t)));
    }
    if let Some(l) = q.list_id {
        parts.push(format!("list={l}"));
    }
    if let Some(t) = &q.tag {
        parts.push(format!("tag={}", encode_component(t)));
    }
    if let Some(b) = &q.band {
        parts.push(format!("band={}", encode_component(b)));
    }
    if let Some(s) = &q.source {
        parts.push(format!("source={}", encode_component(s)));
    }
    if let Some(s) = &q.sort {
        parts.push(format!("sort={}", encode_component(s)));
    }
    parts.push(format!("page={page}"));
    format!("/contacts?{}", parts.join("&"))
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    let add = ServerAction::<AddContact>::new();
    let live = expect_context::<Live>().0;
    // Live: a lead from a form appears (with its source and score) without a reload.
    let results = Resource::new(move || (query.get(), add.version().get(), live.get()), |(q, _, _)| search_contacts(q));
    let filters = Resource::new(move || add.version().get(), |_| contact_filters());
    let (show_add, set_show_add) = signal(false);

    // After adding a contact, open it.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = add.value().get() {
            navigate(&format!("/contacts/{id}"), Default::default());
        }
    });

    view! {
        <Title text="Contacts" />
        <PageHeader title="Contacts" subtitle="Everyone you can reach, with their lists and tags.">
            <button type="button" class=BTN_SECONDARY on:click=move |_| set_show_add.update(|s| *s = !*s)>"Add contact"</button>
            <a href="/import" class=BTN_PRIMARY>"Import CSV"</a>
        </PageHeader>

        <Show when=move || show_add.get()>
            <Card class="mb-6 p-4">
                <ActionForm action=add attr:class="grid gap-3 sm:grid-cols-5 sm:items-end">
                    <div><label class=LABEL for="new-phone">"Phone"</label>
                        <input class=INPUT id="new-phone" name="contact[phone]" required maxlength="40" placeholder="(415) 555-2671" /></div>
                    <div><label class=LABEL for="new-first">"First name"</label>
                        <input class=INPUT id="new-first" name="contact[first_name]" maxlength=warmline::limits::NAME /></div>
                    <div><label class=LABEL for="new-last">"Last name"</label>
                        <input class=INPUT id="new-last" name="contact[last_name]" maxlength=warmline::limits::NAME /></div>
                    <div><label class=LABEL for="new-list">"Add to list"</label>
                        <input class=INPUT id="new-list" name="contact[list]" maxlength=warmline::limits::TITLE placeholder="optional" /></div>
                    <button type="submit" class=BTN_PRIMARY disabled=move || add.pending().get()>"Save contact"</button>
                </ActionForm>
                {move || add.value().get().and_then(|r| r.err()).map(|e| view! { <div class="mt-3"><ErrorNote error=e /></div> })}
            </Card>
        </Show>

        <Card class="mb-4 p-4">
            <form method="get" action="/contacts" class="grid gap-3 sm:grid-cols-2 lg:grid-cols-6 lg:items-end" role="search">
                <div class="sm:col-span-2 lg:col-span-6">
                    <label class=LABEL for="q">"Search"</label>
                    <input class=INPUT id="q" name="q" type="search" placeholder="Name, email or phone" maxlength=warmline::limits::SEARCH
                        prop:value=move || query.read().q.clone().unwrap_or_default() />
                </div>
                <Transition fallback=|| view! { <div></div><div></div><div></div><div></div><div></div> }>
                    {move || Suspend::new(async move {
                        let f = filters.await.ok();
                        let lists = f.as_ref().map(|f| f.lists.clone()).unwrap_or_default();
                        let tags = f.as_ref().map(|f| f.tags.clone()).unwrap_or_default();
                        let sources = f.map(|f| f.sources).unwrap_or_default();
                        let sel_list = query.read_untracked().list_id;
                        let sel_tag = query.read_untracked().tag.clone();
                        let sel_band = query.read_untracked().band.clone();
                        let sel_source = query.read_untracked().source.clone();
                        let by_score = query.read_untracked().sort.is_some();
                        view! {
                            <div>
                                <label class=LABEL for="list">"List"</label>
                                <select class=INPUT id="list" name="list">
                                    <option value="">"All lists"</option>
                                    {lists.into_iter().map(|l| {
                                        let selected = sel_list == Some(l.id);
                                        view! { <option value=l.id.to_string() selected=selected>{format!("{} ({})", warmline::limits::ellipsize(&l.name, 40), fmt_count(l.contact_count))}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="tag">"Tag"</label>
                                <select class=INPUT id="tag" name="tag">
                                    <option value="">"All tags"</option>
                                    {tags.into_iter().map(|(t, n)| {
                                        let selected = sel_tag.as_deref() == Some(t.as_str());
                                        view! { <option value=t.clone() selected=selected>{format!("{t} ({n})")}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="band">"Score"</label>
                                <select class=INPUT id="band" name="band">
                                    <option value="">"Any score"</option>
                                    {Band::ALL.into_iter().map(|b| {
                                        let selected = sel_band.as_deref() == Some(b.key());
                                        view! { <option value=b.key() selected=selected>{b.label()}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="source">"Source"</label>
                                <select class=INPUT id="source" name="source">
                                    <option value="">"Any source"</option>
                                    {sources.into_iter().map(|(s, n)| {
                                        let selected = sel_source.as_deref() == Some(s.as_str());
                                        view! { <option value=s.clone() selected=selected>{format!("{} ({n})", warmline::limits::ellipsize(&s, 30))}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label class=LABEL for="sort">"Order"</label>
                                <select class=INPUT id="sort" name="sort">
                                    <option value="" selected=!by_score>"Newest first"</option>
                                    <option value="score" selected=by_score>"Highest score"</option>
                                </select>
                            </div>
                        }
                    })}
                </Transition>
                <button type="submit" class=BTN_SECONDARY>"Search"</button>
            </form>
        </Card>

        <Card>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    match results.await {
                        Err(e) => view! { <div class="p-4"><ErrorNote error=e /></div> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <Empty title="No contacts match">
                                {if q == ContactQuery::default() { "Import a CSV file to get started." } else { "Try a different search or filter." }}
                            </Empty>
                        }.into_any(),
                        Ok(page) => {
                            let pages = page.pages();
                            let current = page.page;
                            let prev = (current > 1).then(|| page_link(&q, current - 1, page.prev.as_deref().map(|c| ("before", c))));
                            // Past a capped count, a full page may have more after it.
                            let more = current < pages || (page.total_capped && page.items.len() as i64 == page.per_page);
                            let next = more.then(|| page_link(&q, current + 1, page.next.as_deref().map(|c| ("after", c))));
                            let first_n = (current - 1) * page.per_page + 1;
                            let last_n = first_n + page.items.len() as i64 - 1;
                            view! {
                                <div class="overflow-x-auto">
                                    <table class="min-w-full divide-y divide-slate-200" data-testid="contacts-table">
                                        <thead class="bg-slate-50"><tr>
                                            <th class=TH>"Name"</th><th class=TH>"Score"</th><th class=format!("{TH} hidden sm:table-cell")>"Phone"</th>
                                            <th class=format!("{TH} hidden md:table-cell")>"Email"</th>
                                            <th class=format!("{TH} hidden md:table-cell")>"Source"</th>
                                            <th class=format!("{TH} hidden sm:table-cell")>"Tags"</th>
                                            <th class=format!("{TH} hidden lg:table-cell")>"Added"</th>
                                        </tr></thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {page.items.into_iter().map(|c| {
                                                let href = format!("/contacts/{}", c.id);
                                                view! {
                                                    <tr class="hover:bg-slate-50" data-testid="contact-row">
                                                        <td class=format!("{TD} max-w-[14rem]")>
                                                            <a href=href class="block truncate font-medium text-slate-900 hover:text-orange-700" title=c.display_name()>{c.display_name()}</a>
                                                            <span class="block font-mono text-xs text-slate-500 sm:hidden">{c.phone.display()}</span>
                                                        </td>
                                                        <td class=TD data-testid="contact-score"><ScoreBadge score=c.score band=c.band /></td>
                                                        <td class=format!("{TD} hidden whitespace-nowrap font-mono text-xs sm:table-cell")>{c.phone.display()}</td>
                                                        <td class=format!("{TD} hidden max-w-[14rem] truncate md:table-cell")>{c.email.clone().unwrap_or_default()}</td>
                                                        <td class=format!("{TD} hidden max-w-[10rem] truncate md:table-cell") data-testid="contact-source">{c.source.clone().unwrap_or_else(|| "—".into())}</td>
                                                        <td class=format!("{TD} hidden sm:table-cell")>
                                                            <div class="flex flex-wrap gap-1">
                                                                {c.tags.iter().map(|t| view! { <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{t.clone()}</span> }).collect_view()}
                                                            </div>
                                                        </td>
                                                        <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 lg:table-cell")><Time ms=c.created_at /></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="flex items-center justify-between border-t border-slate-200 px-4 py-3 text-sm" aria-label="Pagination">
                                    <p class="text-slate-500" data-testid="contacts-count">
                                        {format!("{}–{} of {}{}", fmt_count(first_n), fmt_count(last_n), fmt_count(page.total), if page.total_capped { "+" } else { "" })}
                                    </p>
                                    <div class="flex gap-2">
                                        {prev.map(|h| view! { <a href=h class=BTN_SECONDARY>"Previous"</a> })}
                                        {next.map(|h| view! { <a href=h class=BTN_SECONDARY>"Next"</a> })}
                                    </div>
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_filters() {
        let q = ContactQuery { q: Some("ann lee".into()), list_id: Some(ListId(3)), tag: Some("vip".into()), ..Default::default() };
        assert_eq!(page_href(&q, 2), "/contacts?q=ann%20lee&list=3&tag=vip&page=2");
        let q = ContactQuery { band: Some("hot".into()), source: Some("google".into()), sort: Some("score".into()), ..Default::default() };
        assert_eq!(page_href(&q, 3), "/contacts?band=hot&source=google&sort=score&page=3");
        assert_eq!(page_href(&ContactQuery::default(), 1), "/contacts?page=1");
        // Past the first pages, the cursor goes along.
        assert_eq!(page_link(&ContactQuery::default(), 2, Some(("after", "120"))), "/contacts?page=2");
        assert_eq!(page_link(&ContactQuery::default(), 9, Some(("after", "72:120"))), "/contacts?page=9&after=72%3A120");
    }
}
