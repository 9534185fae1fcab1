//! Lead capture forms: the builder and the list (with each form's public link and embed
//! snippet), and one form's submissions with their source and proof of consent. Live.

use crate::api::forms::{form_page, forms_overview, CreateForm};
use crate::components::layout::Live;
use crate::components::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use warmline::forms::{FieldKind, Form, FormField, NewForm};
use warmline::{CampaignId, FormId};

/// The fields a form may ask besides the mobile number (always asked, always required).
const OPTIONAL: [FieldKind; 7] = [FieldKind::Name, FieldKind::Email, FieldKind::City, FieldKind::ServiceType, FieldKind::Budget, FieldKind::Timeline, FieldKind::Text];

fn embed(public_url: &str, slug: &str) -> String {
    format!("<iframe src=\"{public_url}/f/{slug}\" style=\"width:100%;max-width:480px;height:720px;border:0\" title=\"Contact form\" loading=\"lazy\"></iframe>")
}

#[component]
pub fn FormsPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let create = ServerAction::<CreateForm>::new();
    let data = Resource::new(move || (create.version().get(), live.get()), |_| forms_overview());
    // The builder loads its choices once: it must not be rebuilt by a live event (or a new
    // form) while someone is typing in it.
    let choices = Resource::new(|| (), |_| forms_overview());
    view! {
        <Title text="Lead forms" />
        <PageHeader title="Lead forms" subtitle="Public pages that turn visitors into contacts with recorded consent, and text them within seconds." />
        <div class="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_26rem]">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(o) => view! { <FormList forms=o.forms public_url=o.public_url.clone() /> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(o) => view! { <Builder campaigns=o.campaigns default_consent=o.default_consent create /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn FormList(forms: Vec<Form>, public_url: String) -> impl IntoView {
    if forms.is_empty() {
        return view! {
            <Card><Empty title="No forms yet">"Make one with the builder: it gets a public page you can link from ads, or embed in your website."</Empty></Card>
        }
        .into_any();
    }
    view! {
        <Card>
            <ul class="divide-y divide-slate-100" data-testid="forms">
                {forms.into_iter().map(|f| {
                    let link = format!("{public_url}/f/{}", f.slug);
                    view! {
                        <li class="space-y-2 p-4" data-testid="form-row">
                            <div class="flex flex-wrap items-baseline justify-between gap-2">
                                <a class="font-medium text-slate-900 hover:text-orange-700" href=format!("/forms/{}", f.id)>{f.name.clone()}</a>
                                <span class="text-sm text-slate-500" data-testid="form-submissions">{format!("{} {}", fmt_count(f.submissions), plural(f.submissions, "submission", "submissions"))}</span>
                            </div>
                            <div class="flex flex-wrap items-center gap-2 text-sm">
                                <a class="break-all font-mono text-xs text-orange-700 hover:underline" href=link.clone() target="_blank" rel="external noopener" data-testid="form-link">{link.clone()}</a>
                                <CopyButton text=link.clone() />
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Card>
    }
    .into_any()
}

#[component]
fn Builder(campaigns: Vec<(i64, String)>, default_consent: String, create: ServerAction<CreateForm>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let headline = RwSignal::new(String::new());
    let benefits = RwSignal::new(String::new());
    let consent = RwSignal::new(default_consent);
    let thank_you = RwSignal::new(String::new());
    let list = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let confirm_sms = RwSignal::new(false);
    let sell_leads = RwSignal::new(false);
    // (included, required) per optional field; name and email are asked by default.
    let picks: Vec<(FieldKind, RwSignal<bool>, RwSignal<bool>)> =
        OPTIONAL.iter().map(|k| (*k, RwSignal::new(matches!(k, FieldKind::Name | FieldKind::Email)), RwSignal::new(*k == FieldKind::Name))).collect();
    let picks_for_submit = picks.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut fields = vec![FormField::standard(FieldKind::Phone, true)];
        for (kind, on, req) in &picks_for_submit {
            if on.get_untracked() {
                let f = FormField::standard(*kind, req.get_untracked());
                if *kind == FieldKind::Name {
                    fields.insert(0, f);
                } else {
                    fields.push(f);
                }
            }
        }
        let opt = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        create.dispatch(CreateForm {
            form: NewForm {
                name: name.get_untracked(),
                slug: opt(slug),
                headline: opt(headline),
                benefits: benefits.get_untracked().lines().map(str::to_string).collect(),
                fields: Some(fields),
                consent_text: opt(consent),
                thank_you: opt(thank_you),
                list: opt(list),
                tags: Vec::new(),
                drip_campaign_id: campaign.get_untracked().parse().ok().map(CampaignId),
                allowed_origins: Vec::new(),
                confirm_sms: confirm_sms.get_untracked(),
                sell_leads: sell_leads.get_untracked(),
            },
        });
    };
    let auto_slug = move || warmline::forms::slugify(&name.get());
    view! {
        <Card class="p-5">
            <h2 class="text-base font-semibold text-slate-900">"New form"</h2>
            <form class="mt-4 space-y-4" on:submit=submit data-testid="form-builder">
                <div><label class=LABEL for="fb-name">"Name"</label><input id="fb-name" class=INPUT required maxlength="120" placeholder="e.g. Free roof check" bind:value=name /></div>
                <div>
                    <label class=LABEL for="fb-slug">"Address"</label>
                    <div class="flex items-center gap-1 text-sm text-slate-500"><span>"/f/"</span><input id="fb-slug" class=INPUT maxlength="60" placeholder=auto_slug bind:value=slug /></div>
                </div>
                <div><label class=LABEL for="fb-headline">"Headline"</label><input id="fb-headline" class=INPUT maxlength="200" placeholder="Same as the name" bind:value=headline /></div>
                <div><label class=LABEL for="fb-benefits">"Benefits (one a line)"</label><textarea id="fb-benefits" class=INPUT rows="3" placeholder="Free, no-obligation quote\nLicensed and insured" bind:value=benefits></textarea></div>
                <fieldset>
                    <legend class=LABEL>"Fields"</legend>
                    <p class="mb-2 text-xs text-slate-500">"The mobile number is always asked and required."</p>
                    <div class="divide-y divide-slate-100 rounded-md border border-slate-200">
                        {picks.into_iter().map(|(kind, on, req)| view! {
                            <div class="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                                <label class="flex items-center gap-2"><input type="checkbox" bind:checked=on data-testid=format!("field-{}", kind.key()) />{kind.label()}</label>
                                <label class="flex items-center gap-1 text-xs text-slate-500"><input type="checkbox" bind:checked=req disabled=move || !on.get() />"required"</label>
                            </div>
                        }).collect_view()}
                    </div>
                </fieldset>
                <div>
                    <label class=LABEL for="fb-consent">"Consent text"</label>
                    <textarea id="fb-consent" class=INPUT rows="4" required maxlength="2000" bind:value=consent></textarea>
                    <p class="mt-1 text-xs text-slate-500">"Stored word for word with every submission, with the time, page, IP address and browser."</p>
                </div>
                <div><label class=LABEL for="fb-thanks">"Thank-you message"</label><input id="fb-thanks" class=INPUT maxlength="500" placeholder="Thanks! We got your request." bind:value=thank_you /></div>
                <div><label class=LABEL for="fb-list">"Add leads to list"</label><input id="fb-list" class=INPUT maxlength="100" placeholder="e.g. Web leads (created if new)" bind:value=list /></div>
                <div>
                    <label class=LABEL for="fb-campaign">"Text them with"</label>
                    <select id="fb-campaign" class=INPUT bind:value=campaign>
                        <option value="">"No drip campaign"</option>
                        {campaigns.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                    </select>
                    <p class="mt-1 text-xs text-slate-500">"Its first step is the speed-to-lead text, sent within seconds (in the morning for a night-time lead)."</p>
                </div>
                <label class="flex items-start gap-3">
                    <input type="checkbox" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-orange-600 focus:ring-orange-500" bind:checked=confirm_sms data-testid="confirm-sms" />
                    <span>
                        <span class="block text-sm font-medium text-slate-700">"Confirm the number with a texted code"</span>
                        <span class="block text-xs text-slate-500">"The lead counts (scored, assigned, texted by the drip) once they type the 6-digit code we text them. Stops fake numbers, costs one text."</span>
                    </span>
                </label>
                <label class="flex items-start gap-3">
                    <input type="checkbox" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-orange-600 focus:ring-orange-500" bind:checked=sell_leads data-testid="sell-leads" />
                    <span>
                        <span class="block text-sm font-medium text-slate-700">"Sell these leads to providers"</span>
                        <span class="block text-xs text-slate-500">"Each lead is offered (lead unlock) to the providers serving its city and service type. Needs required name, city and service fields."</span>
                    </span>
                </label>
                <button type="submit" class=BTN_PRIMARY disabled=move || create.pending().get() data-testid="create-form">"Create form"</button>
                {move || create.value().get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(f) => view! {
                        <p class="rounded-md bg-green-50 p-3 text-sm text-green-800" data-testid="form-created">
                            "Created. Its page: " <a class="font-medium underline" href=format!("/forms/{}", f.id)>{format!("/f/{}", f.slug)}</a>
                        </p>
                    }.into_any(),
                })}
            </form>
        </Card>
    }
}

#[component]
pub fn FormDetailPage() -> impl IntoView {
    let live = expect_context::<Live>().0;
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).map(FormId);
    let data = Resource::new(move || (id(), live.get()), |(id, _)| async move {
        match id {
            Some(id) => form_page(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    });
    view! {
        <Title text="Lead form" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(p) => {
                        let link = format!("{}/f/{}", p.public_url, p.form.slug);
                        let snippet = embed(&p.public_url, &p.form.slug);
                        let f = p.form;
                        view! {
                            <div class="mb-6">
                                <a href="/forms" class="text-sm text-slate-500 hover:text-orange-700">"← Lead forms"</a>
                                <h1 class="mt-1 text-2xl font-semibold text-slate-900" data-testid="form-name">{f.name.clone()}</h1>
                            </div>
                            <div class="grid items-start gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
                                <Card>
                                    <div class="border-b border-slate-200 px-4 py-3"><h2 class="text-sm font-semibold text-slate-900">"Submissions"</h2></div>
                                    {if p.submissions.is_empty() {
                                        view! { <Empty title="No submissions yet">"Open the form's page and send it; each lead shows up here at once."</Empty> }.into_any()
                                    } else {
                                        view! {
                                            <div class="overflow-x-auto">
                                                <table class="min-w-full divide-y divide-slate-200" data-testid="submissions">
                                                    <thead class="bg-slate-50"><tr><th class=TH>"Lead"</th><th class=TH>"Source"</th><th class=format!("{TH} hidden md:table-cell")>"Consent"</th><th class=format!("{TH} hidden sm:table-cell")>"When"</th></tr></thead>
                                                    <tbody class="divide-y divide-slate-100">
                                                        {p.submissions.into_iter().map(|s| {
                                                            let who = s.answers.get("name").cloned().unwrap_or_else(|| warmline::phone::display(&s.phone));
                                                            let source = s.attribution.source();
                                                            let detail = [s.attribution.utm_medium.clone(), s.attribution.utm_campaign.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                                            view! {
                                                                <tr data-testid="submission-row">
                                                                    <td class=format!("{TD} max-w-[14rem]")>
                                                                        {match s.contact_id {
                                                                            Some(c) => view! { <a class="block truncate font-medium text-slate-900 hover:text-orange-700" href=format!("/contacts/{c}")>{who.clone()}</a> }.into_any(),
                                                                            None => view! { <span class="block truncate font-medium">{who.clone()}</span> }.into_any(),
                                                                        }}
                                                                        <span class="font-mono text-xs text-slate-500">{warmline::phone::display(&s.phone)}</span>
                                                                        {(s.status == "pending").then(|| view! { <span class="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs text-amber-800 ring-1 ring-inset ring-amber-600/20" data-testid="submission-pending" title="The texted code has not been typed in: this lead doesn't count yet">"awaiting code"</span> })}
                                                                        {s.phone_flag.clone().map(|f| view! { <span class="ml-2 rounded-full bg-red-50 px-2 py-0.5 text-xs text-red-700 ring-1 ring-inset ring-red-600/20" data-testid="submission-flag" title="Carriers told us this number can't take texts">{f}</span> })}
                                                                    </td>
                                                                    <td class=TD><span class="rounded-full bg-orange-50 px-2 py-0.5 text-xs font-medium text-orange-800" data-testid="submission-source">{source}</span><p class="mt-1 text-xs text-slate-500">{detail}</p></td>
                                                                    <td class=format!("{TD} hidden max-w-xs md:table-cell")><p class="line-clamp-2 text-xs text-slate-500" title=s.consent_text.clone()>{s.consent_text.clone()}</p><p class="text-xs text-slate-400">{format!("IP {}", s.ip)}</p></td>
                                                                    <td class=format!("{TD} hidden whitespace-nowrap text-slate-500 sm:table-cell")><Time ms=s.created_at /></td>
                                                                </tr>
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }.into_any()
                                    }}
                                </Card>
                                <Card class="space-y-4 p-5">
                                    <div>
                                        <h2 class="text-sm font-semibold text-slate-900">"Public page"</h2>
                                        <a class="mt-1 block break-all font-mono text-xs text-orange-700 hover:underline" href=link.clone() target="_blank" rel="external noopener" data-testid="public-link">{link.clone()}</a>
                                        <div class="mt-2"><CopyButton text=link /></div>
                                    </div>
                                    <div>
                                        <h2 class="text-sm font-semibold text-slate-900">"Embed in your website"</h2>
                                        <pre class="mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 text-xs text-slate-100" data-testid="embed-snippet">{snippet.clone()}</pre>
                                        <div class="mt-2"><CopyButton text=snippet /></div>
                                        <p class="mt-2 text-xs text-slate-500">"Or post your own HTML form, or JSON, to " <code>{format!("/f/{}/submit", f.slug)}</code> " with the fields below, " <code>"consent=yes"</code> " and an empty " <code>"website"</code> "."</p>
                                    </div>
                                    <div>
                                        <h2 class="text-sm font-semibold text-slate-900">"Fields"</h2>
                                        <ul class="mt-1 text-sm text-slate-600">
                                            {f.fields.iter().map(|x| view! { <li><code class="text-xs">{x.key.clone()}</code>" — "{x.label.clone()}{if x.required { " (required)" } else { "" }}</li> }).collect_view()}
                                        </ul>
                                    </div>
                                    <div>
                                        <h2 class="text-sm font-semibold text-slate-900">"Consent text"</h2>
                                        <p class="mt-1 text-sm text-slate-600">{f.consent_text.clone()}</p>
                                    </div>
                                </Card>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
