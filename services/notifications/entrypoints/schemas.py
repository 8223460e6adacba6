"""Request and response schemas of the notifications API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

_LANG = fields.String(
    validate=validate.OneOf(["id", "en"]),
    metadata={"description": "Language of title and body (default: Accept-Language, then id)."},
)


class LangQuery(ma.Schema):
    lang = _LANG


class InboxQuery(ma.Schema):
    unread = fields.Boolean(
        metadata={"description": "true: unread only; false: read only; absent: all."},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    lang = _LANG


class NoticeOut(ma.Schema):
    notice_id = fields.String()
    event_type = fields.String()
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class UnreadCountOut(ma.Schema):
    unread = fields.Integer()
