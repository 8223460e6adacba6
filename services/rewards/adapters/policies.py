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

from services.rewards.domain.policy import Policy
from shared.contracts.vocabulary import Predikat

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "policies"
POLICY_DIR_ENV = "REWARDS_POLICY_DIR"
DEFAULT_FILE = "default.json"
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MERGED_SECTIONS = ("incentive_percentage", "awards", "coaching")


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


class PolicySchema(ma.Schema):
    """Unknown keys are refused (marshmallow's default): a typo must not silently fall back to nothing."""

    version = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,60}$"))
    effective_from = fields.Date(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    incentive_percentage = fields.Nested(IncentiveSchema, required=True)
    awards = fields.Nested(AwardsSchema, load_default=dict)
    coaching = fields.Nested(CoachingSchema, required=True)


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


def _build(path: Path, raw: dict[str, Any], tenant: str | None) -> Policy:
    try:
        data = PolicySchema().load(raw)
    except ma.ValidationError as exc:
        details = "; ".join(_messages(exc.normalized_messages()))
        raise PolicyError(f"rewards policy {path} is invalid: {details}") from exc
    return Policy(
        version=data["version"],
        effective_from=data["effective_from"],
        description=data["description"],
        incentive_percentage={Predikat(k): float(v) for k, v in data["incentive_percentage"].items()},
        awards={Predikat(k): tuple(v) for k, v in data["awards"].items()},
        coaching_duration_months=data["coaching"]["duration_months"],
        coaching_goal_count=data["coaching"]["goal_count"],
        tenant=tenant,
    )


@dataclass(frozen=True)
class PolicyBook:
    """The default policy and the overrides per instansi (tenant code)."""

    default: Policy
    overrides: dict[str, Policy] = field(default_factory=dict)

    def for_tenant(self, tenant: str) -> Policy:
        return self.overrides.get(tenant, self.default)


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
