"""Rewards policies as configuration: JSON files, validated with marshmallow when the process starts.

`<dir>/default.json` is the policy of every instansi; an optional `<dir>/<tenant>.json` overrides it
for that instansi. An override names its own `version` and `effective_from` and may give only the
values that differ: `incentive_percentage`, `awards` and `coaching` are merged key by key over the
default, other keys replace it. A broken file is refused with a `PolicyError` naming the file and
the fields, so a worker or web process does not start with it (rather than fail mid-stream).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from services.rewards.domain.policy import DEFAULT_CREDIT_PERCENTAGE, BudgetBehaviour, Policy
from services.rewards.domain.rules import Catalogue, Course
from shared.contracts.vocabulary import Aspect, BerakhlakValue, PositionKind, Predikat

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "policies"
POLICY_DIR_ENV = "REWARDS_POLICY_DIR"
DEFAULT_FILE = "default.json"
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MERGED_SECTIONS = ("incentive_percentage", "awards", "coaching", "incentive", "credit_points", "promotion", "training")
CATALOGUE_ENV = "REWARDS_TRAINING_CATALOGUE"
DEFAULT_CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue" / "training.json"


class PolicyError(ValueError):
    """A policy file is missing, not JSON, or does not match the policy schema."""


def _percentage() -> fields.Float:
    return fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=200))


def _awards() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=60)), load_default=list)


class IncentiveSchema(ma.Schema):
    """Percentage of the tunjangan kinerja (TPP) paid next year, per annual predikat."""

    sangat_baik = _percentage()
    baik = _percentage()
    butuh_perbaikan = _percentage()
    kurang = _percentage()
    sangat_kurang = _percentage()


class AwardsSchema(ma.Schema):
    """Awards (penghargaan) per rewarded predikat; under-performers get pembinaan, not awards."""

    sangat_baik = _awards()
    baik = _awards()


class CoachingSchema(ma.Schema):
    # PP 30/2019: an improvement plan of up to six months.
    duration_months = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=6))
    goal_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10))


def _amount() -> fields.Float:
    return fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1e12))


BASE_AMOUNT_KEYS = ["default", *(k.value for k in PositionKind)]


class IncentiveRulesSchema(ma.Schema):
    """Amounts behind the percentages, and what happens when a unit's budget runs out."""

    base_amount = fields.Dict(
        keys=fields.String(validate=validate.OneOf(BASE_AMOUNT_KEYS)), values=_amount(), load_default=dict
    )  # yearly TPP base per position kind, in rupiah
    budget_exhausted = fields.String(
        load_default=BudgetBehaviour.PRO_RATA.value, validate=validate.OneOf([b.value for b in BudgetBehaviour])
    )


class CreditPercentageSchema(ma.Schema):
    sangat_baik = _percentage()
    baik = _percentage()
    butuh_perbaikan = _percentage()
    kurang = _percentage()
    sangat_kurang = _percentage()


def _default_credit_percentage() -> dict[str, float]:
    return {k.value: v for k, v in DEFAULT_CREDIT_PERCENTAGE.items()}


class CreditPointsSchema(ma.Schema):
    """PermenPANRB 1/2023: angka kredit = annual coefficient of the jenjang × percentage of the predikat."""

    percentage = fields.Nested(CreditPercentageSchema, load_default=_default_credit_percentage)
    annual_coefficient = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z_]{1,40}$")),
        values=fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1000)),
        load_default=dict,
    )


class PromotionSchema(ma.Schema):
    minimum_predikat = fields.String(
        load_default=Predikat.BAIK.value, validate=validate.OneOf([p.value for p in Predikat])
    )
    years = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=1, max=5))


class TrainingSchema(ma.Schema):
    courses_per_weakness = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=0, max=5))
    high_performer_courses = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=0, max=10))


