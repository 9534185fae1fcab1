//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{json, Value};

pub async fn document() -> Json<Value> {
    Json(spec())
}

pub fn spec() -> Value {
    let mut doc = base();
    add_campaigns(&mut doc);
    add_farming(&mut doc);
    add_crm(&mut doc);
    super::openapi_suggestions::add(&mut doc);
    super::openapi_leads::add(&mut doc);
    super::openapi_analytics::add(&mut doc);
    super::openapi_forms::add(&mut doc);
    super::openapi_suggestions::add_segments(&mut doc);
    doc
}

fn base() -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let contact_ref = json!({"$ref": "#/components/schemas/Contact"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Warmline API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Contacts, lists and messages for Warmline. Authenticate with `Authorization: Bearer <api key>`; admins create keys under Settings → API keys or with `warmline apikey create --name NAME`."
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/contacts": {
                "get": {
                    "summary": "List and search contacts (newest first, or by score)",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Matches names, email and phone digits"},
                        {"name": "phone", "in": "query", "schema": {"type": "string"}, "description": "Exact phone, any format"},
                        {"name": "list", "in": "query", "schema": {"type": "string"}, "description": "List name or id"},
                        {"name": "tag", "in": "query", "schema": {"type": "string"}},
                        {"name": "band", "in": "query", "schema": {"type": "string", "enum": ["hot", "warm", "qualified", "cold", "unqualified"]}, "description": "Lead score band"},
                        {"name": "source", "in": "query", "schema": {"type": "string"}, "description": "First-touch source, exactly (e.g. google)"},
                        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["newest", "score"]}, "description": "score: highest score first"},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
                    ],
                    "responses": {
                        "200": {"description": "Matching contacts", "headers": {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Matching contacts; a floor when X-Total-Count-Capped is present"},
                                                                        "X-Total-Count-Capped": {"schema": {"type": "string", "enum": ["true"]}, "description": "Counting stopped at 1,000 matches: there are more than X-Total-Count"}},
                                "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ContactSummary"}}}}},
                        "401": {"description": "Missing or invalid API key", "content": {"application/json": {"schema": error}}}
                    }
                },
                "post": {
                    "summary": "Create a contact",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewContact"}}}},
                    "responses": {
                        "201": {"description": "Created", "content": {"application/json": {"schema": contact_ref}}},
                        "409": {"description": "A contact with this phone exists", "content": {"application/json": {"schema": error}}},
                        "422": {"description": "Invalid phone, email or time zone", "content": {"application/json": {"schema": error}}}
                    }
                }
            },
            "/contacts/{id}": {
                "get": {
                    "summary": "Fetch one contact",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "The contact", "content": {"application/json": {"schema": contact_ref}}},
                        "404": {"description": "No such contact", "content": {"application/json": {"schema": error}}}
                    }
                }
            },
            "/messages": {
                "get": {
                    "summary": "A contact's messages, oldest first (last 500)",
                    "parameters": [{"name": "contact_id", "in": "query", "required": true, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "Messages", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}}},
                        "404": {"description": "No such contact", "content": {"application/json": {"schema": error}}}
                    }
                },
                "post": {
                    "summary": "Send a message through the send gate",
                    "description": "The gate decides `send` (queued, then sent), `defer_until` (scheduled: quiet hours or caps) or `block` (opted out, flagged, invalid or landline number; stored as canceled). The contact is created when the number is new.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["to", "body"],
                        "properties": {"to": {"type": "string"}, "body": {"type": "string", "maxLength": 1600}, "marketing": {"type": "boolean", "default": false}}
                    }}}},
                    "responses": {
                        "201": {"description": "The message and the gate's decision", "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"message": {"$ref": "#/components/schemas/Message"}, "decision": {"$ref": "#/components/schemas/Decision"}}
                        }}}},
                        "422": {"description": "Invalid number or empty body", "content": {"application/json": {"schema": error}}}
                    }
                }
            },
            "/contacts/import": {
                "post": {
                    "summary": "Import contacts from CSV",
                    "description": "All-or-nothing unless `skip_invalid=true`. Row numbers count the header as row 1. Phones are normalised to E.164 (default region from DEFAULT_REGION). Existing contacts are added to the list and keep their details.",
                    "parameters": [
                        {"name": "list", "in": "query", "schema": {"type": "string"}, "description": "List to add the contacts to (created when missing)"},
                        {"name": "skip_invalid", "in": "query", "schema": {"type": "boolean", "default": false}}
                    ],
                    "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "responses": {
                        "200": {"description": "Imported", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}},
                        "400": {"description": "Not a usable CSV file (empty, binary, no phone column)", "content": {"application/json": {"schema": error}}},
                        "413": {"description": "Larger than IMPORT_MAX_BYTES", "content": {"application/json": {"schema": error}}},
                        "415": {"description": "Not a CSV media type", "content": {"application/json": {"schema": error}}},
                        "422": {"description": "Bad rows and no skip_invalid: nothing imported", "content": {"application/json": {"schema": {
                            "type": "object", "required": ["errors"],
                            "properties": {"error": {"type": "string"}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RowError"}}}
                        }}}}
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "RowError": {"type": "object", "required": ["row", "reason"], "properties": {"row": {"type": "integer"}, "reason": {"type": "string"}}},
                "ImportReport": {"type": "object", "properties": {
                    "import_id": {"type": "integer"}, "list_id": {"type": "integer"},
                    "imported": {"type": "integer"}, "created": {"type": "integer"}, "updated": {"type": "integer"},
                    "skipped": {"type": "integer"}, "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RowError"}}
                }},
                "Message": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "contact_id": {"type": "integer"}, "direction": {"enum": ["in", "out"]}, "body": {"type": "string"},
                    "status": {"enum": ["received", "scheduled", "queued", "sending", "sent", "delivered", "read", "undelivered", "failed", "canceled"]},
                    "provider_sid": {"type": ["string", "null"]}, "error_code": {"type": ["integer", "null"]}, "error_message": {"type": ["string", "null"]},
                    "segments": {"type": "integer"}, "kind": {"enum": ["manual", "auto_reply", "inbound", "campaign"]}, "marketing": {"type": "boolean"},
                    "send_at": {"type": ["integer", "null"]}, "created_at": {"type": "integer"}, "updated_at": {"type": "integer"}
                }},
                "Decision": {"type": "object", "required": ["decision"], "properties": {
                    "decision": {"enum": ["send", "defer_until", "block"]},
                    "until_ms": {"type": "integer", "description": "defer_until: when it will be sent"},
                    "reason": {"type": "string", "description": "defer_until: why; block: opted_out | flagged | invalid_number | landline"}
                }},
                "ConsentEvent": {"type": "object", "properties": {
                    "kind": {"enum": ["opt_out", "opt_in", "flagged", "unflagged"]}, "source": {"type": "string"},
                    "message_sid": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}, "created_at": {"type": "integer"}
                }},
                "ContactSummary": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "phone": {"type": "string", "description": "E.164"},
                    "first_name": {"type": ["string", "null"]}, "last_name": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": {"type": "string"}}, "opted_out": {"type": "boolean"}, "flagged": {"type": "boolean"},
                    "created_at": {"type": "integer", "description": "Unix epoch milliseconds"},
                    "score": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Lead score"},
                    "band": {"type": "string", "enum": ["hot", "warm", "qualified", "cold", "unqualified"]},
                    "source": {"type": ["string", "null"], "description": "First-touch source (utm_source or referrer host)"}
                }},
                "Contact": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "phone": {"type": "string", "description": "E.164"},
                    "first_name": {"type": ["string", "null"]}, "last_name": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]},
                    "timezone": {"type": ["string", "null"]}, "consent_source": {"type": ["string", "null"]}, "consent_at": {"type": ["integer", "null"]},
                    "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "lists": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
                    "created_at": {"type": "integer"}, "updated_at": {"type": "integer"},
                    "opted_out": {"type": "boolean"}, "flagged": {"type": "boolean"}, "number_status": {"enum": ["ok", "invalid", "landline"]},
                    "consent_history": {"type": "array", "items": {"$ref": "#/components/schemas/ConsentEvent"}}
                }},
                "NewContact": {"type": "object", "required": ["phone"], "properties": {
                    "phone": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"}, "email": {"type": "string"},
                    "timezone": {"type": "string"}, "consent_source": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
                    "list": {"type": "string", "description": "List name; created when missing"}
                }}
            }
        }
    })
}

