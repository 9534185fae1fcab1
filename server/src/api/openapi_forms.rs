//! Lead capture forms' part of the OpenAPI document.

use serde_json::{json, Value};

/// `/forms…` (the public `POST /f/{slug}/submit` is described in the form's own docs).
pub fn add(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": error.clone()}}});
    let ok = |d: &str, schema: Value| json!({"description": d, "content": {"application/json": {"schema": schema}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let field = json!({"type": "object", "required": ["key", "label", "kind", "required"], "properties": {
        "key": {"type": "string"}, "label": {"type": "string"},
        "kind": {"enum": ["name", "phone", "email", "city", "service_type", "budget", "timeline", "text", "custom"]},
        "required": {"type": "boolean"}
    }});
    let new_form = json!({"type": "object", "required": ["name"], "additionalProperties": false, "properties": {
        "name": {"type": "string"},
        "slug": {"type": "string", "description": "The public address /f/{slug}: 3-60 of a-z, 0-9 and dashes (default: from the name)"},
        "headline": {"type": "string"}, "benefits": {"type": "array", "items": {"type": "string"}},
        "fields": {"type": "array", "items": field, "description": "Default: name, phone (required) and email"},
        "consent_text": {"type": "string", "description": "Stored verbatim with every submission (default: a text naming the business)"},
        "thank_you": {"type": "string"},
        "list": {"type": "string", "description": "A list's name; created when missing"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "drip_campaign_id": {"type": "integer", "description": "Enroll each lead in this (active) drip campaign: its first step is the speed-to-lead text"},
        "allowed_origins": {"type": "array", "items": {"type": "string"}, "description": "Sites allowed to post JSON from a browser (CORS)"},
        "confirm_sms": {"type": "boolean", "description": "Text a 6-digit code to the number; the lead counts once it is posted to /f/{slug}/confirm (default false)"},
        "sell_leads": {"type": "boolean", "description": "Offer each lead (lead unlock) to the providers serving its city and service type; needs required name, city and service_type fields"}
    }});
    let form = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"}, "headline": {"type": "string"},
        "benefits": {"type": "array", "items": {"type": "string"}}, "fields": {"type": "array", "items": field},
        "consent_text": {"type": "string"}, "thank_you": {"type": "string"}, "list_id": {"type": ["integer", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}}, "drip_campaign_id": {"type": ["integer", "null"]},
        "allowed_origins": {"type": "array", "items": {"type": "string"}}, "confirm_sms": {"type": "boolean"}, "sell_leads": {"type": "boolean"}, "active": {"type": "boolean"},
        "submissions": {"type": "integer"}, "created_at": {"type": "integer"}
    }});
    let source = json!({"type": "object", "properties": {
        "utm_source": {"type": ["string", "null"]}, "utm_medium": {"type": ["string", "null"]}, "utm_campaign": {"type": ["string", "null"]},
        "utm_term": {"type": ["string", "null"]}, "utm_content": {"type": ["string", "null"]}, "gclid": {"type": ["string", "null"]},
        "fbclid": {"type": ["string", "null"]}, "referrer": {"type": ["string", "null"]}, "page_url": {"type": ["string", "null"]}
    }});
    let submission = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "form_id": {"type": "integer"}, "contact_id": {"type": ["integer", "null"]}, "phone": {"type": "string"},
        "answers": {"type": "object", "additionalProperties": {"type": "string"}}, "consent_text": {"type": "string"},
        "ip": {"type": "string"}, "user_agent": {"type": "string"}, "attribution": source,
        "status": {"enum": ["accepted", "pending"], "description": "pending: the texted code was not typed in yet, and the lead doesn't count"},
        "phone_flag": {"enum": ["landline", "invalid", null], "description": "The carriers told us this number can't take texts"},
        "lead_id": {"type": ["string", "null"], "description": "The lead for sale it became"},
        "created_at": {"type": "integer"}
    }});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/forms".into(), json!({
        "get": {"summary": "Lead capture forms", "responses": {"200": ok("The forms", json!({"type": "array", "items": form}))}},
        "post": {"summary": "Create a lead capture form, served at /f/{slug}",
            "requestBody": {"required": true, "content": {"application/json": {"schema": new_form}}},
            "responses": {"201": ok("The form", form.clone()), "400": err("Not JSON, or an unknown field"), "409": err("The slug is taken"), "422": err("A bad slug, field list, origin or campaign")}}
    }));
    paths.insert("/forms/{id}".into(), json!({"get": {"summary": "One form", "parameters": [id.clone()], "responses": {"200": ok("The form", form), "404": err("No such form")}}}));
    paths.insert("/forms/{id}/submissions".into(), json!({"get": {
        "summary": "A form's submissions, newest first, with the proof of consent and the source",
        "parameters": [id, {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"}, "description": "1..=1000, default 100"}],
        "responses": {"200": ok("The submissions", json!({"type": "array", "items": submission})), "404": err("No such form")}
    }}));
}
