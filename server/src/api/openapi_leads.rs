//! Lead unlock's part of the OpenAPI document.

use serde_json::{json, Value};

/// `/leads…` and `/providers…`.
pub fn add(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": error.clone()}}});
    let lead_id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^lead_[23456789abcdefghjkmnpqrstuvwxyz]{8}$"}});
    let pid = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let config = json!({"type": "object", "properties": {
        "price_cents": {"type": "integer", "default": 2000, "minimum": 50},
        "currency": {"type": "string", "default": "usd"},
        "ttl_hours": {"type": "integer", "default": 24, "minimum": 1, "maximum": 24}
    }});
    let offer = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "lead_id": {"type": "string"}, "provider_id": {"type": "integer"}, "provider_name": {"type": "string"},
        "state": {"enum": ["NEW_LEAD", "TEASER_SENT", "AWAIT_CONFIRM", "CHECK_EXISTING_PAYMENT", "CREATE_PAYMENT_LINK", "PAYMENT_LINK_SENT", "AWAITING_PAYMENT", "PAID", "REVEAL_DETAILS_SENT", "DONE", "EXPIRED", "OPTED_OUT"]},
        "reason": {"type": ["string", "null"]}, "price_cents": {"type": "integer"}, "currency": {"type": "string"}, "expires_at": {"type": "integer", "description": "epoch ms"},
        "payment_url": {"type": ["string", "null"]}, "checkout_session_id": {"type": ["string", "null"]}, "payment_intent": {"type": ["string", "null"]},
        "unlocked_at": {"type": ["integer", "null"]}, "refunded_at": {"type": ["integer", "null"]}, "attention": {"type": ["string", "null"]}
    }});
    let lead = json!({"type": "object", "description": "Public fields only: the client's details are never here", "properties": {
        "id": {"type": "string"}, "city": {"type": "string"}, "service_type": {"type": "string"}, "preferred_time_window": {"type": "string"},
        "budget_range": {"type": "string"}, "notes_snippet": {"type": "string"}, "price_cents": {"type": "integer"}, "currency": {"type": "string"},
        "ttl_hours": {"type": "integer"}, "max_buyers": {"type": ["integer", "null"]}
    }});
    let view = json!({"type": "object", "properties": {"lead": lead, "offers": {"type": "array", "items": offer}, "revenue_cents": {"type": "integer"}}});
    let provider = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "contact_id": {"type": "integer"}, "name": {"type": "string"}, "phone": {"type": "string"},
        "cities": {"type": "array", "items": {"type": "string"}}, "service_types": {"type": "array", "items": {"type": "string"}},
        "active": {"type": "boolean"}, "offers_opted_out": {"type": "boolean"}
    }});
    let provider_body = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "phone": {"type": "string", "description": "E.164, or a national number in DEFAULT_REGION"},
        "cities": {"type": "array", "items": {"type": "string"}}, "service_types": {"type": "array", "items": {"type": "string"}},
        "active": {"type": "boolean"}, "offers_opted_out": {"type": "boolean"}
    }});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/leads".into(), json!({
        "get": {"summary": "Leads, newest first, with offer counts by state", "responses": {"200": {"description": "Leads"}}},
        "post": {
            "summary": "Create a lead (client details encrypted at rest) and send teasers to the providers",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["city", "service_type", "client_name", "client_phone"], "properties": {
                "city": {"type": "string"}, "service_type": {"type": "string"}, "preferred_time_window": {"type": "string"}, "budget_range": {"type": "string"},
                "notes_snippet": {"type": "string"}, "client_name": {"type": "string"}, "client_phone": {"type": "string"}, "client_email": {"type": "string"},
                "exact_address": {"type": "string"}, "client_notes": {"type": "string"},
                "provider_ids": {"type": "array", "items": {"type": "integer"}}, "config": config.clone(),
                "max_buyers": {"type": ["integer", "null"], "description": "1 makes the lead exclusive; absent: unlimited"}
            }}}}},
            "responses": {"201": {"description": "The lead and its offers", "content": {"application/json": {"schema": view.clone()}}}, "422": err("A field is missing or invalid")}
        }
    }));
    paths.insert("/leads/{id}".into(), json!({"get": {
        "summary": "A lead, its offers with their states, revenue and timeline",
        "parameters": [lead_id.clone(), {"name": "include_locked", "in": "query", "description": "true: add the client's details (admin API keys only)", "schema": {"type": "boolean"}}],
        "responses": {"200": {"description": "The lead"}, "403": err("include_locked=true with a key that is not an admin's"), "404": err("No such lead")}
    }}));
    paths.insert("/leads/{id}/send".into(), json!({"post": {
        "summary": "Offer the lead to more providers",
        "parameters": [lead_id],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["provider_ids"], "properties": {"provider_ids": {"type": "array", "items": {"type": "integer"}}, "config": config}}}}},
        "responses": {"200": {"description": "The lead and its offers", "content": {"application/json": {"schema": view}}}, "422": err("A provider is inactive or opted out")}
    }}));
    paths.insert("/providers".into(), json!({
        "get": {"summary": "Service providers", "responses": {"200": {"description": "Providers", "content": {"application/json": {"schema": {"type": "array", "items": provider.clone()}}}}}},
        "post": {"summary": "Add a provider", "requestBody": {"required": true, "content": {"application/json": {"schema": provider_body.clone()}}},
            "responses": {"201": {"description": "The provider", "content": {"application/json": {"schema": provider.clone()}}}, "409": err("A provider with this number exists"), "422": err("A field is invalid")}}
    }));
    paths.insert("/providers/{id}".into(), json!({
        "get": {"summary": "A provider", "parameters": [pid.clone()], "responses": {"200": {"description": "The provider", "content": {"application/json": {"schema": provider.clone()}}}, "404": err("No such provider")}},
        "patch": {"summary": "Change a provider (not its number)", "parameters": [pid.clone()], "requestBody": {"required": true, "content": {"application/json": {"schema": provider_body}}},
            "responses": {"200": {"description": "The provider", "content": {"application/json": {"schema": provider}}}, "404": err("No such provider")}},
        "delete": {"summary": "Remove a provider and its offers", "parameters": [pid], "responses": {"204": {"description": "Removed"}, "404": err("No such provider")}}
    }));
}
