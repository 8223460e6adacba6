"""Events published by the notifications service on topic `kinerja.notifications.events`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import nip_field, text
from shared.events import EventDefinition

TOPIC = "kinerja.notifications.events"

CHANNELS = ["in_app", "email", "webhook"]
CAMPAIGN_KINDS = ["announcement", "explainer", "workshop", "seminar"]


class NoticeDeliveredV1(ma.Schema):
    notice_id = fields.String(required=True)
    nip = nip_field(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    source_event_type = fields.String(required=True)
    source_event_id = fields.String(required=True)
    # Optional since the e-mail channel: which delivery of the notice this was, and after how many tries.
    delivery_id = fields.String(load_default=None, allow_none=True)
    attempts = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class NoticeFailedV1(ma.Schema):
    """A notice could not reach one of a person's channels after its retries (or permanently)."""

    notice_id = fields.String(required=True)
    nip = nip_field(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    delivery_id = fields.String(required=True)
    source_event_type = fields.String(required=True)
    source_event_id = fields.String(required=True)
    attempts = fields.Integer(required=True, validate=validate.Range(min=1))
    error = text(2000, required=True)


class CampaignTargetSchema(ma.Schema):
    unit_ids = fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list)
    roles = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list)


class CampaignPublishedV1(ma.Schema):
    """A sosialisasi campaign went out to the people it targets (within the event's instansi)."""

    campaign_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CAMPAIGN_KINDS))
    title_id = text(200, required=True)
    title_en = text(200, required=True)
    target = fields.Nested(CampaignTargetSchema, required=True)
    targeted = fields.Integer(required=True, validate=validate.Range(min=0))
    event_at = fields.DateTime(load_default=None, allow_none=True)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    published_by = nip_field(required=True)


DEFINITIONS = [
    EventDefinition(
        "notice.delivered",
        1,
        NoticeDeliveredV1,
        TOPIC,
        "nip",
        "A notice reached a person's channel (in-app inbox or e-mail).",
    ),
    EventDefinition(
        "notice.failed",
        1,
        NoticeFailedV1,
        TOPIC,
        "nip",
        "A notice could not be delivered on a channel; an admin may re-send it.",
    ),
    EventDefinition(
        "campaign.published",
        1,
        CampaignPublishedV1,
        TOPIC,
        "campaign_id",
        "A sosialisasi campaign (announcement, explainer, workshop or seminar invitation) was published.",
    ),
]
