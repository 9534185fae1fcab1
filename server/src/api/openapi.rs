//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{json, Value};

pub async fn document() -> Json<Value> {
    Json(spec())
}

pub fn spec() -> Value {
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
                    "summary": "List and search contacts (newest first)",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Matches names, email and phone digits"},
                        {"name": "phone", "in": "query", "schema": {"type": "string"}, "description": "Exact phone, any format"},
                        {"name": "list", "in": "query", "schema": {"type": "string"}, "description": "List name or id"},
                        {"name": "tag", "in": "query", "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
                    ],
                    "responses": {
                        "200": {"description": "Matching contacts", "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
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
                    "segments": {"type": "integer"}, "kind": {"enum": ["manual", "auto_reply", "inbound"]}, "marketing": {"type": "boolean"},
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
                    "created_at": {"type": "integer", "description": "Unix epoch milliseconds"}
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
