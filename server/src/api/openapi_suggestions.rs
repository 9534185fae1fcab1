//! The approval queue's part of the OpenAPI document.

use serde_json::{json, Value};

/// `/suggestions…` and `/suggestion-batches…`.
pub fn add(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let item = json!({"$ref": "#/components/schemas/Suggestion"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let not_found = json!({"description": "No such suggestion", "content": {"application/json": {"schema": error}}});
    let conflict = json!({"description": "Not allowed in its current state (e.g. too late to cancel: it is being sent)", "content": {"application/json": {"schema": error}}});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/suggestions".into(), json!({
        "get": {
            "summary": "Suggestions, oldest first (keyset pages with `after`)",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"enum": ["suggested", "approved", "scheduled", "sent", "rejected", "cancelled", "failed"]}},
                {"name": "batch_id", "in": "query", "schema": {"type": "integer"}},
                {"name": "type", "in": "query", "description": "Only this campaign type", "schema": {"type": "string"}},
                {"name": "after", "in": "query", "schema": {"type": "integer"}, "description": "Only ids after this one"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 200}}
            ],
            "responses": {"200": {"description": "Suggestions", "content": {"application/json": {"schema": {"type": "array", "items": item}}}}}
        },
        "post": {
            "summary": "Add a batch of suggestions (all or nothing); each starts `suggested` and is never sent without approval",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["batch", "items"], "properties": {
                "batch": {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string", "description": "retention, welcome, vip_promo, or your own short word"},
                    "name": {"type": "string"}
                }},
                "items": {"type": "array", "maxItems": 1000, "items": {"type": "object", "required": ["text"], "properties": {
                    "contact_id": {"type": "integer"},
                    "phone": {"type": "string", "description": "The number of an existing contact, instead of contact_id"},
                    "text": {"type": "string", "maxLength": 1600},
                    "context": {"type": "object", "description": "Why this message, e.g. {\"days_since_visit\": 63}"}
                }}}
            }}}}},
            "responses": {
                "201": {"description": "The batch and its items", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "batch_id": {"type": "integer"}, "batch": {"$ref": "#/components/schemas/SuggestionBatch"}, "items": {"type": "array", "items": item}
                }}}}},
                "422": {"description": "An item is invalid (the message says which); nothing was added", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    paths.insert("/suggestions/{id}".into(), json!({"get": {
        "summary": "One suggestion and its audit trail",
        "parameters": [id],
        "responses": {"200": {"description": "The item and its history", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "item": item, "history": {"type": "array", "items": {"type": "object", "properties": {
                "kind": {"enum": ["suggested", "edited", "approved", "rejected", "scheduled", "rescheduled", "cancelled", "sent", "failed"]},
                "actor": {"type": "string"}, "old_text": {"type": ["string", "null"]}, "new_text": {"type": ["string", "null"]},
                "note": {"type": ["string", "null"]}, "created_at": {"type": "integer"}
            }}}
        }}}}}, "404": not_found}
    }}));
    paths.insert("/suggestions/{id}/approve".into(), json!({"post": {
        "summary": "Approve, optionally with an edited text (kept in the audit trail) and a send time (then it is scheduled)",
        "parameters": [id],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "text": {"type": "string"}, "send_at": {"type": "string", "format": "date-time"}
        }}}}},
        "responses": {"200": {"description": "The item", "content": {"application/json": {"schema": item}}}, "404": not_found, "409": conflict}
    }}));
    paths.insert("/suggestions/{id}/reject".into(), json!({"post": {
        "summary": "Reject a suggestion not yet approved, with a reason",
        "parameters": [id],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "The item", "content": {"application/json": {"schema": item}}}, "404": not_found, "409": conflict}
    }}));
    paths.insert("/suggestions/{id}/cancel".into(), json!({"post": {
        "summary": "Cancel before it is handed to the pipeline; racing its due time it either wins (never sent) or answers 409",
        "parameters": [id],
        "responses": {"200": {"description": "The item", "content": {"application/json": {"schema": item}}}, "404": not_found, "409": conflict}
    }}));
    paths.insert("/suggestion-batches/{id}".into(), json!({"get": {
        "summary": "A batch and its counts per state",
        "parameters": [id],
        "responses": {"200": {"description": "The batch", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SuggestionBatch"}}}}}
    }}));
    paths.insert("/suggestion-batches/{id}/approve".into(), json!({"post": {
        "summary": "Approve and schedule what is waiting in a batch: start plus random gaps, each moved into its recipient's legal window, never over the queue's per-minute and per-hour limits. 409 when nothing is waiting, or when test mode requires a test send and the batch has had none",
        "parameters": [id],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "start_at": {"type": "string", "format": "date-time", "description": "Default: now"},
            "gap_min_minutes": {"type": "integer", "default": 1}, "gap_max_minutes": {"type": "integer", "default": 15}
        }}}}},
        "responses": {
            "200": {"description": "The planned times", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "send_at": {"type": "string", "format": "date-time"}
            }}}}}},
            "409": conflict
        }
    }}));
    let report = json!({"$ref": "#/components/schemas/SuggestionReport"});
    paths.insert("/suggestion-batches/{id}/report".into(), json!({"get": {
        "summary": "How a batch did: counts per outcome, replies and opt-outs within 7 days of each send, and the rates",
        "parameters": [id],
        "responses": {"200": {"description": "The report", "content": {"application/json": {"schema": report}}}}
    }}));
    paths.insert("/suggestions/report".into(), json!({"get": {
        "summary": "One report per campaign type, for suggestions made in a date range (default: the last 30 days)",
        "parameters": [
            {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}}
        ],
        "responses": {"200": {"description": "Reports", "content": {"application/json": {"schema": {"type": "array", "items": report}}}}}
    }}));
    let schemas = doc["components"]["schemas"].as_object_mut().expect("schemas");
    schemas.insert("SuggestionReport".into(), json!({"type": "object", "properties": {
        "label": {"type": "string", "description": "The batch's name, or the campaign type"},
        "suggested": {"type": "integer"}, "approved": {"type": "integer"}, "rejected": {"type": "integer"}, "cancelled": {"type": "integer"},
        "sent": {"type": "integer"}, "failed": {"type": "integer"},
        "replied": {"type": "integer", "description": "Contacts sent to who replied within 7 days of the send"},
        "opted_out": {"type": "integer", "description": "Contacts sent to who opted out within 7 days of the send"},
        "response_rate": {"type": ["number", "null"], "description": "replied ÷ sent"},
        "opt_out_rate": {"type": ["number", "null"], "description": "opted_out ÷ sent"}
    }}));
    schemas.insert("Suggestion".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "batch_id": {"type": "integer"}, "contact_id": {"type": "integer"}, "contact_name": {"type": "string"},
        "phone": {"type": "string"}, "text": {"type": "string"}, "campaign_type": {"type": "string"}, "context": {"type": "object"},
        "suggested_by": {"type": "string"},
        "status": {"enum": ["suggested", "approved", "scheduled", "sent", "rejected", "cancelled", "failed"]},
        "approved_by": {"type": ["string", "null"]}, "approved_at": {"type": ["integer", "null"]},
        "send_at": {"type": ["integer", "null"], "description": "Milliseconds since the epoch"}, "sent_at": {"type": ["integer", "null"]},
        "message_id": {"type": ["integer", "null"], "description": "The message it became, once sent"},
        "reason": {"type": ["string", "null"], "description": "A rejection's reason, or why sending failed"}, "created_at": {"type": "integer"}
    }}));
    schemas.insert("SuggestionBatch".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "campaign_type": {"type": "string"}, "suggested_by": {"type": "string"},
        "created_at": {"type": "integer"},
        "counts": {"type": "array", "items": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}, "description": "[status, count] pairs"}
    }}));
}

