"""Sosialisasi campaigns: the admin drafts, publishes to the targeted people, and reads the reach."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notifications.adapters import campaign_view, directory
from services.notifications.domain import labels
from services.notifications.domain.campaign import INVITATIONS, Campaign, CampaignContent, Target, matches
from services.notifications.domain.facts import Category, NoticeDraft
from services.notifications.domain.labels import LANGUAGES
from services.notifications.domain.templates import TemplateSet
from services.notifications.service_layer.handlers import write_notice
from shared.auth import Principal
from shared.errors import NotFound
from shared.storage.unit_of_work import UnitOfWork

KIND_LABELS = {
    "id": {"announcement": "Pengumuman", "explainer": "Penjelasan", "workshop": "Undangan lokakarya",
           "seminar": "Undangan seminar"},
    "en": {"announcement": "Announcement", "explainer": "Explainer", "workshop": "Workshop invitation",
           "seminar": "Seminar invitation"},
}  # fmt: skip


def _own(row: dict[str, Any] | None, principal: Principal, campaign_id: str) -> dict[str, Any]:
    if row is None or row["tenant"] != principal.tenant:
        raise NotFound("Kampanye", "Campaign", campaign_id)
    return row


def create(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    content = CampaignContent(
        kind=data["kind"],
        title={"id": data["title_id"], "en": data.get("title_en") or data["title_id"]},
        body={"id": data["body_id"], "en": data.get("body_en") or data["body_id"]},
        event_at=data.get("event_at"),
        place=data.get("place"),
        target=Target(tuple(data["target"].get("unit_ids", [])), tuple(data["target"].get("roles", []))),
    )
    with uow:
        campaign = Campaign.draft(tenant=principal.tenant, by_nip=principal.nip, content=content, at=now)
        uow.events.save(campaign, tenant=principal.tenant, actor=principal.nip)
        campaign_view.add(uow.session, campaign, now)
        uow.commit()
    return get(uow, principal, campaign.id)


def get(uow: UnitOfWork, principal: Principal, campaign_id: str) -> dict[str, Any]:
    with uow:
        return _own(campaign_view.find(uow.session, campaign_id), principal, campaign_id)


def listing(uow: UnitOfWork, principal: Principal, limit: int, offset: int) -> list[dict[str, Any]]:
    with uow:
        return campaign_view.of_tenant(uow.session, principal.tenant, limit, offset)


def _draft(campaign: Campaign, nip: str) -> NoticeDraft:
    content = campaign.content
    assert content is not None
    facts = {}
    for lang in LANGUAGES:
        details = ""
        if content.kind in INVITATIONS and content.event_at is not None:
            when, where = ("Waktu", "Tempat") if lang == "id" else ("When", "Where")
            details = f"\n\n{when}: {labels.moment(content.event_at, lang)}\n{where}: {content.place}"
        facts[lang] = {
            "kind": KIND_LABELS[lang][content.kind],
            "title": content.title[lang],
            "body": content.body[lang],
            "details": details,
        }
    return NoticeDraft(nip, "campaign.published", facts)


def publish(uow: UnitOfWork, principal: Principal, campaign_id: str, templates: TemplateSet) -> dict[str, Any]:
    """Notices to every active person the target matches, in one transaction with the event."""
    now = datetime.now(UTC)
    with uow:
        _own(campaign_view.find(uow.session, campaign_id), principal, campaign_id)
        campaign = uow.events.get(Campaign, campaign_id)
        if campaign is None or campaign.content is None:
            raise NotFound("Kampanye", "Campaign", campaign_id)
        targeted = [m for m in directory.members(uow.session, principal.tenant) if matches(campaign.content.target, m)]
        campaign.publish(targeted=len(targeted), at=now)
        uow.events.save(campaign, tenant=principal.tenant, actor=principal.nip)
        campaign_view.set_published(uow.session, campaign)
        persons, prefs = directory.people_and_preferences(uow.session, principal.tenant)
        rendered = templates.render(_draft(campaign, principal.nip))  # the same words for everyone
        for member in targeted:
            write_notice(
                uow,
                tenant=principal.tenant,
                draft=_draft(campaign, member.nip),
                rendered=rendered,
                source_event_type="campaign.published",
                source_event_id=campaign.id,
                category=Category.SOSIALISASI,
                at=now,
                campaign_id=campaign.id,
                known=(persons.get(member.nip), prefs.get(member.nip)),
                announce=False,  # campaign.published (with the count) stands for the in-app deliveries
            )
        content = campaign.content
        uow.publish(
            "campaign.published",
            {
                "campaign_id": campaign.id,
                "kind": content.kind,
                "title_id": content.title["id"],
                "title_en": content.title["en"],
                "target": content.target.as_dict(),
                "targeted": len(targeted),
                "event_at": content.event_at.isoformat() if content.event_at else None,
                "place": content.place,
                "published_by": principal.nip,
            },
            tenant=principal.tenant,
            aggregate_id=campaign.id,
            aggregate_version=campaign.version,
        )
        uow.commit()
    return get(uow, principal, campaign_id)


def reach(uow: UnitOfWork, principal: Principal, campaign_id: str) -> dict[str, Any]:
    with uow:
        row = _own(campaign_view.find(uow.session, campaign_id), principal, campaign_id)
        per_unit = campaign_view.reach_by_unit(uow.session, campaign_id)
        names = directory.unit_names(uow.session, principal.tenant)
    for unit in per_unit:
        unit["unit_name"] = names.get(unit["unit_id"] or "", unit["unit_id"])
        unit["read_rate"] = round(unit["read"] / unit["targeted"], 4) if unit["targeted"] else 0.0
    totals = {k: sum(u[k] for u in per_unit) for k in ("targeted", "read", "email_delivered", "email_failed")}
    totals["read_rate"] = round(totals["read"] / totals["targeted"], 4) if totals["targeted"] else 0.0
    return {
        "campaign_id": campaign_id,
        "status": row["status"],
        **totals,
        "in_app_delivered": totals["targeted"],
        "per_unit": per_unit,
    }
