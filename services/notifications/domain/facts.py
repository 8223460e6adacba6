"""Who is told what about each consumed event: recipients and the facts their notice is written from.

Each builder turns a validated event payload into one draft per recipient: the template to use
and, per language, the words that fill it (names, periods and labels — never raw codes where a
person expects words). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.notifications.domain import labels
from services.notifications.domain.labels import LANGUAGES

Facts = dict[str, str]


@dataclass(frozen=True)
class NoticeDraft:
    recipient_nip: str
    template: str  # template name: the event type, or "<event type>.<audience>" for a second audience
    facts: Mapping[str, Facts]  # language -> placeholder values


def _per_language(build: Callable[[str], Facts]) -> dict[str, Facts]:
    return {lang: build(lang) for lang in LANGUAGES}


_YOUR_ATASAN = {"id": "atasan Anda", "en": "your atasan"}


def _atasan(name: str | None, lang: str) -> str:
    """The atasan by name when the event carries it (events before names were added do not)."""
    return name or _YOUR_ATASAN[lang]


def plan_submitted(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "atasan_name": p["atasan_name"],
            "employee_name": p["employee_name"],
            "unit": p["unit"],
            "period": labels.period(p["period_year"], lang),
        }
    )
    return [NoticeDraft(p["atasan_nip"], "plan.submitted", facts)]


def plan_approved(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "atasan_name": p["atasan_name"],
            "period": labels.period(p["period_year"], lang),
        }
    )
    return [NoticeDraft(p["nip"], "plan.approved", facts)]


def plan_returned(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "returned_by": _atasan(p.get("returned_by_name"), lang),
            "period": labels.period(p["period_year"], lang),
            "reason": p["reason"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "plan.returned", facts)]


def evaluation_completed(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "unit": p["unit"],
            "period": labels.period(p["period_year"], lang, p["period"]),
            "predikat": labels.predikat(p["predikat"], lang),
            "rating_hasil_kerja": labels.rating(p["rating_hasil_kerja"], lang),
            "rating_perilaku_kerja": labels.rating(p["rating_perilaku_kerja"], lang),
        }
    )
    return [NoticeDraft(p["nip"], "evaluation.completed", facts)]


_PROMOTION = {
    True: {
        "id": "Anda memenuhi syarat kinerja untuk kenaikan pangkat reguler.",
        "en": "You meet the performance requirement for a regular promotion.",
    },
    False: {
        "id": "Anda belum memenuhi syarat kinerja untuk kenaikan pangkat reguler "
        "(minimal Baik dalam dua tahun terakhir).",
        "en": "You do not yet meet the performance requirement for a regular promotion "
        "(at least Good in each of the last two years).",
    },
}


def reward_granted(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "period": labels.period(p["period_year"], lang),
            "predikat": labels.predikat(p["predikat"], lang),
            "incentive": labels.percent(p["incentive_percentage"], lang),
            "awards": labels.listing([labels.award(a, lang) for a in p["awards"]], lang),
            "promotion": _PROMOTION[bool(p["promotion_eligible"])][lang],
        }
    )
    return [NoticeDraft(p["nip"], "reward.granted", facts)]


def coaching_assigned(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "period": labels.period(p["period_year"], lang),
            "predikat": labels.predikat(p["predikat"], lang),
            "incentive": labels.percent(p["incentive_percentage"], lang),
            "duration_months": str(p["duration_months"]),
            "coach": _atasan(p.get("coach_name"), lang),
            "goals": labels.bullets(p["goals"], lang),
        }
    )
    drafts = [NoticeDraft(p["nip"], "coaching.assigned", facts)]
    # One notice per person per event: a coach who is the employee themself gets only the first.
    if p["coach_nip"] != p["nip"]:
        drafts.append(NoticeDraft(p["coach_nip"], "coaching.assigned.coach", facts))
    return drafts


BUILDERS: dict[str, Callable[[Mapping[str, Any]], list[NoticeDraft]]] = {
    "plan.submitted": plan_submitted,
    "plan.approved": plan_approved,
    "plan.returned": plan_returned,
    "evaluation.completed": evaluation_completed,
    "reward.granted": reward_granted,
    "coaching.assigned": coaching_assigned,
}

CONSUMED_EVENT_TYPES = tuple(BUILDERS)
# Every template the builders may ask for; all must exist in every language at start-up.
TEMPLATE_NAMES = (*CONSUMED_EVENT_TYPES, "coaching.assigned.coach")


def drafts_for(event_type: str, payload: Mapping[str, Any]) -> list[NoticeDraft]:
    return BUILDERS[event_type](payload)