class PolicySchema(ma.Schema):
    """Unknown keys are refused (marshmallow's default): a typo must not silently fall back to nothing."""

    version = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,60}$"))
    effective_from = fields.Date(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    incentive_percentage = fields.Nested(IncentiveSchema, required=True)
    incentive = fields.Nested(IncentiveRulesSchema, load_default=lambda: IncentiveRulesSchema().load({}))
    credit_points = fields.Nested(CreditPointsSchema, load_default=lambda: CreditPointsSchema().load({}))
    awards = fields.Nested(AwardsSchema, load_default=dict)
    promotion = fields.Nested(PromotionSchema, load_default=lambda: PromotionSchema().load({}))
    coaching = fields.Nested(CoachingSchema, required=True)
    training = fields.Nested(TrainingSchema, load_default=lambda: TrainingSchema().load({}))


def _messages(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, Mapping):
        out: list[str] = []
        for key, value in errors.items():
            out += _messages(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(errors, list | tuple):
        return [f"{prefix}: {m}" for m in errors if isinstance(m, str)] + [
            line for m in errors if not isinstance(m, str) for line in _messages(m, prefix)
        ]
    return [f"{prefix}: {errors}"]


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"rewards policy {path} cannot be read: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"rewards policy {path} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"rewards policy {path} must be a JSON object")
    return raw


def _merge(default: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = {**default, **override}
    for section in MERGED_SECTIONS:
        base, extra = default.get(section), override.get(section)
        if isinstance(base, dict) and isinstance(extra, dict):
            merged[section] = {**base, **extra}
    return merged


def validate_policy(raw: Any) -> dict[str, Any]:
    """Load a policy document; raises marshmallow's ValidationError (the API maps it to 422)."""
    return PolicySchema().load(raw)


def policy_from_data(data: dict[str, Any], tenant: str | None, source: str = "packaged") -> Policy:
    """A validated policy document (from `validate_policy`) as the domain's Policy."""
    return Policy(
        version=data["version"],
        effective_from=data["effective_from"],
        description=data["description"],
        incentive_percentage={Predikat(k): float(v) for k, v in data["incentive_percentage"].items()},
        awards={Predikat(k): tuple(v) for k, v in data["awards"].items()},
        coaching_duration_months=data["coaching"]["duration_months"],
        coaching_goal_count=data["coaching"]["goal_count"],
        tenant=tenant,
        incentive_base_amount={k: float(v) for k, v in data["incentive"]["base_amount"].items()},
        budget_behaviour=BudgetBehaviour(data["incentive"]["budget_exhausted"]),
        credit_percentage={Predikat(k): float(v) for k, v in data["credit_points"]["percentage"].items()},
        annual_coefficient={k: float(v) for k, v in data["credit_points"]["annual_coefficient"].items()},
        promotion_minimum=Predikat(data["promotion"]["minimum_predikat"]),
        promotion_years=data["promotion"]["years"],
        courses_per_weakness=data["training"]["courses_per_weakness"],
        high_performer_courses=data["training"]["high_performer_courses"],
        source=source,
    )


def policy_document(policy: Policy) -> dict[str, Any]:
    """The JSON form of a policy (what the API shows and what a published version stores)."""
    return {
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "description": policy.description,
        "incentive_percentage": {k.value: v for k, v in policy.incentive_percentage.items()},
        "incentive": {
            "base_amount": dict(policy.incentive_base_amount),
            "budget_exhausted": policy.budget_behaviour.value,
        },
        "credit_points": {
            "percentage": {k.value: v for k, v in policy.credit_percentage.items()},
            "annual_coefficient": dict(policy.annual_coefficient),
        },
        "awards": {k.value: list(v) for k, v in policy.awards.items()},
        "promotion": {"minimum_predikat": policy.promotion_minimum.value, "years": policy.promotion_years},
        "coaching": {"duration_months": policy.coaching_duration_months, "goal_count": policy.coaching_goal_count},
        "training": {
            "courses_per_weakness": policy.courses_per_weakness,
            "high_performer_courses": policy.high_performer_courses,
        },
    }


def _build(path: Path, raw: dict[str, Any], tenant: str | None) -> Policy:
    try:
        data = validate_policy(raw)
    except ma.ValidationError as exc:
        details = "; ".join(_messages(exc.normalized_messages()))
        raise PolicyError(f"rewards policy {path} is invalid: {details}") from exc
    return policy_from_data(data, tenant)


@dataclass(frozen=True)
class PolicyBook:
    """The default policy and the overrides per instansi (tenant code)."""

    default: Policy
    overrides: dict[str, Policy] = field(default_factory=dict)

    def for_tenant(self, tenant: str) -> Policy:
        """The packaged policy of the instansi (its override, else the default)."""
        return self.overrides.get(tenant, self.default)

    def packaged_versions(self, tenant: str) -> list[Policy]:
        """The packaged versions that apply to the instansi, oldest publication first."""
        override = self.overrides.get(tenant)
        return [self.default, override] if override else [self.default]


def policy_dir() -> Path:
    configured = os.environ.get(POLICY_DIR_ENV)
    return Path(configured) if configured else DEFAULT_DIR


def load_policies(directory: Path | None = None) -> PolicyBook:
    """Read and validate every policy file in `directory` (default: $REWARDS_POLICY_DIR or the packaged one)."""
    directory = directory or policy_dir()
    default_path = directory / DEFAULT_FILE
    if not default_path.is_file():
        raise PolicyError(f"rewards policy {default_path} is missing: every deployment needs a default policy")
    default_raw = _read(default_path)
    default = _build(default_path, default_raw, None)
    overrides: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == DEFAULT_FILE:
            continue
        tenant = path.stem
        if not TENANT_PATTERN.match(tenant):
            raise PolicyError(f"rewards policy {path}: the file name must be <tenant code>.json")
        raw = _read(path)
        missing = [key for key in ("version", "effective_from") if key not in raw]
        if missing:
            raise PolicyError(
                f"rewards policy {path} is invalid: an override must name its own {' and '.join(missing)}"
            )
        if raw["version"] == default.version:
            raise PolicyError(f"rewards policy {path} is invalid: version must differ from the default's")
        overrides[tenant] = _build(path, _merge(default_raw, raw), tenant)
    return PolicyBook(default, overrides)


# --- training catalogue -------------------------------------------------------------------

COMPETENCIES = [*(v.value for v in BerakhlakValue), *(a.value for a in Aspect)]


class CourseSchema(ma.Schema):
    course_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,60}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    hours = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=1000))


class CatalogueSchema(ma.Schema):
    """Courses per competency: the BerAKHLAK values and the IKI aspects; `general` for everyone."""

    version = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,60}$"))
    competencies = fields.Dict(
        keys=fields.String(validate=validate.OneOf(COMPETENCIES)),
        values=fields.List(fields.Nested(CourseSchema)),
        required=True,
    )
    general = fields.List(fields.Nested(CourseSchema), load_default=list)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the training catalogue (default: $REWARDS_TRAINING_CATALOGUE or the packaged one)."""
    path = path or Path(os.environ.get(CATALOGUE_ENV) or DEFAULT_CATALOGUE)
    raw = _read(path)
    try:
        data = CatalogueSchema().load(raw)
    except ma.ValidationError as exc:
        details = "; ".join(_messages(exc.normalized_messages()))
        raise PolicyError(f"training catalogue {path} is invalid: {details}") from exc

    def course(item: dict[str, Any], competency: str) -> Course:
        return Course(item["course_id"], item["title"], competency, item["hours"])

    return Catalogue(
        version=data["version"],
        courses={k: tuple(course(c, k) for c in v) for k, v in data["competencies"].items()},
        general=tuple(course(c, "umum") for c in data["general"]),
    )
