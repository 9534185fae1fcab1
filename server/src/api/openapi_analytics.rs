//! Analytics' part of the OpenAPI document.

use serde_json::{json, Value};

/// `/analytics/…`, `/contacts/{id}/timeline` and `/alarms…`.
pub fn add(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let err = |d: &str| json!({"description": d, "content": {"application/json": {"schema": error.clone()}}});
    let ok = |d: &str, schema: Value| json!({"description": d, "content": {"application/json": {"schema": schema}}});
    let q = |name: &str, ty: &str, d: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": ty}, "description": d});
    let filters = json!([
        q("from", "string", "First day, YYYY-MM-DD in the organisation's zone (default: 29 days before `to`)"),
        q("to", "string", "Last day, included (default: today)"),
        q("last_days", "integer", "Instead of `from`: the last N days up to `to`, 1..=400 (1 = today)"),
        q("campaign_id", "integer", "A drip campaign"),
        {"name": "kind", "in": "query", "required": false, "schema": {"enum": ["campaign", "farming", "approval", "lead_offer", "lead_unlock", "broadcast", "manual", "auto_reply", "approval_test"]}},
        q("step", "integer", "0-based drip step"),
        q("sender", "string", "Sender number (empty: the default number)"),
        q("member", "integer", "Team member (user id)")
    ]);
    let rate = json!({"type": ["number", "null"], "description": "0..1; null without a denominator"});
    let summary = json!({"type": "object", "properties": {
        "sent": {"type": "integer", "description": "handed to the provider (accepted, or failed there)"},
        "delivered": {"type": "integer"}, "failed": {"type": "integer"}, "undelivered": {"type": "integer"},
        "filtered": {"type": "integer", "description": "failed or undelivered with Twilio 30007"},
        "replied": {"type": "integer", "description": "sent messages whose recipient replied next"},
        "opted_out": {"type": "integer"}, "warm_leads": {"type": "integer"}, "segments": {"type": "integer"},
        "cost_cents": {"type": "number"}, "delivery_rate": rate, "reply_rate": rate, "opt_out_rate": rate,
        "cost_per_delivered_cents": {"type": ["number", "null"]}, "cost_per_reply_cents": {"type": ["number", "null"]},
        "cost_per_warm_lead_cents": {"type": ["number", "null"]}, "paid_unlocks": {"type": "integer"},
        "revenue_cents": {"type": "integer"}, "cost_per_paid_unlock_cents": {"type": ["number", "null"]}
    }});
    let point = json!({"type": "object", "properties": {
        "day": {"type": "string"}, "sent": {"type": "integer"}, "delivered": {"type": "integer"}, "failed": {"type": "integer"},
        "replied": {"type": "integer"}, "opted_out": {"type": "integer"}, "warm_leads": {"type": "integer"}
    }});
    let alarm = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "scope": {"enum": ["Campaign", "Sender"]}, "scope_key": {"type": "string"}, "label": {"type": "string"},
        "level": {"enum": ["Warn", "Pause"]}, "metric": {"enum": ["OptOuts", "Errors"]},
        "window": {"type": "object", "properties": {"sends": {"type": "integer"}, "opt_outs": {"type": "integer"}, "errors": {"type": "integer"}, "filtered": {"type": "integer"}}},
        "rate": {"type": "number"}, "threshold": {"type": "number"}, "active": {"type": "boolean"},
        "created_at": {"type": "integer"}, "resolved_at": {"type": ["integer", "null"]}
    }});
    let entry = json!({"type": "object", "properties": {"at": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"}, "detail": {"type": "string"}}});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/analytics/summary".into(), json!({"get": {
        "summary": "Figures of a period: sends, delivery, replies, opt-outs, warm leads, cost and lead-unlock revenue",
        "parameters": filters, "responses": {"200": ok("The figures", summary), "422": err("A bad date or kind")}
    }}));
    let mut with_bucket = filters.as_array().cloned().unwrap_or_default();
    with_bucket.push(json!({"name": "bucket", "in": "query", "required": false, "schema": {"enum": ["day"]}}));
    paths.insert("/analytics/timeseries".into(), json!({"get": {
        "summary": "One point per day of the period (organisation's zone), days without messages as zeros",
        "parameters": with_bucket,
        "responses": {"200": ok("The series", json!({"type": "object", "properties": {"bucket": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"}, "points": {"type": "array", "items": point}}})), "400": err("An unsupported bucket"), "422": err("A bad date or kind")}
    }}));
    paths.insert("/contacts/{id}/timeline".into(), json!({"get": {
        "summary": "Everything that happened to a contact, oldest first: added or imported, lists, consent, messages with status, campaign steps, warm lead, approvals, lead offers",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {"200": ok("The timeline", json!({"type": "array", "items": entry})), "404": err("No such contact")}
    }}));
    paths.insert("/alarms".into(), json!({"get": {
        "summary": "Rate alarms: active ones and recent ended ones, with the window's figures",
        "parameters": [q("limit", "integer", "At most this many (default 50)")],
        "responses": {"200": ok("The alarms", json!({"type": "object", "properties": {"active": {"type": "array", "items": alarm.clone()}, "recent": {"type": "array", "items": alarm}}}))}
    }}));
    paths.insert("/alarms/{id}/acknowledge".into(), json!({"post": {
        "summary": "Ends an active alarm. A paused campaign is resumed with POST /campaigns/{id}/activate, which also ends its alarms",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {"204": {"description": "Ended"}, "404": err("No such active alarm")}
    }}));
}
