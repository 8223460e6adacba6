"""Who is told what about each consumed event: recipients and the facts their notice is written from.

Each builder turns a validated event payload into one draft per recipient: the template to use
and, per language, the words that fill it (names, periods and labels — never raw codes where a
person expects words). Pure functions, no I/O.

Supporting a new event type = a template pair (`templates/{id,en}/<type>.txt`) + one `Rule` in
RULES below (event type, category for preferences, and the builder naming recipients and facts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.notifications.domain import labels
from services.notifications.domain.labels import LANGUAGES

Facts = dict[str, str]


@dataclass(frozen=True)
class NoticeDraft:
    recipient_nip: str
    template: str  # template name: the event type, or "<event type>.<audience>" for a second audience
    facts: Mapping[str, Facts]  # language -> placeholder values


class Category:
    """What a notice is about; a person chooses channels per category."""

    PLAN = "plan"
    REALISASI = "realisasi"
    EVALUATION = "evaluation"
    REWARD = "reward"
    COACHING = "coaching"
    REMINDER = "reminder"
    SOSIALISASI = "sosialisasi"


CATEGORIES = (
    Category.PLAN,
    Category.REALISASI,
    Category.EVALUATION,
    Category.REWARD,
    Category.COACHING,
    Category.REMINDER,
    Category.SOSIALISASI,
)


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


def plan_amended(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "atasan_name": p["atasan_name"],
            "period": labels.period(p["period_year"], lang),
            "amendment_no": str(p["amendment_no"]),
            "reason": p["reason"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "plan.amended", facts)]


def realisasi_feedback_given(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p.get("employee_name") or {"id": "Bapak/Ibu", "en": "colleague"}[lang],
            "given_by": _atasan(p.get("given_by_name"), lang),
            "period": labels.period(p["period_year"], lang, f"Q{p['quarter']}"),
            "indicator": p.get("indicator") or {"id": "indikator kinerja Anda", "en": "your indicator"}[lang],
            "feedback": p["feedback"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "realisasi.feedback_given", facts)]


def evaluation_revised(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": p["employee_name"],
            "period": labels.period(p["period_year"], lang, p["period"]),
            "predikat": labels.predikat(p["predikat"], lang),
            "previous_predikat": labels.predikat(p["previous_predikat"], lang),
            "reason": p["revision_reason"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "evaluation.revised", facts)]


_DECISION = {
    "accepted": {"id": "dikabulkan", "en": "accepted"},
    "rejected": {"id": "ditolak", "en": "rejected"},
}
_PROGRESS = {
    "on_track": {"id": "sesuai rencana", "en": "on track"},
    "behind": {"id": "tertinggal dari rencana", "en": "behind plan"},
    "at_risk": {"id": "berisiko tidak tercapai", "en": "at risk"},
    "achieved": {"id": "sasaran tercapai", "en": "goals achieved"},
}
_OUTCOME = {
    "improved": {"id": "kinerja membaik", "en": "performance improved"},
    "not_improved": {"id": "kinerja belum membaik", "en": "performance did not improve"},
}
_NEXT_STEP = {
    "none": {"id": "Pembinaan selesai.", "en": "Coaching is complete."},
    "competency_test": {
        "id": "Langkah berikutnya: uji kompetensi (PP 30/2019 pasal 58).",
        "en": "Next step: a competency test (PP 30/2019 art. 58).",
    },
}


def _word(table: Mapping[str, Mapping[str, str]], code: str, lang: str) -> str:
    """A code's words, or the code itself for a value this version does not know yet."""
    return table.get(code, {}).get(lang, code)


def _name(p: Mapping[str, Any], field: str, lang: str) -> str:
    return p.get(field) or {"id": "Bapak/Ibu", "en": "colleague"}[lang]


def appeal_filed(p: Mapping[str, Any]) -> list[NoticeDraft]:
    """To the atasan pejabat penilai, who decides the keberatan."""
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang, p["period"]),
            "predikat": labels.predikat(p["predikat"], lang),
            "requested_predikat": labels.predikat(p["requested_predikat"], lang)
            if p.get("requested_predikat")
            else {"id": "-", "en": "-"}[lang],
            "reason": p["reason"].strip(),
            "deadline": labels.moment(_when(p["deadline"]), lang),
        }
    )
    return [NoticeDraft(p["decider_nip"], "appeal.filed", facts)]


def appeal_decided(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang, p["period"]),
            "decision": _word(_DECISION, p["decision"], lang),
            "previous_predikat": labels.predikat(p["previous_predikat"], lang),
            "predikat": labels.predikat(p["predikat"], lang),
            "reason": p["reason"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "appeal.decided", facts)]