/// `/campaigns…` paths and schemas.
fn add_campaigns(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let detail = json!({"$ref": "#/components/schemas/CampaignDetail"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/campaigns".into(), json!({
        "get": {
            "summary": "List drip campaigns (newest first) with enrollment and send counts",
            "responses": {"200": {"description": "Campaigns", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CampaignSummary"}}}}}}
        },
        "post": {
            "summary": "Create a drip campaign (as a draft)",
            "description": "Templates use `{{ field }}` or `{{ field | default(\"…\") }}` over contact fields (first_name, last_name, full_name, phone, email, timezone) and custom attributes; an unknown field is a 422. The first step must carry opt-out language (\"Reply STOP to opt out\").",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewCampaign"}}}},
            "responses": {
                "201": {"description": "Created", "content": {"application/json": {"schema": detail}}},
                "400": {"description": "Malformed JSON", "content": {"application/json": {"schema": error}}},
                "422": {"description": "Invalid campaign (every problem listed)", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    paths.insert("/campaigns/{id}".into(), json!({
        "get": {
            "summary": "A campaign with its steps, enrollment counts and per-step funnel",
            "parameters": [id],
            "responses": {
                "200": {"description": "The campaign", "content": {"application/json": {"schema": detail}}},
                "404": {"description": "No such campaign", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    for (action, summary, conflict) in [
        ("activate", "Start sending (from draft) or resume (from paused)", "The campaign is active or archived"),
        ("pause", "Pause: no new sends from the runner's next tick; resume continues where it stopped", "The campaign is not active"),
    ] {
        let mut params = vec![id.clone()];
        if action == "activate" {
            params.push(json!({"name": "starts_at", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}, "description": "Send nothing before this time (RFC 3339); absent or past: now"}));
        }
        paths.insert(format!("/campaigns/{{id}}/{action}"), json!({
            "post": {
                "summary": summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "The campaign", "content": {"application/json": {"schema": detail}}},
                    "404": {"description": "No such campaign", "content": {"application/json": {"schema": error}}},
                    "409": {"description": conflict, "content": {"application/json": {"schema": error}}}
                }
            }
        }));
    }
    paths.insert("/campaigns/{id}/enrollments".into(), json!({
        "post": {
            "summary": "Enroll contacts by id, a list or a tag",
            "description": "Opted-out, flagged and known-bad numbers are skipped and counted. A contact already in the campaign is left as it is unless `reenroll` is true, which restarts it at step 1.",
            "parameters": [id],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "contact_ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 10000},
                    "list_id": {"type": "integer"},
                    "tag": {"type": "string"},
                    "reenroll": {"type": "boolean", "default": false}
                },
                "description": "Exactly one of contact_ids, list_id or tag"
            }}}},
            "responses": {
                "200": {"description": "What enrolling did", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrollOutcome"}}}},
                "400": {"description": "None or several of contact_ids, list_id, tag", "content": {"application/json": {"schema": error}}},
                "404": {"description": "No such campaign", "content": {"application/json": {"schema": error}}},
                "409": {"description": "The campaign is archived", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    let schemas = doc["components"]["schemas"].as_object_mut().expect("schemas");
    let delay = json!({"oneOf": [
        {"type": "object", "required": ["kind", "minutes"], "properties": {"kind": {"const": "after"}, "minutes": {"type": "integer", "minimum": 0, "maximum": 525600}}},
        {"type": "object", "required": ["kind", "hour", "minute"], "properties": {"kind": {"const": "next_day_at"}, "hour": {"type": "integer", "minimum": 0, "maximum": 23}, "minute": {"type": "integer", "minimum": 0, "maximum": 59}}}
    ], "description": "`after`: minutes after the previous step (or enrollment); `next_day_at`: the next calendar day at HH:MM in the contact's time zone"});
    schemas.insert("NewCampaign".into(), json!({
        "type": "object", "required": ["name", "steps"],
        "properties": {
            "name": {"type": "string", "maxLength": 120},
            "steps": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "object", "required": ["template"], "properties": {
                "delay_minutes": {"type": "integer", "minimum": 0, "description": "Shorthand for delay {kind: after}"},
                "delay": delay.clone(),
                "template": {"type": "string", "maxLength": 1600}
            }}},
            "stop_on_reply": {"type": "boolean", "default": true},
            "stop_on_failure": {"type": "boolean", "default": true, "description": "After a permanent send failure, stop the enrollment (true) or go on to the next step"},
            "window": {"type": "object", "required": ["start", "end"], "properties": {"start": {"type": "string", "example": "10:00"}, "end": {"type": "string", "example": "18:00"}}, "description": "A narrower sending window within 08:00–21:00, contact's local time"},
            "daily_cap": {"type": "integer", "minimum": 1, "description": "Most sends per day (organisation's time zone)"},
            "sender": {"type": "string", "example": "+14155550100", "description": "E.164 number to send from; default: the configured sender"}
        }
    }));
    schemas.insert("CampaignSummary".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "status": {"enum": ["draft", "active", "paused", "archived"]},
        "steps": {"type": "integer"}, "enrolled": {"type": "integer"}, "active": {"type": "integer"}, "sent": {"type": "integer"}, "updated_at": {"type": "integer"}
    }}));
    schemas.insert("CampaignDetail".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "status": {"enum": ["draft", "active", "paused", "archived"]},
        "steps": {"type": "array", "items": {"type": "object", "properties": {"delay": delay, "template": {"type": "string"}}}},
        "stop_on_reply": {"type": "boolean"}, "stop_on_failure": {"type": "boolean"},
        "window": {"type": ["object", "null"], "properties": {"start_minute": {"type": "integer"}, "end_minute": {"type": "integer"}}},
        "daily_cap": {"type": ["integer", "null"]}, "sender": {"type": ["string", "null"]},
        "created_at": {"type": "integer"}, "updated_at": {"type": "integer"},
        "enrollments": {"type": "object", "properties": {"active": {"type": "integer"}, "completed": {"type": "integer"}, "stopped": {"type": "integer"}, "failed": {"type": "integer"}}},
        "funnel": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "integer", "description": "1-based"}, "due": {"type": "integer"}, "sent": {"type": "integer"}, "delivered": {"type": "integer"},
            "replied": {"type": "integer"}, "opted_out": {"type": "integer"}, "failed": {"type": "integer"}
        }}}
    }}));
    schemas.insert("EnrollOutcome".into(), json!({"type": "object", "properties": {
        "enrolled": {"type": "integer"}, "already_enrolled": {"type": "integer"},
        "skipped_opted_out": {"type": "integer"}, "skipped_unreachable": {"type": "integer", "description": "Flagged for review, or an invalid or landline number"}
    }}));
}

