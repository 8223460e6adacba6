"""The Notice aggregate: one message to one person about one source event, in every language.

Its id is derived from (source event id, recipient), so a redelivered event maps to the notice
that already exists instead of creating a second one. Events: notice.created, notice.read.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.notifications.domain.templates import RenderedNotice
from shared.aggregate import Aggregate
from shared.errors import NotFound

# Fixed namespace: notice ids must be the same in every process and every run.
NOTICE_NAMESPACE = uuid.UUID("5d0b4f0e-6a53-4c1e-9a55-6b696e65726a")


def notice_id_for(source_event_id: str, recipient_nip: str) -> str:
    return str(uuid.uuid5(NOTICE_NAMESPACE, f"{source_event_id}:{recipient_nip}"))


class Notice(Aggregate):
    aggregate_type = "notice"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.recipient_nip = ""
        self.event_type = ""
        self.source_event_id = ""
        self.texts: dict[str, dict[str, str]] = {}
        self.created_at: datetime | None = None
        self.read_at: datetime | None = None
        self.category: str | None = None
        self.campaign_id: str | None = None

    # --- commands ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        tenant: str,
        recipient_nip: str,
        event_type: str,
        source_event_id: str,
        rendered: RenderedNotice,
        at: datetime,
        category: str | None = None,
        campaign_id: str | None = None,
    ) -> Notice:
        notice = cls(notice_id_for(source_event_id, recipient_nip))
        notice._record(
            "notice.created",
            tenant=tenant,
            recipient_nip=recipient_nip,
            source_event_type=event_type,
            source_event_id=source_event_id,
            texts={lang: {"title": title, "body": body} for lang, (title, body) in rendered.texts.items()},
            created_at=at.isoformat(),
            category=category,
            campaign_id=campaign_id,
        )
        return notice

    def mark_read(self, by_nip: str, at: datetime) -> bool:
        """Mark as read by its recipient; reading it again changes nothing. True if it changed."""
        if by_nip != self.recipient_nip:  # someone else's notice does not exist for you
            raise NotFound("Pemberitahuan", "Notice", self.id)
        if self.read_at is not None:
            return False
        self._record("notice.read", read_at=at.isoformat())
        return True

    # --- state changes (applied from events, never refused) ---------------------------------

    def _on_notice_created(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.recipient_nip = data["recipient_nip"]
        self.event_type = data["source_event_type"]
        self.source_event_id = data["source_event_id"]
        self.texts = data["texts"]
        self.created_at = datetime.fromisoformat(data["created_at"])
        self.category = data.get("category")
        self.campaign_id = data.get("campaign_id")

    def _on_notice_read(self, data: dict[str, Any]) -> None:
        self.read_at = datetime.fromisoformat(data["read_at"])
