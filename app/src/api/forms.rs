//! Lead capture forms: the list with what the builder needs, making a form, and a form's
//! submissions. Each server function checks the session, calls one core use-case and maps its
//! error.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;
use warmline::forms::{Form, NewForm, Submission};
use warmline::FormId;

/// The forms page: every form, the drip campaigns a form can enroll in, and the public
/// address forms are served from (for the links and the embed snippet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormsData {
    pub forms: Vec<Form>,
    /// Active drip campaigns: (id, name).
    pub campaigns: Vec<(i64, String)>,
    pub public_url: String,
    pub default_consent: String,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn forms_overview() -> Result<FormsData, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    Ok(FormsData {
        forms: s.forms.list().await.or_fail()?,
        campaigns: s.forms.campaign_choices().await.or_fail()?,
        public_url: s.config.public_url.trim_end_matches('/').to_string(),
        default_consent: s.forms.default_consent().await.or_fail()?,
    })
}

#[server(input = Json, output = crate::api::codec::JsonText)]
pub async fn create_form(form: NewForm) -> Result<Form, AppError> {
    use super::ssr::*;
    require_user()?;
    state()?.forms.create(&form).await.or_fail()
}

/// One form with its latest submissions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormDetail {
    pub form: Form,
    pub submissions: Vec<Submission>,
    pub public_url: String,
}

#[server(output = crate::api::codec::JsonText)]
pub async fn form_page(id: FormId) -> Result<FormDetail, AppError> {
    use super::ssr::*;
    require_user()?;
    let s = state()?;
    Ok(FormDetail { form: s.forms.get(id).await.or_fail()?, submissions: s.forms.submissions(id, 200).await.or_fail()?, public_url: s.config.public_url.trim_end_matches('/').to_string() })
}
