"""Policies as configuration: the packaged default, tenant overrides, and broken files refused at start-up."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from services.rewards.adapters.policies import DEFAULT_DIR, POLICY_DIR_ENV, PolicyError, load_policies
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
    assert policy.awards_for(Predikat.SANGAT_BAIK) == ["sertifikat_penghargaan", "prioritas_pelatihan"]
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
