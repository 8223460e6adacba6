"""Request and response schemas of the notifications API (also its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import limit_field, offset_field

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
    limit = limit_field(50, 200)
    offset = offset_field()
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


# --- preferences ----------------------------------------------------------------------------

CATEGORY_NAMES = ["plan", "realisasi", "evaluation", "reward", "coaching", "reminder", "sosialisasi"]
CHANNEL_NAMES = ["in_app", "email"]


class PreferencesIn(ma.Schema):
    language = fields.String(validate=validate.OneOf(["id", "en"]))
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CATEGORY_NAMES)),
        values=fields.List(fields.String(validate=validate.OneOf(CHANNEL_NAMES)), validate=validate.Length(max=2)),
        metadata={"description": "Per category, the channels wanted. The in-app inbox always keeps every notice."},
    )

    @ma.validates_schema
    def _something(self, data: dict[str, object], **_: object) -> None:
        if not data:
            raise ma.ValidationError("Give a language and/or channels.", "language")


class PreferencesOut(ma.Schema):
    language = fields.String()
    channels = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    email = fields.String(
        allow_none=True, metadata={"description": "The address on record (from the organisation register)."}
    )


# --- deliveries -----------------------------------------------------------------------------


class DeliveryQuery(ma.Schema):
    status = fields.String(validate=validate.OneOf(["pending", "delivered", "failed"]))
    channel = fields.String(validate=validate.OneOf(["email", "webhook"]))
    nip = fields.String(validate=validate.Regexp(r"^\d{18}$"))
    limit = limit_field(50, 200)
    offset = offset_field()


class AttemptOut(ma.Schema):
    attempt_no = fields.Integer()
    at = fields.DateTime()
    outcome = fields.String()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class DeliveryOut(ma.Schema):
    delivery_id = fields.String()
    channel = fields.String()
    notice_id = fields.String(allow_none=True)
    recipient_nip = fields.String(allow_none=True)
    subscription_id = fields.String(allow_none=True)
    source_event_id = fields.String()
    source_event_type = fields.String()
    address = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptOut))


# --- campaigns ------------------------------------------------------------------------------


class TargetIn(ma.Schema):
    unit_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)), load_default=list, validate=validate.Length(max=500)
    )
    roles = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={
            "description": "pegawai, atasan, kepala_unit, or a position kind "
            "(jpt, administrator, pengawas, pelaksana, fungsional). Empty: everyone."
        },
    )


class CampaignIn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["announcement", "explainer", "workshop", "seminar"]))
    title_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_en = fields.String(validate=validate.Length(min=1, max=200))
    body_id = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    body_en = fields.String(validate=validate.Length(min=1, max=10000))
    event_at = fields.AwareDateTime(metadata={"description": "Workshops and seminars: when (with time zone)."})
    place = fields.String(validate=validate.Length(min=1, max=300))
    target = fields.Nested(TargetIn, load_default=lambda: {"unit_ids": [], "roles": []})


class CampaignOut(ma.Schema):
    campaign_id = fields.String()
    kind = fields.String()
    title_id = fields.String()
    title_en = fields.String()
    body_id = fields.String()
    body_en = fields.String()
    event_at = fields.DateTime(allow_none=True)
    place = fields.String(allow_none=True)
    target = fields.Dict()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    targeted = fields.Integer(allow_none=True)


class PageQuery(ma.Schema):
    limit = limit_field(50, 200)
    offset = offset_field()


class UnitReachOut(ma.Schema):
    unit_id = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    targeted = fields.Integer()
    read = fields.Integer()
    read_rate = fields.Float()
    email_delivered = fields.Integer()
    email_failed = fields.Integer()


class ReachOut(ma.Schema):
    campaign_id = fields.String()
    status = fields.String()
    targeted = fields.Integer()
    in_app_delivered = fields.Integer()
    email_delivered = fields.Integer()
    email_failed = fields.Integer()
    read = fields.Integer()
    read_rate = fields.Float()
    per_unit = fields.List(fields.Nested(UnitReachOut))


# --- webhooks -------------------------------------------------------------------------------


class WebhookIn(ma.Schema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    event_types = fields.List(
        fields.String(validate=validate.Length(min=1, max=120)), required=True, validate=validate.Length(min=1, max=100)
    )
    description = fields.String(validate=validate.Length(max=300))


class WebhookOut(ma.Schema):
    subscription_id = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()


class WebhookWithSecretOut(WebhookOut):
    secret = fields.String(metadata={"description": "Shown only now: keep it to verify X-Kinerja-Signature."})


class WebhookDeliveryQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(["pending", "delivered", "failed"]))
