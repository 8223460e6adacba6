"""Policies as configuration: the packaged default, tenant overrides, and broken files refused at start-up."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from services.rewards.adapters.policies import (
    CATALOGUE_ENV,
    COMPETENCIES,
    DEFAULT_DIR,
    POLICY_DIR_ENV,
    PolicyError,
    load_catalogue,
    load_policies,
)
from services.rewards.bootstrap import create_app, event_handlers
from shared.contracts.vocabulary import Predikat


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "policies"
    directory.mkdir()
    shutil.copy(DEFAULT_DIR / "default.json", directory / "default.json")
    return directory


def write(directory: Path, name: str, data: object) -> None:
    (directory / name).write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")


def test_packaged_default_policy_has_the_documented_values() -> None:
    policy = load_policies(DEFAULT_DIR).default
    assert policy.version == "default-2026.1"
    assert policy.effective_from == date(2026, 1, 1)
    assert [policy.incentive_for(p) for p in Predikat] == [100, 100, 90, 85, 80]
    assert policy.awards_for(Predikat.SANGAT_BAIK) == [
        "sertifikat_penghargaan",
        "prioritas_pelatihan",
        "rekomendasi_kenaikan_pangkat",
    ]
    assert [policy.credit_percentage[p] for p in Predikat] == [150, 100, 75, 50, 25]
    assert policy.annual_coefficient["ahli_madya"] == 37.5
    assert policy.budget_behaviour == "pro_rata"
    assert (policy.promotion_minimum, policy.promotion_years) == (Predikat.BAIK, 2)
    assert policy.awards_for(Predikat.BAIK) == []
    assert policy.awards_for(Predikat.KURANG) == []
    assert (policy.coaching_duration_months, policy.coaching_goal_count) == (6, 3)


def test_tenant_override_merges_over_the_default_for_that_tenant_only(policy_dir: Path) -> None:
    write(
        policy_dir,
        "1671.json",
        {"version": "palembang-2026.1", "effective_from": "2026-02-01", "incentive_percentage": {"kurang": 75}},
    )
    book = load_policies(policy_dir)
    palembang = book.for_tenant("1671")
    assert palembang.version == "palembang-2026.1"
    assert palembang.tenant == "1671"
    assert palembang.incentive_for(Predikat.KURANG) == 75
    assert palembang.incentive_for(Predikat.BUTUH_PERBAIKAN) == 90  # inherited
    assert palembang.coaching_duration_months == 6
    other = book.for_tenant("3674")
    assert other.version == "default-2026.1"
    assert other.incentive_for(Predikat.KURANG) == 85


def test_environment_variable_selects_the_policy_directory(policy_dir: Path, monkeypatch) -> None:
    write(policy_dir, "default.json", {**json.loads((DEFAULT_DIR / "default.json").read_text()), "version": "env-1"})
    monkeypatch.setenv(POLICY_DIR_ENV, str(policy_dir))
    assert load_policies().default.version == "env-1"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["incentive_percentage"].pop("kurang"), "incentive_percentage.kurang: Missing data"),
        (lambda d: d["incentive_percentage"].update(baik=250), "incentive_percentage.baik"),
        (lambda d: d["coaching"].update(duration_months=12), "coaching.duration_months"),
        (lambda d: d.update(effective_from="kemarin"), "effective_from: Not a valid date"),
        (lambda d: d.update(insentif=1), "insentif: Unknown field"),
        (lambda d: d["awards"].update(kurang=["teguran"]), "awards.kurang: Unknown field"),
        (lambda d: d.pop("version"), "version: Missing data"),
        (lambda d: d["incentive"].update(budget_exhausted="lottery"), "incentive.budget_exhausted"),
        (lambda d: d["incentive"]["base_amount"].update(direktur=1), "incentive.base_amount"),
        (lambda d: d["credit_points"]["percentage"].update(baik=-1), "credit_points.percentage.baik"),
        (lambda d: d["credit_points"]["annual_coefficient"].update({"Ahli Muda": 25}), "annual_coefficient"),
        (lambda d: d["promotion"].update(years=0), "promotion.years"),
        (lambda d: d["promotion"].update(minimum_predikat="istimewa"), "promotion.minimum_predikat"),
        (lambda d: d["training"].update(courses_per_weakness=9), "training.courses_per_weakness"),
    ],
)
def test_an_invalid_default_is_refused_naming_file_and_field(policy_dir: Path, mutate, expected: str) -> None:
    data = json.loads((policy_dir / "default.json").read_text())
    mutate(data)
    write(policy_dir, "default.json", data)
    with pytest.raises(PolicyError, match=r"default\.json is invalid") as excinfo:
        load_policies(policy_dir)
    assert expected in str(excinfo.value)


def test_a_file_that_is_not_json_is_refused(policy_dir: Path) -> None:
    write(policy_dir, "1671.json", '{"version": "x",')
    with pytest.raises(PolicyError, match=r"1671\.json is not valid JSON"):
        load_policies(policy_dir)


def test_a_missing_default_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"default\.json is missing"):
        load_policies(tmp_path)


def test_an_override_must_carry_its_own_version(policy_dir: Path) -> None:
    write(policy_dir, "1671.json", {"incentive_percentage": {"kurang": 75}})
    with pytest.raises(PolicyError, match="own version and effective_from"):
        load_policies(policy_dir)
    write(policy_dir, "1671.json", {"version": "default-2026.1", "effective_from": "2026-01-01"})
    with pytest.raises(PolicyError, match="must differ"):
        load_policies(policy_dir)


def test_an_invalid_override_value_is_refused(policy_dir: Path) -> None:
    write(policy_dir, "1671.json", {"version": "p-1", "effective_from": "2026-01-01", "coaching": {"goal_count": 0}})
    with pytest.raises(PolicyError, match=r"1671\.json is invalid: coaching\.goal_count"):
        load_policies(policy_dir)


def test_web_and_worker_refuse_to_start_with_a_broken_policy(policy_dir: Path, monkeypatch, runtime) -> None:
    write(policy_dir, "default.json", "[]")
    monkeypatch.setenv(POLICY_DIR_ENV, str(policy_dir))
    with pytest.raises(PolicyError, match="must be a JSON object"):
        create_app(runtime)
    with pytest.raises(PolicyError):
        event_handlers(runtime)


def test_an_old_style_policy_without_the_new_sections_gets_the_defaults(policy_dir: Path) -> None:
    data = json.loads((policy_dir / "default.json").read_text())
    for section in ("incentive", "credit_points", "promotion", "training"):
        data.pop(section)
    write(policy_dir, "default.json", data)
    policy = load_policies(policy_dir).default
    assert policy.incentive_base_amount == {}
    assert policy.credit_percentage[Predikat.SANGAT_BAIK] == 150
    assert policy.annual_coefficient == {}
    assert policy.promotion_years == 2


def test_the_packaged_catalogue_covers_every_behaviour_and_aspect() -> None:
    catalogue = load_catalogue()
    assert catalogue.version == "katalog-2026.1"
    assert set(catalogue.courses) == set(COMPETENCIES)
    assert all(catalogue.courses[c] for c in COMPETENCIES)
    assert catalogue.general


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"version": "k", "competencies": {"jujur": []}}, "competencies"),
        ({"version": "k", "competencies": {"loyal": [{"title": "x"}]}}, "course_id"),
        ({"competencies": {}}, "version"),
    ],
)
def test_a_broken_catalogue_is_refused(tmp_path: Path, monkeypatch, runtime, data: dict, expected: str) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PolicyError, match=expected):
        load_catalogue(path)
    monkeypatch.setenv(CATALOGUE_ENV, str(path))
    with pytest.raises(PolicyError):
        event_handlers(runtime)
