mod api_keys;
mod auth;
mod contact_detail;
mod contacts;
mod dashboard;
mod import;
mod lists;
mod not_found;
mod users;

pub use api_keys::ApiKeysPage;
pub use auth::{LoginPage, SetupPage};
pub use contact_detail::ContactDetailPage;
pub use contacts::ContactsPage;
pub use dashboard::DashboardPage;
pub use import::ImportPage;
pub use lists::ListsPage;
pub use not_found::NotFound;
pub use users::UsersPage;