/// `/farming-campaigns…` and `/stats/warm-leads`.
fn add_farming(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let progress = json!({"$ref": "#/components/schemas/BatchProgress"});
    let batch_body = json!({"type": "object", "properties": {
        "max": {"type": "integer", "minimum": 1, "description": "At most this many (never more than what is left of today's cap)"},
        "template": {"type": "string", "description": "Overrides the campaign's message for this batch"}
    }});
    let paths = doc["paths"].as_object_mut().expect("paths");
    paths.insert("/farming-campaigns".into(), json!({
        "get": {"summary": "List farming campaigns", "responses": {"200": {"description": "Farming campaigns", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/FarmingCampaign"}}}}}}},
        "post": {
            "summary": "Create a farming campaign",
            "description": "The message must name the business (the business name in Settings → Business) and say \"Reply STOP to opt out\".",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["name", "template"],
                "properties": {
                    "name": {"type": "string"}, "template": {"type": "string"},
                    "list_id": {"type": "integer"}, "tag": {"type": "string"},
                    "daily_cap": {"type": "integer", "minimum": 1, "description": "Default DAILY_BATCH_DEFAULT (450)"},
                    "cool_off_days": {"type": "integer", "minimum": 0, "default": 7},
                    "send_time": {"type": "string", "example": "10:30", "description": "Start a batch by itself each day at this time (organisation's zone)"}
                },
                "description": "Exactly one of list_id or tag"
            }}}},
            "responses": {
                "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FarmingCampaign"}}}},
                "400": {"description": "Malformed JSON, or not exactly one of list_id and tag", "content": {"application/json": {"schema": error}}},
                "422": {"description": "Invalid campaign (every problem listed)", "content": {"application/json": {"schema": error}}}
            }
        }
    }));
    paths.insert("/farming-campaigns/{id}/dry-run".into(), json!({"post": {
        "summary": "Who the next batch would message, and why others are left out",
        "parameters": [id],
        "requestBody": {"required": false, "content": {"application/json": {"schema": batch_body.clone()}}},
        "responses": {
            "200": {"description": "The dry run", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "selected": {"type": "integer"}, "contact_ids": {"type": "array", "items": {"type": "integer"}},
                "excluded": {"type": "object", "properties": {"opted_out": {"type": "integer"}, "warm_lead": {"type": "integer"}, "cool_off": {"type": "integer"}, "invalid": {"type": "integer"}, "flagged": {"type": "integer"}}},
                "without_consent": {"type": "integer"}, "sent_today": {"type": "integer"}, "remaining_today": {"type": "integer"}
            }}}}},
            "404": {"description": "No such campaign", "content": {"application/json": {"schema": error}}}
        }
    }}));
    paths.insert("/farming-campaigns/{id}/batches".into(), json!({"post": {
        "summary": "Start today's batch",
        "description": "Picks the next contacts in import order (skipping opted-out, flagged, invalid or landline numbers, warm leads and anyone picked inside the cool-off) and sends through the send gate and rate limiter. Never exceeds the daily cap.",
        "parameters": [id],
        "requestBody": {"required": false, "content": {"application/json": {"schema": batch_body}}},
        "responses": {
            "201": {"description": "Started", "content": {"application/json": {"schema": progress.clone()}}},
            "404": {"description": "No such campaign", "content": {"application/json": {"schema": error}}},
            "409": {"description": "A batch is already sending, or today's cap is used up", "content": {"application/json": {"schema": error}}}
        }
    }}));
    paths.insert("/farming-campaigns/{id}/batches/{batch_id}".into(), json!({"get": {
        "summary": "A batch's progress",
        "parameters": [id, {"name": "batch_id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "responses": {
            "200": {"description": "Progress", "content": {"application/json": {"schema": progress}}},
            "404": {"description": "No such batch", "content": {"application/json": {"schema": error}}}
        }
    }}));
    paths.insert("/stats/warm-leads".into(), json!({"get": {
        "summary": "Warm leads today and in the last 7 days against the 10–16 a day target",
        "responses": {"200": {"description": "Stats", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "today": {"type": "integer"}, "last_7_days": {"type": "integer"}, "target_low": {"type": "integer"}, "target_high": {"type": "integer"},
            "sends_today": {"type": "integer"}, "sends_7_days": {"type": "integer"},
            "opt_in_rate": {"type": ["number", "null"], "description": "Warm leads per farming message, last 7 days"},
            "suggested_batch": {"type": ["array", "null"], "items": {"type": "integer"}, "description": "Daily batch sizes that land in the target band at that rate"}
        }}}}}}
    }}));
    let schemas = doc["components"]["schemas"].as_object_mut().expect("schemas");
    schemas.insert("FarmingCampaign".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "template": {"type": "string"},
        "source": {"type": "object", "description": "{\"list\": id} or {\"tag\": name}"}, "source_label": {"type": "string"},
        "daily_cap": {"type": "integer"}, "cool_off_days": {"type": "integer"}, "send_time": {"type": ["string", "null"]}, "created_at": {"type": "integer"}
    }}));
    schemas.insert("BatchProgress".into(), json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "campaign_id": {"type": "integer"}, "status": {"enum": ["running", "done"]},
        "requested": {"type": "integer"}, "selected": {"type": "integer"}, "queued": {"type": "integer"}, "sent": {"type": "integer"},
        "delivered": {"type": "integer"}, "deferred": {"type": "integer"}, "failed": {"type": "integer"},
        "created_at": {"type": "integer"}, "finished_at": {"type": ["integer", "null"]}
    }}));
}

