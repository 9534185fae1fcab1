//! Service providers: add, change, remove, import from CSV. A provider's SMS thread is a normal
//! conversation: adding one creates (or reuses) the contact for its number.

use super::service::Unlock;
use super::{Provider, ProviderId, ProviderInput};
use crate::error::{Error, NameMissing, Result};
use crate::phone::{normalize, Region};
use crate::store::unlock::{self as store, ProviderRow};

/// Most providers one CSV may hold.
pub const MAX_IMPORT: usize = 5000;

/// Cities and service types: trimmed, lower-cased, deduplicated, at most 50 of 60 characters.
fn names(list: &[String], what: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in list.iter().flat_map(|s| s.split([',', ';', '|'])) {
        let item = item.trim().to_lowercase();
        if item.is_empty() || out.contains(&item) {
            continue;
        }
        if item.chars().count() > 60 {
            return Err(Error::Invalid(format!("a {what} is longer than 60 characters: '{item}'")));
        }
        out.push(item);
    }
    if out.len() > 50 {
        return Err(Error::Invalid(format!("at most 50 {what}s per provider")));
    }
    Ok(out)
}

fn name(n: Option<&str>) -> Result<String> {
    let n = n.map(str::trim).unwrap_or_default();
    if n.is_empty() {
        return Err(Error::Invalid("the provider needs a name".into()));
    }
    if n.chars().count() > 120 {
        return Err(Error::Invalid("the provider's name is longer than 120 characters".into()));
    }
    Ok(n.to_string())
}

impl Unlock {
    pub async fn providers(&self) -> Result<Vec<Provider>> {
        Ok(store::list_providers(self.db()).await?)
    }

    pub async fn provider(&self, id: ProviderId) -> Result<Provider> {
        store::get_provider(self.db(), id).await.missing(|| format!("no provider {id}"))
    }

    #[tracing::instrument(skip(self, input))]
    pub async fn add_provider(&self, input: &ProviderInput, region: Region) -> Result<Provider> {
        let name = name(input.name.as_deref())?;
        let phone = normalize(input.phone.as_deref().unwrap_or_default(), region).map_err(|e| Error::Invalid(format!("phone: {e}")))?;
        let cities = names(input.cities.as_deref().unwrap_or_default(), "city")?;
        let types = names(input.service_types.as_deref().unwrap_or_default(), "service type")?;
        let mut tx = self.db().begin().await?;
        let contact = crate::store::contacts::ensure_for_inbound(&mut tx, &phone, crate::now_millis()).await?;
        let row = ProviderRow { name: &name, phone: phone.as_str(), cities: &cities, service_types: &types, active: input.active.unwrap_or(true), offers_opted_out: input.offers_opted_out.unwrap_or(false) };
        let p = store::insert_provider(&mut tx, contact, &row).await?;
        store::name_contact(&mut tx, contact, &name).await?;
        tx.commit().await?;
        tracing::info!(provider = %p.id, "provider added");
        Ok(p)
    }

    pub async fn update_provider(&self, id: ProviderId, input: &ProviderInput) -> Result<Provider> {
        let current = self.provider(id).await?;
        if input.phone.as_deref().is_some_and(|p| p.trim() != current.phone) {
            return Err(Error::Invalid("a provider's number can't change (its conversation belongs to it); add a new provider instead".into()));
        }
        let name = match &input.name {
            Some(n) => name(Some(n))?,
            None => current.name.clone(),
        };
        let cities = match &input.cities {
            Some(c) => names(c, "city")?,
            None => current.cities.clone(),
        };
        let types = match &input.service_types {
            Some(t) => names(t, "service type")?,
            None => current.service_types.clone(),
        };
        let row = ProviderRow { name: &name, phone: &current.phone, cities: &cities, service_types: &types, active: input.active.unwrap_or(current.active), offers_opted_out: input.offers_opted_out.unwrap_or(current.offers_opted_out) };
        store::update_provider(self.db(), id, &row).await.missing(|| format!("no provider {id}"))
    }

