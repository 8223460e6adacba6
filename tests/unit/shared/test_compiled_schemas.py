"""compile_load: the same results and the same errors as marshmallow's own load, on every contract.

The compiled load vouches only for input it can prove valid and hands the rest to `schema.load`,
so the risk is one-sided: accepting, or loading differently, what marshmallow would not. These
tests look for exactly that, on every contract sample and on mutations of each of its values
(removed, null, every JSON type, special numbers, extra keys), on partial reads (`only=`), on the
envelope, and on arbitrary JSON values (hypothesis).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields, post_load, validate

from shared.contracts import CATALOG
from shared.events import EnvelopeSchema
from shared.events.compiled_schemas import compile_load, is_compiled
from tests.unit.shared.test_envelope_and_catalog import make_envelope

SAMPLES = Path(__file__).parents[2] / "contract" / "samples"
DEFINITIONS = CATALOG.definitions()
_DELETE = object()
# Values a mutation puts in place of each value of a sample.
ODD_VALUES: list[Any] = [
    _DELETE, None, "", "x", "2026", "1.5", "true", "199001012015011001", "sesuai_ekspektasi",
    0, 1, -1, 2026, 10**400, 1.5, -0.0, float("nan"), float("inf"), True, False,
    [], [1], ["x"], {}, {"a": 1},
]  # fmt: skip


def _sample(event_type: str, version: int) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{event_type}.v{version}.json").read_text(encoding="utf-8"))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield prefix, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if new is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copy


def _mutations(document: dict[str, Any]) -> Iterator[Any]:
    yield document
    for path, value in list(_paths(document)):
        for odd in ODD_VALUES:
            if path or odd is not _DELETE:
                yield _replaced(document, path, odd)
        if isinstance(value, dict):
            yield _replaced(document, path, {**value, "zz_unknown": 1})


def _outcome(load: Any, data: Any) -> tuple[str, str]:
    """What a load made of `data`: its JSON (key order and int/float included), or its errors."""
    try:
        # Not orjson: a loaded 10**400 must compare too, and a UUID or a date by type and value.
        return "loaded", json.dumps(load(data), default=lambda value: f"{type(value).__name__}:{value!r}")
    except ma.ValidationError as exc:
        return "refused", json.dumps(exc.messages, sort_keys=True, default=str)


def _assert_same(schema_factory: Any, document: dict[str, Any]) -> int:
    reference, compiled = schema_factory().load, compile_load(schema_factory())
    assert is_compiled(compiled)
    compared = 0
    for mutated in _mutations(document):
        assert _outcome(compiled, mutated) == _outcome(reference, mutated), mutated
        compared += 1
    return compared


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_every_contract_loads_alike_compiled_and_by_marshmallow(definition) -> None:
    document = _sample(definition.event_type, definition.version)
    compared = _assert_same(lambda: definition.schema(unknown=ma.EXCLUDE), document)
    assert compared > len(document) * len(ODD_VALUES)


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.event_type}.v{d.version}")
def test_partial_reads_load_alike(definition) -> None:
    names = list(definition.schema().fields)
    document = _sample(definition.event_type, definition.version)
    for only in (names[:2], names[-3:]):
        _assert_same(lambda only=only: definition.schema(only=only, unknown=ma.EXCLUDE), document)


def test_the_envelope_loads_alike() -> None:
    _assert_same(EnvelopeSchema, make_envelope(causation_id="cause-9").to_dict())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_json_value_anywhere_loads_alike(data: st.DataObject) -> None:
    definition = data.draw(st.sampled_from(DEFINITIONS))
    document = _sample(definition.event_type, definition.version)
    path, _ = data.draw(st.sampled_from(list(_paths(document))))
    mutated = _replaced(document, path, data.draw(json_values))
    reference = definition.schema(unknown=ma.EXCLUDE).load
    assert _outcome(compile_load(definition.schema(unknown=ma.EXCLUDE)), mutated) == _outcome(reference, mutated)


def test_valid_input_never_reaches_marshmallow_and_invalid_input_always_does(monkeypatch) -> None:
    definition = CATALOG.latest("evaluation.completed")
    load = compile_load(definition.schema(unknown=ma.EXCLUDE))
    calls: list[Any] = []
    original = ma.Schema.load

    def counting(self: ma.Schema, data: Any, **kwargs: Any) -> Any:
        calls.append(type(self).__name__)
        return original(self, data, **kwargs)

    monkeypatch.setattr(ma.Schema, "load", counting)
    document = _sample("evaluation.completed", 1)
    assert load(document) == document
    assert calls == []
    with pytest.raises(ma.ValidationError) as refused:
        load({**document, "predikat": "istimewa"})
    assert list(refused.value.messages) == ["predikat"]
    assert calls.count("EvaluationCompletedV1") == 1  # then marshmallow's walk loads the nested ones


class _Item(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))


class _Hooked(ma.Schema):
    name = fields.String()

    @post_load
    def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"name": data["name"].upper()}


class _Renamed(ma.Schema):
    name = fields.String(data_key="Name")


class _WithItems(ma.Schema):
    items = fields.List(fields.Nested(_Item), load_default=list)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True))


@pytest.mark.parametrize(
    "schema",
    [_Hooked(), _Renamed(), _Item(unknown=ma.INCLUDE), _Item(many=True), _Item(partial=True)],
    ids=["post_load hook", "data_key", "unknown INCLUDE", "many", "partial"],
)
def test_what_the_compiled_load_cannot_do_is_left_to_marshmallow(schema: ma.Schema) -> None:
    load = compile_load(schema)
    assert not is_compiled(load)
    assert load == schema.load


def test_nested_schemas_keep_their_own_unknown_and_defaults() -> None:
    load = compile_load(_WithItems())
    assert is_compiled(load)
    assert load({}) == {"items": []}
    assert load({"items": [{"name": "a"}], "counts": {"a": 1}}) == {"items": [{"name": "a"}], "counts": {"a": 1}}
    with pytest.raises(ma.ValidationError) as refused:  # _Item refuses unknown keys (RAISE by default)
        load({"items": [{"name": "a", "extra": 1}]})
    assert refused.value.messages == {"items": {0: {"extra": ["Unknown field."]}}}
    with pytest.raises(ma.ValidationError) as refused:
        load({"counts": {"a": 1.0}})
    assert refused.value.messages == {"counts": {"a": {"value": ["Not a valid integer."]}}}