def evaluation_calibrated(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang, p["period"]),
            "previous_predikat": labels.predikat(p["previous_predikat"], lang),
            "predikat": labels.predikat(p["predikat"], lang),
            "reason": p["reason"].strip(),
        }
    )
    return [NoticeDraft(p["nip"], "evaluation.calibrated", facts)]


def reward_revoked(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang),
            "reason": (p.get("reason_text") or p["reason"]).strip(),
        }
    )
    return [NoticeDraft(p["nip"], "reward.revoked", facts)]


def coaching_check_in_recorded(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "coach": _atasan(p.get("coach_name"), lang),
            "check_in_number": str(p["check_in_number"]),
            "held_on": labels.day(_day(p["held_on"]), lang),
            "progress": _word(_PROGRESS, p["progress"], lang),
            "notes": (p.get("notes") or "-").strip(),
        }
    )
    return [NoticeDraft(p["nip"], "coaching.check_in_recorded", facts)]


def coaching_closed(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang),
            "outcome": _word(_OUTCOME, p["outcome"], lang),
            "next_step": _word(_NEXT_STEP, p["next_step"], lang),
            "summary": (p.get("summary") or "-").strip(),
        }
    )
    return [NoticeDraft(p["nip"], "coaching.closed", facts)]


def training_recommended(p: Mapping[str, Any]) -> list[NoticeDraft]:
    facts = _per_language(
        lambda lang: {
            "employee_name": _name(p, "employee_name", lang),
            "period": labels.period(p["period_year"], lang),
            "courses": labels.bullets(
                [f"{c['title']} ({c['hours']} {'jam' if lang == 'id' else 'hours'})" for c in p["courses"]], lang
            ),
        }
    )
    return [NoticeDraft(p["nip"], "training.recommended", facts)] if p["courses"] else []


def _when(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _day(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass(frozen=True)
class Rule:
    """How one consumed event type becomes notices."""

    category: str
    build: Callable[[Mapping[str, Any]], list[NoticeDraft]]
    extra_templates: tuple[str, ...] = ()  # second audiences' templates, "<type>.<audience>"


RULES: dict[str, Rule] = {
    "plan.submitted": Rule(Category.PLAN, plan_submitted),
    "plan.approved": Rule(Category.PLAN, plan_approved),
    "plan.returned": Rule(Category.PLAN, plan_returned),
    "plan.amended": Rule(Category.PLAN, plan_amended),
    "realisasi.feedback_given": Rule(Category.REALISASI, realisasi_feedback_given),
    "evaluation.completed": Rule(Category.EVALUATION, evaluation_completed),
    "evaluation.revised": Rule(Category.EVALUATION, evaluation_revised),
    "reward.granted": Rule(Category.REWARD, reward_granted),
    "coaching.assigned": Rule(Category.COACHING, coaching_assigned, ("coaching.assigned.coach",)),
    "appeal.filed": Rule(Category.EVALUATION, appeal_filed),
    "appeal.decided": Rule(Category.EVALUATION, appeal_decided),
    "evaluation.calibrated": Rule(Category.EVALUATION, evaluation_calibrated),
    "reward.revoked": Rule(Category.REWARD, reward_revoked),
    "coaching.check_in_recorded": Rule(Category.COACHING, coaching_check_in_recorded),
    "coaching.closed": Rule(Category.COACHING, coaching_closed),
    "training.recommended": Rule(Category.COACHING, training_recommended),
}
BUILDERS = {event_type: rule.build for event_type, rule in RULES.items()}

CONSUMED_EVENT_TYPES = tuple(RULES)
# Templates written by the service itself, not from a consumed event (reminders, campaigns).
OWN_TEMPLATES = (
    "reminder.skp_due",
    "reminder.realisasi_due",
    "reminder.pending_approval",
    "reminder.appeal_window",
    "campaign.published",
)
# Every template the service may ask for; all must exist in every language at start-up.
TEMPLATE_NAMES = (
    *CONSUMED_EVENT_TYPES,
    *(name for rule in RULES.values() for name in rule.extra_templates),
    *OWN_TEMPLATES,
)


def drafts_for(event_type: str, payload: Mapping[str, Any]) -> list[NoticeDraft]:
    return RULES[event_type].build(payload)


def category_of(event_type: str) -> str:
    rule = RULES.get(event_type)
    if rule is not None:
        return rule.category
    return Category.SOSIALISASI if event_type.startswith("campaign.") else Category.REMINDER