    pub async fn delete_provider(&self, id: ProviderId) -> Result<()> {
        store::delete_provider(self.db(), id).await.missing(|| format!("no provider {id}"))
    }

    /// Imports providers from a CSV with the columns `name`, `phone`, `cities` and
    /// `service_types` (lists separated by `;` or `|` inside a cell). All or nothing: a file
    /// with a bad row imports nothing and names every bad row.
    pub async fn import_providers(&self, csv_text: &str, region: Region) -> Result<Vec<Provider>> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(csv_text.as_bytes());
        let headers: Vec<String> = reader.headers().map_err(|e| Error::Unreadable(format!("not a CSV file: {e}")))?.iter().map(|h| h.to_lowercase().replace([' ', '-'], "_")).collect();
        let col = |n: &[&str]| headers.iter().position(|h| n.contains(&h.as_str()));
        let (Some(ci_name), Some(ci_phone)) = (col(&["name", "provider", "company"]), col(&["phone", "mobile", "number"])) else {
            return Err(Error::Unreadable("the CSV needs a name column and a phone column".into()));
        };
        let ci_cities = col(&["cities", "city", "service_area"]);
        let ci_types = col(&["service_types", "service_type", "services"]);
        let mut inputs = Vec::new();
        let mut problems = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let row = i + 2;
            let rec = rec.map_err(|e| Error::Unreadable(format!("row {row}: {e}")))?;
            let cell = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or_default().to_string();
            let split = |s: String| s.split([';', '|']).map(str::to_string).collect::<Vec<_>>();
            let input = ProviderInput { name: Some(cell(Some(ci_name))), phone: Some(cell(Some(ci_phone))), cities: Some(split(cell(ci_cities))), service_types: Some(split(cell(ci_types))), active: None, offers_opted_out: None };
            if let Err(e) = name(input.name.as_deref()) {
                problems.push(format!("row {row}: {e}"));
            }
            if let Err(e) = normalize(input.phone.as_deref().unwrap_or_default(), region) {
                problems.push(format!("row {row}: phone: {e}"));
            }
            inputs.push(input);
        }
        if inputs.is_empty() {
            return Err(Error::Unreadable("the CSV has no rows".into()));
        }
        if inputs.len() > MAX_IMPORT {
            return Err(Error::Invalid(format!("at most {MAX_IMPORT} providers per file")));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(format!("nothing was imported: {}", problems.join("; "))));
        }
        // One transaction: a duplicate number in the file (or one already a provider) rolls
        // the whole file back.
        let mut tx = self.db().begin().await?;
        let mut added = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            let phone = normalize(input.phone.as_deref().unwrap_or_default(), region).map_err(|e| Error::Invalid(e.to_string()))?;
            let cities = names(input.cities.as_deref().unwrap_or_default(), "city").map_err(|e| Error::Invalid(format!("row {}: {e}", i + 2)))?;
            let types = names(input.service_types.as_deref().unwrap_or_default(), "service type").map_err(|e| Error::Invalid(format!("row {}: {e}", i + 2)))?;
            let n = name(input.name.as_deref())?;
            let contact = crate::store::contacts::ensure_for_inbound(&mut tx, &phone, crate::now_millis()).await?;
            let row = ProviderRow { name: &n, phone: phone.as_str(), cities: &cities, service_types: &types, active: true, offers_opted_out: false };
            let p = store::insert_provider(&mut tx, contact, &row).await.map_err(|e| match e {
                crate::store::StoreError::Conflict(m) => Error::Conflict(format!("row {}: {m}; nothing was imported", i + 2)),
                other => other.into(),
            })?;
            store::name_contact(&mut tx, contact, &n).await?;
            added.push(p);
        }
        tx.commit().await?;
        Ok(added)
    }
}