/// `/segments…`: the segment builder's live count and field list.
pub fn add_segments(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let ops = json!(warmline::segment::Op::ALL.iter().map(|o| o.key()).collect::<Vec<_>>());
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/segments/count".into(), json!({
        "post": {
            "summary": "How many contacts a segment matches now, and how many of them can be texted",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
                "list_id": {"type": "integer", "description": "Only this list's members"},
                "tag": {"type": "string", "description": "Only contacts with this tag"},
                "conditions": {"type": "array", "maxItems": warmline::segment::MAX_CONDITIONS, "description": "All must hold", "items": {"type": "object", "required": ["field", "op"], "properties": {
                    "field": {"type": "string", "description": "first_name, last_name, email, phone, timezone, days_since_inbound, days_since_outbound, warm_lead, or attr:<name> for a custom attribute"},
                    "op": {"enum": ops},
                    "value": {"type": "string", "description": "Text, a number (gt/lt), a date YYYY-MM-DD (before/after) or a number of days"}
                }}}
            }}}}},
            "responses": {
                "200": {"description": "The counts", "content": {"application/json": {"schema": {"type": "object", "properties": {"matching": {"type": "integer"}, "textable": {"type": "integer"}}}}}},
                "422": {"description": "A condition that can't be used, named", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    paths.insert("/segments/fields".into(), json!({
        "get": {
            "summary": "The fields a condition can use, with their operators: the fixed ones and the custom attributes in use",
            "responses": {"200": {"description": "Fields", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }
    }));
}
