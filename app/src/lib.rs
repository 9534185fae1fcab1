#![recursion_limit = "256"]
//! Warmline's browser app: Leptos pages, components and server functions.
//! Rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).

pub mod api;
pub mod components;
pub mod error;
pub mod imports;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod throttle;

use components::layout::AppShell;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use pages::*;

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full bg-slate-50">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="h-full text-slate-800 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/warmline.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Warmline: turn contact lists into warm leads over SMS" />
        <Title formatter=|t: String| if t.is_empty() { "Warmline".to_string() } else { format!("{t} · Warmline") } />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/setup") view=SetupPage />
                <ParentRoute path=path!("") view=AppShell>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("contacts") view=ContactsPage />
                    <Route path=path!("contacts/:id") view=ContactDetailPage />
                    <Route path=path!("conversations") view=ConversationsPage />
                    <Route path=path!("conversations/:id") view=ConversationsPage />
                    <Route path=path!("campaigns") view=CampaignsPage />
                    <Route path=path!("campaigns/new") view=CampaignBuilderPage />
                    <Route path=path!("campaigns/:id") view=CampaignPage />
                    <Route path=path!("campaigns/:id/edit") view=CampaignBuilderPage />
                    <Route path=path!("farming") view=FarmingPage />
                    <Route path=path!("farming/:id") view=FarmingCampaignPage />
                    <Route path=path!("leads") view=LeadsPage />
                    <Route path=path!("approvals") view=ApprovalsPage />
                    <Route path=path!("sales") view=LeadSalesPage />
                    <Route path=path!("sales/new") view=NewLeadPage />
                    <Route path=path!("sales/:id") view=LeadSalePage />
                    <Route path=path!("providers") view=ProvidersPage />
                    <Route path=path!("pipeline") view=PipelinePage />
                    <Route path=path!("analytics") view=AnalyticsPage />
                    <Route path=path!("forms") view=FormsPage />
                    <Route path=path!("forms/:id") view=FormDetailPage />
                    <Route path=path!("scoring") view=ScoringPage />
                    <Route path=path!("routing") view=RoutingPage />
                    <Route path=path!("import") view=ImportPage />
                    <Route path=path!("lists") view=ListsPage />
                    <Route path=path!("settings/users") view=UsersPage />
                    <Route path=path!("settings/api-keys") view=ApiKeysPage />
                    <Route path=path!("settings/business") view=RepliesPage />
                    <Route path=path!("settings/account") view=AccountPage />
                    <Route path=path!("settings/replies") view=RepliesPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Reads the session cookie from request headers (used by the server and server functions).
#[cfg(feature = "ssr")]
pub fn session_token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == state::SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}
