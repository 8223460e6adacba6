"""scripts/audit_dependencies.py on a tiny advisory folder written by the test: range evaluation,
both record layouts of pypa/advisory-database, superseded drafts, and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.audit_dependencies import audit, load_database, main

FLASK_TWO_BRANCHES = """\
id: PYSEC-2023-62
aliases: [CVE-2023-30861]
affected:
- package: {name: Flask, ecosystem: PyPI}
  ranges:
  - type: GIT
    repo: https://example.invalid/flask
    events: [{introduced: "0"}, {fixed: 70f906c5}]
  - type: ECOSYSTEM
    events: [{introduced: 2.3.0}, {fixed: 2.3.2}, {introduced: "0"}, {fixed: 2.2.5}]
"""

# The early pypa layout: top-level `package` and `affects.ranges` without events.
SETUPTOOLS_EARLY_LAYOUT = """\
id: PYSEC-2022-43012
package: {name: setuptools, ecosystem: PyPI}
aliases: [CVE-2022-40897]
affects:
  ranges:
  - type: ECOSYSTEM
    fixed: 65.5.1
"""

IDNA_ALLOCATED = """\
id: PYSEC-2024-60
aliases: [CVE-2024-3651]
affected:
- package: {name: idna, ecosystem: PyPI}
  ranges: [{type: ECOSYSTEM, events: [{introduced: "0.1"}, {fixed: "3.7"}]}]
"""

# An importer draft with no fixed version, superseded by the allocated record above.
IDNA_DRAFT = """\
id: PYSEC-0000-CVE-2024-3651
aliases: [CVE-2024-3651]
affected:
- package: {name: idna, ecosystem: PyPI}
  ranges: [{type: ECOSYSTEM, events: [{introduced: "0"}]}]
"""

LAST_AFFECTED_AND_WITHDRAWN = [
    {
        "id": "GHSA-aaaa-bbbb-cccc",
        "affected": [
            {
                "package": {"name": "Some_Lib", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4"}]}],
            }
        ],
    },
    {
        "id": "GHSA-dddd-eeee-ffff",
        "withdrawn": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"name": "some-lib", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
            }
        ],
    },
]


@pytest.fixture
def advisory_db(tmp_path: Path) -> Path:
    files = {
        "vulns/flask/PYSEC-2023-62.yaml": FLASK_TWO_BRANCHES,
        "vulns/setuptools/PYSEC-2022-43012.yaml": SETUPTOOLS_EARLY_LAYOUT,
        "vulns/idna/PYSEC-2024-60.yaml": IDNA_ALLOCATED,
        "vulns/idna/PYSEC-0000-CVE-2024-3651.yaml": IDNA_DRAFT,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for record in LAST_AFFECTED_AND_WITHDRAWN:
        (tmp_path / "ghsa" / f"{record['id']}.json").parent.mkdir(exist_ok=True)
        (tmp_path / "ghsa" / f"{record['id']}.json").write_text(json.dumps(record))
    return tmp_path


def found(db: Path, installed: dict[str, str]) -> list[tuple[str, str]]:
    return [(f.package, f.advisory.id) for f in audit(installed, load_database(db))]


@pytest.mark.parametrize(
    ("version", "affected"),
    [("2.2.4", True), ("2.2.5", False), ("2.3.0", True), ("2.3.1", True), ("2.3.2", False), ("3.1.3", False)],
)
def test_unsorted_events_of_two_branches(advisory_db: Path, version: str, affected: bool) -> None:
    assert found(advisory_db, {"flask": version}) == ([("flask", "PYSEC-2023-62")] if affected else [])


def test_early_layout_and_name_normalisation(advisory_db: Path) -> None:
    assert found(advisory_db, {"SetupTools": "65.5.0"}) == [("setuptools", "PYSEC-2022-43012")]
    assert found(advisory_db, {"setuptools": "65.5.1"}) == []


def test_superseded_draft_is_ignored(advisory_db: Path) -> None:
    assert found(advisory_db, {"idna": "3.6"}) == [("idna", "PYSEC-2024-60")]
    assert found(advisory_db, {"idna": "3.20"}) == []


def test_last_affected_is_inclusive_and_withdrawn_is_skipped(advisory_db: Path) -> None:
    assert found(advisory_db, {"some.lib": "1.4"}) == [("some-lib", "GHSA-aaaa-bbbb-cccc")]
    assert found(advisory_db, {"some-lib": "1.4.1"}) == []
    assert found(advisory_db, {"some-lib": "0.9"}) == []


def test_exit_status_and_report(advisory_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pins = tmp_path / "pins.txt"
    pins.write_text("# pinned\nsetuptools==65.5.0\nflask==3.1.3\npsycopg[binary]==3.3.9\n")
    assert main(["--advisory-db", str(advisory_db), "--freeze", str(pins)]) == 1
    out = capsys.readouterr().out
    assert "setuptools 65.5.0: PYSEC-2022-43012 (CVE-2022-40897); fixed in 65.5.1" in out
    assert "3 packages checked against 4 advisories: 1 findings" in out

    pins.write_text("setuptools==84.2.1\n")
    assert main(["--advisory-db", str(advisory_db), "--freeze", str(pins)]) == 0


def test_an_empty_database_is_an_error_not_a_pass(tmp_path: Path) -> None:
    assert main(["--advisory-db", str(tmp_path)]) == 2
