"""Offline dependency audit: installed packages against a local copy of an OSV advisory database.

For machines where pip-audit cannot reach PyPI's JSON API or OSV (see docs/dependency-audit.md).
Give it a checkout of pypa/advisory-database (YAML under vulns/<package>/) or any folder of OSV
records (.yaml/.yml/.json, e.g. github/advisory-database); it reads every record below the folder.

    .venv/bin/python scripts/audit_dependencies.py --advisory-db ~/src/advisory-database
    .venv/bin/python scripts/audit_dependencies.py --advisory-db DIR --freeze pinned.txt

Unlike `pip freeze`, the default package list (importlib.metadata of the running interpreter)
includes pip and setuptools. Exit status: 0 no finding, 1 findings, 2 nothing to audit against.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

_DRAFT_PREFIX = "PYSEC-0000-"  # pypa's importer names records this way until it allocates an id


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: frozenset[str]
    package: str
    events: tuple[tuple[dict[str, str], ...], ...]  # one tuple of events per ECOSYSTEM range
    versions: frozenset[str]
    source: str

    def fixed_in(self) -> list[str]:
        return [event["fixed"] for events in self.events for event in events if "fixed" in event]


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: Advisory


def _ranges(record: dict[str, Any], entry: dict[str, Any]) -> Iterator[tuple[dict[str, str], ...]]:
    """ECOSYSTEM ranges as event lists, in the OSV form or the early pypa form (`affects`)."""
    for rng in entry.get("ranges") or []:
        if rng.get("type") == "ECOSYSTEM":
            yield tuple({k: str(v) for k, v in event.items()} for event in rng.get("events") or [])
    for rng in (record.get("affects") or {}).get("ranges") or []:
        if rng.get("type") == "ECOSYSTEM":
            events = [{"introduced": str(rng.get("introduced", "0"))}]
            events += [{key: str(rng[key])} for key in ("fixed", "last_affected") if key in rng]
            yield tuple(events)


def parse_record(record: dict[str, Any], source: str) -> Iterator[Advisory]:
    if record.get("withdrawn"):
        return
    entries = record.get("affected") or ([{"package": record["package"]}] if "package" in record else [])
    for entry in entries:
        package = entry.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        versions = entry.get("versions") or (record.get("affects") or {}).get("versions") or []
        yield Advisory(
            id=str(record["id"]),
            aliases=frozenset(str(a) for a in record.get("aliases") or []),
            package=canonical(package["name"]),
            events=tuple(_ranges(record, entry)),
            versions=frozenset(str(v) for v in versions),
            source=source,
        )


def load_database(root: Path) -> list[Advisory]:
    advisories: list[Advisory] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".yaml", ".yml", ".json"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        record = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if isinstance(record, dict) and "id" in record:
            advisories.extend(parse_record(record, str(path.relative_to(root))))
    return _without_superseded_drafts(advisories)


def _without_superseded_drafts(advisories: list[Advisory]) -> list[Advisory]:
    """Drop unallocated PYSEC-0000-* drafts whose alias already has an allocated record."""
    allocated = {
        (a.package, alias) for a in advisories if not a.id.startswith(_DRAFT_PREFIX) for alias in a.aliases | {a.id}
    }
    return [
        a
        for a in advisories
        if not (a.id.startswith(_DRAFT_PREFIX) and any((a.package, alias) in allocated for alias in a.aliases))
    ]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: Iterable[dict[str, str]]) -> bool:
    """OSV evaluation: walk the events in version order; the last one at or below `version` decides."""
    ordered: list[tuple[Version, str]] = []
    for event in events:
        for kind, raw in event.items():
            parsed = _version(raw)
            if parsed is not None and kind in {"introduced", "fixed", "last_affected"}:
                ordered.append((parsed, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda item: item[0]):
        if kind == "introduced" and version >= bound:
            affected = True
        elif (kind == "fixed" and version >= bound) or (kind == "last_affected" and version > bound):
            affected = False
    return affected


def affects(advisory: Advisory, version: str) -> bool:
    if version in advisory.versions:
        return True
    parsed = _version(version)
    return parsed is not None and any(_in_range(parsed, events) for events in advisory.events)


def audit(installed: dict[str, str], advisories: Iterable[Advisory]) -> list[Finding]:
    wanted = {canonical(name): version for name, version in installed.items()}
    findings = [
        Finding(a.package, wanted[a.package], a)
        for a in advisories
        if a.package in wanted and affects(a, wanted[a.package])
    ]
    return sorted(findings, key=lambda f: (f.package, f.advisory.id))


def installed_distributions() -> dict[str, str]:
    return {dist.metadata["Name"]: dist.version for dist in importlib.metadata.distributions()}


def read_freeze(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisory-db", type=Path, required=True, help="folder with OSV records")
    parser.add_argument("--freeze", type=Path, help="name==version lines instead of this interpreter's packages")
    args = parser.parse_args(argv)

    advisories = load_database(args.advisory_db)
    if not advisories:
        print(f"no PyPI advisories found under {args.advisory_db}: nothing was audited", file=sys.stderr)
        return 2
    installed = read_freeze(args.freeze) if args.freeze else installed_distributions()
    findings = audit(installed, advisories)
    for f in findings:
        aliases = ", ".join(sorted(f.advisory.aliases)) or "-"
        fixed = ", ".join(f.advisory.fixed_in()) or "no fixed version"
        print(f"{f.package} {f.version}: {f.advisory.id} ({aliases}); fixed in {fixed}; {f.advisory.source}")
    print(f"{len(installed)} packages checked against {len(advisories)} advisories: {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
