"""`in_values` selects what `in_()` selects, on real PostgreSQL (as one array parameter) and on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import BigInteger, Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from shared.storage.database import create_db_engine
from shared.storage.in_values import in_values
from shared.storage.tables import BigId

pytestmark = pytest.mark.integration

metadata = MetaData()
rows_table = Table(
    "probe",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("tenant", String(40), nullable=False),
    Column("key", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("big", BigInteger, nullable=False),
)
ROWS = [
    {
        "id": n,
        "tenant": "palembang" if n % 3 else "tangsel",
        "key": f"k{n:04d}",
        "year": 2024 + n % 3,
        "big": 10**12 + n,
    }
    for n in range(1, 601)
]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(rows_table), ROWS)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("key", [f"k{n:04d}" for n in range(5, 600, 3)] + ["absent", "k0005"]),  # 200 values, a repeat
        ("id", list(range(590, 700))),
        ("big", [10**12 + 7, 10**12 + 70, 1]),
        ("year", {2025}),
        ("key", []),
    ],
)
def test_selects_the_rows_in_selects(engine: Engine, column: str, values: list | set) -> None:
    col = rows_table.c[column]
    with Session(engine) as session:
        expected = session.execute(select(rows_table.c.id).where(col.in_(list(values)))).scalars().all()
        got = session.execute(select(rows_table.c.id).where(in_values(session, col, values))).scalars().all()
    assert sorted(got) == sorted(expected)
    assert len(got) == sum(1 for row in ROWS if row[column] in set(values))


def test_combines_with_other_conditions_and_works_on_a_connection(engine: Engine) -> None:
    keys = [f"k{n:04d}" for n in range(1, 601, 2)]
    with engine.connect() as conn:
        query = select(rows_table.c.key).where(
            rows_table.c.tenant == "tangsel", in_values(conn, rows_table.c.key, keys), rows_table.c.year == 2024
        )
        got = set(conn.execute(query).scalars())
    assert got == {r["key"] for r in ROWS if r["tenant"] == "tangsel" and r["key"] in keys and r["year"] == 2024}
    assert got  # the filter is not vacuous


def test_postgresql_sends_one_array_parameter_whatever_the_count(engine: Engine) -> None:
    with Session(engine) as session:
        statements = [
            str(
                select(rows_table.c.id)
                .where(in_values(session, rows_table.c.key, [f"k{n}" for n in range(count)]))
                .compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
            )
            for count in (2, 200)
        ]
    if engine.dialect.name == "postgresql":
        assert "ANY" in statements[0]
        assert statements[0] == statements[1]  # one text for any count: parsed and planned once
    else:
        assert " IN (" in statements[1]
        assert len(statements[1]) > len(statements[0])
