"""The sosialisasi Campaign aggregate: drafted by the admin of an instansi, then published once.

Targeting: the whole instansi, or some units, and/or some roles. Roles are read from the
directory the service keeps from organisation events:
- `pegawai`: everyone; `atasan`: whoever is someone's atasan or heads a unit; `kepala_unit`:
  unit heads; or a position kind (`jpt`, `administrator`, `pengawas`, `pelaksana`, `fungsional`).
Events: campaign.drafted, campaign.published.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.aggregate import Aggregate
from shared.contracts.vocabulary import PositionKind, values
from shared.errors import DomainError

KINDS = ("announcement", "explainer", "workshop", "seminar")
INVITATIONS = ("workshop", "seminar")
TARGET_ROLES = ("pegawai", "atasan", "kepala_unit", *values(PositionKind))


@dataclass(frozen=True)
class Target:
    unit_ids: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {"unit_ids": list(self.unit_ids), "roles": list(self.roles)}


@dataclass(frozen=True)
class Member:
    """A person in the directory, as far as targeting needs to know."""

    nip: str
    unit_id: str
    position_kind: str
    is_unit_head: bool
    is_atasan: bool
    active: bool = True


def matches(target: Target, member: Member) -> bool:
    if not member.active:
        return False
    if target.unit_ids and member.unit_id not in target.unit_ids:
        return False
    if not target.roles:
        return True
    held = {"pegawai", member.position_kind}
    if member.is_unit_head:
        held |= {"kepala_unit", "atasan"}
    if member.is_atasan:
        held.add("atasan")
    return bool(held & set(target.roles))


@dataclass
class CampaignContent:
    kind: str
    title: dict[str, str]  # language -> text
    body: dict[str, str]
    event_at: datetime | None = None
    place: str | None = None
    target: Target = field(default_factory=Target)


class Campaign(Aggregate):
    aggregate_type = "campaign"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.tenant = ""
        self.content: CampaignContent | None = None
        self.created_by = ""
        self.published_at: datetime | None = None
        self.targeted: int | None = None

    @classmethod
    def draft(cls, *, tenant: str, by_nip: str, content: CampaignContent, at: datetime) -> Campaign:
        if content.kind not in KINDS:
            raise DomainError("campaign_kind", "Jenis kampanye tidak dikenal.", "Unknown campaign kind.", "kind")
        if content.kind in INVITATIONS and (content.event_at is None or not (content.place or "").strip()):
            raise DomainError(
                "invitation_needs_when_and_where",
                "Undangan lokakarya atau seminar harus menyebut waktu (event_at) dan tempat (place).",
                "A workshop or seminar invitation needs a time (event_at) and a place (place).",
                "event_at" if content.event_at is None else "place",
            )
        bad_roles = sorted(set(content.target.roles) - set(TARGET_ROLES))
        if bad_roles:
            raise DomainError(
                "campaign_role",
                f"Peran sasaran tidak dikenal: {', '.join(bad_roles)}.",
                f"Unknown target roles: {', '.join(bad_roles)}.",
                "target",
            )
        campaign = cls(str(uuid.uuid4()))
        campaign._record(
            "campaign.drafted",
            tenant=tenant,
            created_by=by_nip,
            kind=content.kind,
            title=content.title,
            body=content.body,
            event_at=content.event_at.isoformat() if content.event_at else None,
            place=content.place,
            target=content.target.as_dict(),
            at=at.isoformat(),
        )
        return campaign

    def publish(self, *, targeted: int, at: datetime) -> None:
        if self.published_at is not None:
            raise DomainError(
                "campaign_published",
                "Kampanye ini sudah dipublikasikan.",
                "This campaign has already been published.",
            )
        if targeted == 0:
            raise DomainError(
                "campaign_reaches_nobody",
                "Tidak ada pegawai aktif yang sesuai sasaran kampanye ini.",
                "No active employee matches this campaign's target.",
                "target",
            )
        self._record("campaign.published", targeted=targeted, at=at.isoformat())

    def _on_campaign_drafted(self, data: dict[str, Any]) -> None:
        self.tenant = data["tenant"]
        self.created_by = data["created_by"]
        self.content = CampaignContent(
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            event_at=datetime.fromisoformat(data["event_at"]) if data["event_at"] else None,
            place=data["place"],
            target=Target(tuple(data["target"]["unit_ids"]), tuple(data["target"]["roles"])),
        )

    def _on_campaign_published(self, data: dict[str, Any]) -> None:
        self.targeted = data["targeted"]
        self.published_at = datetime.fromisoformat(data["at"])
