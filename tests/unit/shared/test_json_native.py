"""load_is_dump: when the catalog may return a payload as loaded, without dumping it again."""

from __future__ import annotations

import marshmallow as ma
import pytest
from marshmallow import fields

from shared.events.json_native import load_is_dump


class Item(ma.Schema):
    name = fields.String(required=True)
    score = fields.Float(allow_none=True)


class Plain(ma.Schema):
    text = fields.String(required=True)
    count = fields.Integer()
    ratio = fields.Float()
    flag = fields.Boolean()
    items = fields.List(fields.Nested(Item), load_default=list)
    tags = fields.Dict(keys=fields.String(), values=fields.Float())
    raw = fields.Dict(keys=fields.String())


def test_a_schema_of_json_values_loads_to_its_own_dump() -> None:
    schema = Plain()
    data = {
        "text": "x",
        "count": "7",  # coerced on load; dump keeps the coerced value
        "ratio": 3,
        "flag": "true",
        "items": [{"name": "a", "score": 1}, {"name": "b", "score": None}],
        "tags": {"k": 2},
        "raw": {"any": [1, {"b": None}]},
    }
    assert load_is_dump(schema)
    loaded = schema.load(data)
    assert loaded == schema.dump(loaded)


def test_defaults_from_load_survive_the_dump() -> None:
    schema = Plain()
    loaded = schema.load({"text": "x"})
    assert loaded == schema.dump(loaded) == {"text": "x", "items": []}


class WithHook(Plain):
    @ma.post_load
    def upper(self, data: dict, **_: object) -> dict:
        return {**data, "text": data["text"].upper()}


@pytest.mark.parametrize(
    "schema",
    [
        ma.Schema.from_dict({"at": fields.DateTime()})(),
        ma.Schema.from_dict({"day": fields.Date()})(),
        ma.Schema.from_dict({"id": fields.UUID()})(),  # a String subclass that loads to uuid.UUID
        ma.Schema.from_dict({"amount": fields.Decimal()})(),
        ma.Schema.from_dict({"name": fields.String(data_key="Name")})(),
        ma.Schema.from_dict({"name": fields.String(dump_default="?")})(),
        ma.Schema.from_dict({"secret": fields.String(load_only=True)})(),
        ma.Schema.from_dict({"when": fields.List(fields.DateTime())})(),
        ma.Schema.from_dict({"nested": fields.Nested(ma.Schema.from_dict({"at": fields.DateTime()}))})(),
        WithHook(),
    ],
    ids=["datetime", "date", "uuid", "decimal", "data_key", "dump_default", "load_only", "list", "nested", "hook"],
)
def test_anything_that_dumps_differently_is_dumped(schema: ma.Schema) -> None:
    assert not load_is_dump(schema)
