"""One error format for every API, in the caller's language:

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "details": [{"location": "json", "field": "rhk.0.iki.0.target", "reason": "..."}]}}

`message` and `reason` are in Bahasa Indonesia unless the caller asked for English
(`?lang=en` or `Accept-Language: en`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, request

from shared.i18n import pick_language

MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_input": ("Data yang dikirim tidak valid.", "The submitted data is invalid."),
    "malformed_request": ("Permintaan tidak dapat dibaca.", "The request could not be read."),
    "unauthenticated": (
        "Anda perlu masuk (token tidak ada atau tidak valid).",
        "Authentication required (missing or invalid token).",
    ),
    "forbidden": ("Anda tidak berwenang melakukan ini.", "You are not allowed to do this."),
    "not_found": ("Tidak ditemukan.", "Not found."),
    "method_not_allowed": ("Metode tidak diizinkan untuk alamat ini.", "Method not allowed for this URL."),
    "payload_too_large": ("Data yang dikirim terlalu besar.", "The request body is too large."),
    "unsupported_media_type": ("Kirim data sebagai application/json.", "Send data as application/json."),
    "service_unavailable": (
        "Layanan sedang tidak tersedia; coba lagi sebentar lagi.",
        "The service is temporarily unavailable; try again shortly.",
    ),
    "internal_error": ("Terjadi kesalahan pada server.", "Something went wrong on the server."),
}

STATUS_CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    503: "service_unavailable",
}

# marshmallow's reasons, in Indonesian (patterns keep the variable parts).
_REASONS_ID: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), "Wajib diisi."),
    (re.compile(r"^Unknown field\.$"), "Kolom tidak dikenal."),
    (re.compile(r"^Field may not be null\.$"), "Tidak boleh kosong (null)."),
    (re.compile(r"^Not a valid integer\.$"), "Harus bilangan bulat."),
    (re.compile(r"^Not a valid number\.$"), "Harus angka."),
    (re.compile(r"^Not a valid string\.$"), "Harus teks."),
    (re.compile(r"^Not a valid boolean\.$"), "Harus true atau false."),
    (re.compile(r"^Not a valid list\.$"), "Harus daftar (list)."),
    (re.compile(r"^Not a valid mapping type\.$"), "Harus objek."),
    (re.compile(r"^Invalid input type\.$"), "Tipe data tidak valid."),
    (re.compile(r"^Not a valid URL\.$"), "Bukan URL yang valid."),
    (re.compile(r"^Invalid JSON body\.$"), "Isi JSON tidak valid."),
    (re.compile(r"^Must be one of: (.*)\.$"), r"Harus salah satu dari: \1."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"Panjang harus antara \1 dan \2."),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"Lebih pendek dari panjang minimum \1."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"Lebih panjang dari panjang maksimum \1."),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        r"Harus antara \1 dan \2.",
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"Harus paling sedikit \1."),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"Harus paling banyak \1."),
]


def language() -> str:
    return pick_language(request.args.get("lang"), request.headers.get("Accept-Language"))


def localise_reason(reason: str, lang: str) -> str:
    if lang == "en":
        return reason.split(" / ")[-1] if " / " in reason else reason
    if " / " in reason:  # our own bilingual messages: "Indonesian / English"
        return reason.split(" / ")[0]
    for pattern, replacement in _REASONS_ID:
        if pattern.match(reason):
            return pattern.sub(replacement, reason)
    return reason


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """{"rhk": {"0": {"target": ["Missing ..."]}}} -> [("rhk.0.target", "Missing ...")]."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            out += flatten_messages(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return [(prefix, m) for m in messages]
        out = []
        for m in messages:
            out += flatten_messages(m, prefix)
        return out
    return [(prefix, str(messages))]


def error_response(
    status: int,
    code: str | None = None,
    *,
    message_id: str | None = None,
    message_en: str | None = None,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    code = code or STATUS_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    default_id, default_en = MESSAGES.get(code, MESSAGES["internal_error"] if status >= 500 else ("", ""))
    lang = language()
    message = (message_en or default_en) if lang == "en" else (message_id or default_id)
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details:
        body["details"] = [{**d, "reason": localise_reason(d["reason"], lang)} for d in details]
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def validation_details(messages: dict[str, Any]) -> list[dict[str, str]]:
    """webargs groups messages by location: {"json": {...}, "query": {...}}."""
    details = []
    for location, per_location in messages.items():
        for field, reason in flatten_messages(per_location):
            details.append({"location": str(location), "field": field, "reason": reason})
    return details
