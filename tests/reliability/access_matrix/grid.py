"""A small language for the access matrix: per route, which caller gets which answer.

A grid has one row per role set of the caller's token and one column per relation of the caller to
the record the request is about:

- ``own``        the record is the caller's own (for a route about the caller only: the caller);
- ``sub``        the caller is the atasan of the record's employee (pejabat penilai);
- ``sub2``       the caller is the atasan of that atasan (atasan pejabat penilai, decides keberatan);
- ``colleague``  someone of the same instansi who is none of these (for a record of no one: anyone
                 of the instansi);
- ``other``      a caller of another instansi, with the NIP of the record's employee (the same person,
                 as it were, moved: the NIP alone opens nothing).

A cell is the answer expected:

- ``ok``    2xx; for a listing, the record is in it;
- ``none``  2xx, but the listing does not show the record;
- ``403``   refused: the caller's role, or relation to the record, does not allow this;
- ``404``   the record does not exist for the caller (another instansi's; another person's notice);
- any other status (``409``, ...) is the route's own answer once access was granted (state, not access).

Which columns a grid has follows from whose record it is (see ``SUBJECT_RELATIONS``): a record of a
person has all five; a record of no one (a unit in the register, a campaign) ``colleague`` and
``other``; a route about the caller only (draft my plan, my preferences) ``own`` and ``other``; an
agency's webhook subscription ``own``, ``colleague`` and ``other``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ROLE_SETS: dict[str, tuple[str, ...]] = {
    "pegawai": ("pegawai",),
    "pegawai+atasan": ("pegawai", "atasan"),
    "admin_instansi": ("admin_instansi",),
    "agency": ("agency",),
}
RELATIONS = ("own", "sub", "sub2", "colleague", "other")
SUBJECT_RELATIONS: dict[str, tuple[str, ...]] = {
    "person": RELATIONS,
    "instansi": ("colleague", "other"),
    "self": ("own", "other"),
    "agency": ("own", "colleague", "other"),
}
ALLOWED = {"ok", "none"}


@dataclass(frozen=True)
class Grid:
    columns: tuple[str, ...]
    cells: Mapping[tuple[str, str], str]  # (role set, relation) -> expected answer

    def expected(self, role_set: str, relation: str) -> str:
        return self.cells[(role_set, relation)]


def grid(text: str) -> Grid:
    """Parse a grid: a header of relations, then one line per role set."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = tuple(lines[0]), lines[1:]
    unknown = set(header) - set(RELATIONS)
    if unknown:
        raise ValueError(f"unknown relations {sorted(unknown)} in grid header {header}")
    if sorted(row[0] for row in rows) != sorted(ROLE_SETS):
        raise ValueError(f"a grid has one row per role set {list(ROLE_SETS)}, got {[row[0] for row in rows]}")
    cells: dict[tuple[str, str], str] = {}
    for role_set, *answers in rows:
        if len(answers) != len(header):
            raise ValueError(f"row {role_set}: {len(answers)} answers for {len(header)} columns")
        for relation, answer in zip(header, answers, strict=True):
            if answer not in ALLOWED and not (answer.isdigit() and len(answer) == 3):
                raise ValueError(f"row {role_set}, column {relation}: unknown answer {answer!r}")
            cells[(role_set, relation)] = answer
    return Grid(header, cells)


Body = Mapping[str, Any] | Callable[[Mapping[str, str]], Any] | None


@dataclass(frozen=True)
class Case:
    """One operation of the OpenAPI document, asked about one record, by every caller of the grid.

    `url` and `shows` are formatted with the seeded facts (record ids, NIPs) and `{caller}`, the NIP
    of the caller; `body` is JSON (a mapping, or a function of the facts), `files` a multipart upload.
    """

    route: str  # "GET /api/v1/skp/{skp_id}", as in the OpenAPI document
    grid: Grid
    subject: str = "siti"  # whose record: a person of the cast, or "instansi", "self", "agency"
    url: str | None = None  # default: the route's path
    body: Body = None
    files: Callable[[], dict[str, Any]] | None = None
    shows: str | None = None  # a listing answered "ok" shows this; "none" does not
    note: str = ""

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route.split(" ", 1)[1]


# Common policies of routes about the instansi as a whole (no one's record): the admin's, everywhere
# in their own instansi.
ADMIN_ONLY = grid("""
                colleague  other
pegawai         403        403
pegawai+atasan  403        403
admin_instansi  ok         ok
agency          403        403
""")
# ... about one record of the instansi (a unit, a campaign): another instansi's admin finds none.
ADMIN_ONLY_OWN_INSTANSI = grid("""
                colleague  other
pegawai         403        403
pegawai+atasan  403        403
admin_instansi  ok         404
agency          403        403
""")
# ... a listing: another instansi's admin sees their own instansi's, never this one's.
ADMIN_LISTS_OWN_INSTANSI = grid("""
                colleague  other
pegawai         403        403
pegawai+atasan  403        403
admin_instansi  ok         none
agency          403        403
""")
