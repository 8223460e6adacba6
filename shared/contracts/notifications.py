"""Events published by the notifications service on topic `kinerja.notifications.events`."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts.fields import nip_field
from shared.events import EventDefinition

TOPIC = "kinerja.notifications.events"


class NoticeDeliveredV1(ma.Schema):
    notice_id = fields.String(required=True)
    nip = nip_field(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(["in_app", "email", "webhook"]))
    source_event_type = fields.String(required=True)
    source_event_id = fields.String(required=True)


DEFINITIONS = [
    EventDefinition(
        "notice.delivered",
        1,
        NoticeDeliveredV1,
        TOPIC,
        "nip",
        "A notice reached a person's channel (in-app inbox for now).",
    ),
]