/// Editing and deleting contacts, notes, the pipeline and conversation status.
fn add_crm(doc: &mut Value) {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let json_body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let ok = |what: &str| json!({"description": what});
    let patch = json!({"type": "object", "additionalProperties": false, "properties": {
        "first_name": {"type": "string", "maxLength": 100}, "last_name": {"type": "string", "maxLength": 100},
        "email": {"type": "string", "maxLength": 254}, "timezone": {"type": "string", "description": "IANA zone; empty clears"},
        "attributes": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500}, "description": "The whole set (replaces)"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 64}, "description": "The whole set (replaces)"},
        "list_ids": {"type": "array", "items": {"type": "integer"}, "description": "The whole set (replaces)"}
    }, "description": "Fields present are replaced; an empty string clears a text field. The phone can't change."});
    let impact = json!({"type": "object", "properties": {
        "messages": {"type": "integer"}, "notes": {"type": "integer"}, "enrollments": {"type": "integer"}, "lists": {"type": "integer"},
        "keeps_opt_out": {"type": "boolean", "description": "The number had opted out: it stays suppressed, so a re-import can't message it"}
    }});
    let note = json!({"type": "object", "properties": {"id": {"type": "integer"}, "contact_id": {"type": "integer"}, "body": {"type": "string"}, "author": {"type": ["string", "null"]}, "created_at": {"type": "integer"}}});
    let stage = json!({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "position": {"type": "integer"}}});
    let name = json!({"type": "object", "required": ["name"], "additionalProperties": false, "properties": {"name": {"type": "string", "maxLength": 40}}});
    let paths = doc["paths"].as_object_mut().expect("paths");
    let contact = paths.get_mut("/contacts/{id}").and_then(Value::as_object_mut).expect("/contacts/{id}");
    contact.insert("patch".into(), json!({
        "summary": "Edit a contact: names, email, time zone, custom attributes, tags, lists",
        "parameters": [id], "requestBody": json_body(patch),
        "responses": {"200": ok("The contact"), "400": ok("Malformed JSON or an unknown field"), "404": {"description": "No such contact", "content": {"application/json": {"schema": error}}}, "422": {"description": "A value over its length limit, a bad email or zone, an unknown list", "content": {"application/json": {"schema": error}}}}
    }));
    contact.insert("delete".into(), json!({
        "summary": "Delete a contact with its messages, notes, enrollments, tags and list memberships",
        "parameters": [id],
        "responses": {"200": {"description": "What was removed", "content": {"application/json": {"schema": impact}}}, "404": {"description": "No such contact", "content": {"application/json": {"schema": error}}}}
    }));
    paths.insert("/contacts/{id}/notes".into(), json!({
        "get": {"summary": "A contact's notes, newest first", "parameters": [id], "responses": {"200": {"description": "Notes", "content": {"application/json": {"schema": {"type": "array", "items": note}}}}, "404": ok("No such contact")}},
        "post": {"summary": "Add a note", "parameters": [id],
            "requestBody": json_body(json!({"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "maxLength": 2000}}})),
            "responses": {"201": {"description": "The note", "content": {"application/json": {"schema": note}}}, "404": ok("No such contact"), "422": ok("Empty or too long")}}
    }));
    paths.insert("/contacts/{id}/stage".into(), json!({"put": {
        "summary": "Move a contact to a pipeline stage (null: back to the first column)", "parameters": [id],
        "requestBody": json_body(json!({"type": "object", "required": ["stage_id"], "properties": {"stage_id": {"type": ["integer", "null"]}}})),
        "responses": {"204": ok("Moved"), "404": ok("No such contact"), "422": ok("No such stage")}
    }}));
    paths.insert("/pipeline".into(), json!({"get": {
        "summary": "The warm-lead pipeline: stages in order and the contacts on the board",
        "responses": {"200": {"description": "The board", "content": {"application/json": {"schema": {"type": "object", "properties": {"stages": {"type": "array", "items": stage}, "cards": {"type": "array", "items": {"type": "object"}}}}}}}}
    }}));
    paths.insert("/pipeline/stages".into(), json!({"post": {
        "summary": "Add a stage at the end", "requestBody": json_body(name.clone()),
        "responses": {"201": {"description": "The stage", "content": {"application/json": {"schema": stage}}}, "409": ok("A stage has that name"), "422": ok("Empty or too long")}
    }}));
    paths.insert("/pipeline/stages/{id}".into(), json!({
        "patch": {"summary": "Rename a stage", "parameters": [id], "requestBody": json_body(name), "responses": {"204": ok("Renamed"), "404": ok("No such stage"), "409": ok("A stage has that name")}},
        "delete": {"summary": "Delete a stage; its contacts move to the first remaining stage", "parameters": [id], "responses": {"204": ok("Deleted"), "404": ok("No such stage"), "409": ok("The last stage can't be deleted")}}
    }));
    paths.insert("/conversations/{id}/status".into(), json!({"put": {
        "summary": "Open, close or snooze the conversation with a contact (a new inbound message reopens it)",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "description": "The contact's id"}],
        "requestBody": json_body(json!({"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["open", "closed", "snoozed"]},
            "snoozed_until": {"type": "string", "format": "date-time", "description": "Required with snoozed; in the future"}
        }})),
        "responses": {"204": ok("Changed"), "404": ok("No conversation with that contact"), "422": ok("A snooze without a future time")}
    }}));
}
