"""A marshmallow schema's `load`, compiled for valid input; marshmallow itself judges the rest.

Every event is validated by its marshmallow schema at the producer and at every consumer, and
its envelope too. At year-end that was 40% of the consumers' time (py-spy, docs/scaling.md fix 23),
and most of it was marshmallow's own walk over the fields (about 3 µs a field: the error store, a
closure per field, the hooks looked up), not the checks. `compile_load(schema)` builds, once per
schema, a function that does what that walk does for input it can vouch for:

- the same fields, in the same order, with the same defaults, and the same validators
  (the field's own validator objects, called as marshmallow calls them);
- exact types only (`str` for a String, `int` for an Integer, `list` for a List, ...);
- field kinds it does not take apart (UUID, dates, Decimal, ...) are loaded by the field's own
  `deserialize`, as the walk would.

Anything else falls back to `schema.load`, which then gives the same result or the same
`ValidationError` as it always did: a missing or `None` value it cannot settle, another type (a
number as text, a tuple for a list), a failing validator, a key the schema refuses. So error
messages are always marshmallow's, and a test compares both on every contract sample and on
thousands of mutations of them.

A schema is compiled only when its load has nothing the walk would add: no pre/post-load or
`validates` hooks, no `data_key`/`attribute` renames, no per-field pre/post-load, not `many`
or `partial`, unknown keys EXCLUDEd or RAISEd. Otherwise `compile_load` returns `schema.load`.

Deep-Fried Marshmallow (a JIT for marshmallow, the library for this) was tried first: with its
inliners on it accepted 592 of 40,523 mutated contract samples that marshmallow refuses (a Dict's
keys and values unchecked, a string taken for a list), and with them off it saved a third of
what this does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields

Load = Callable[[Any], Any]


class _Unsure(Exception):
    """The compiled load does not vouch for this input; marshmallow's own load decides."""


# Field kinds loaded by their own `deserialize` (which reads neither the key nor the whole input).
_SELF_LOADING = (
    fields.UUID,
    fields.DateTime,
    fields.AwareDateTime,
    fields.NaiveDateTime,
    fields.Date,
    fields.Time,
    fields.Decimal,
    fields.Email,
    fields.Url,
    fields.Tuple,
    fields.Raw,
)


def compile_load(schema: ma.Schema) -> Callable[[Any], dict[str, Any]]:
    """`schema.load`, with the same results and errors, faster for input that is valid."""
    fast = _schema_load(schema, schema.unknown)
    if fast is None:
        return schema.load

    def load(data: Any) -> dict[str, Any]:
        try:
            return fast(data)
        # _Unsure, a failing validator, or anything unforeseen: marshmallow's load runs and gives
        # its result, or raises what it raises. Never an answer of our own for doubtful input.
        except Exception:  # noqa: BLE001
            return schema.load(data)

    load.compiled = True  # type: ignore[attr-defined]
    return load


def is_compiled(load: Callable[[Any], Any]) -> bool:
    return getattr(load, "compiled", False)


def _schema_load(schema: ma.Schema, unknown: str) -> Load | None:
    if any(schema._hooks.values()) or schema.many or schema.partial or schema.dict_class is not dict:
        return None
    if unknown not in (ma.EXCLUDE, ma.RAISE):
        return None
    plan = []
    for name, field in schema.load_fields.items():
        if field.data_key is not None or field.attribute is not None:
            return None
        value_load = _field_load(field)
        if value_load is None:
            return None
        plan.append((name, value_load, field.required, field.load_default))
    declared = frozenset(name for name, *_ in plan)
    refuse_unknown = unknown == ma.RAISE
    missing = ma.missing

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict or (refuse_unknown and not declared.issuperset(data)):
            raise _Unsure
        out = {}
        for name, value_load, required, default in plan:
            value = data.get(name, missing)
            if value is missing:
                if required:
                    raise _Unsure
                if default is not missing:
                    out[name] = default() if callable(default) else default
            else:
                out[name] = value_load(value)
        return out

    return load


def _field_load(field: fields.Field) -> Load | None:
    """A present value (None included) as `field.deserialize` loads it, or None: not compilable."""
    if field.pre_load or field.post_load:
        return None
    if type(field) in _SELF_LOADING:
        return _self_loading(field)
    kind = _kind_load(field)
    if kind is None:
        return None
    validators = tuple(field.validators)
    allow_none = field.allow_none

    def load(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise _Unsure
        out = kind(value)
        for validator in validators:
            validator(out)
        return out

    return load


def _self_loading(field: fields.Field) -> Load:
    deserialize = field.deserialize

    def load(value: Any) -> Any:
        try:
            return deserialize(value)
        except ma.ValidationError as exc:
            raise _Unsure from exc

    return load


def _kind_load(field: fields.Field) -> Load | None:
    """A non-None value as the field's `_deserialize` loads it (validators not run), or None."""
    kind = type(field)
    if kind is fields.String:
        return _exactly(str)
    if kind is fields.Integer:
        return _exactly(int)
    if kind is fields.Float:
        return _float(finite=not field.allow_nan)
    if kind is fields.Boolean:
        return _boolean(field)
    if kind is fields.List:
        inner = _field_load(field.inner)
        return None if inner is None else _list_of(inner)
    if kind is fields.Dict:
        return _dict_of(field)
    if kind is fields.Nested:
        return _nested(field)
    return None


def _exactly(kind: type) -> Load:
    def load(value: Any) -> Any:
        if type(value) is not kind:  # bytes, numbers as text, bools for ints: marshmallow decides
            raise _Unsure
        return value

    return load


def _float(*, finite: bool) -> Load:
    def load(value: Any) -> float:
        kind = type(value)
        if kind is not float:
            if kind is not int:
                raise _Unsure
            value = float(value)  # OverflowError for a huge int: marshmallow says "too large"
        if finite and not math.isfinite(value):
            raise _Unsure
        return value

    return load


def _boolean(field: fields.Boolean) -> Load | None:
    if not field.truthy or True not in field.truthy or False not in field.falsy:
        return None

    def load(value: Any) -> bool:
        if value is not True and value is not False:
            raise _Unsure
        return value

    return load


def _list_of(inner: Load) -> Load:
    def load(value: Any) -> list[Any]:
        if type(value) is not list:
            raise _Unsure
        return [inner(item) for item in value]

    return load


def _dict_of(field: fields.Dict) -> Load | None:
    keys = None if field.key_field is None else _field_load(field.key_field)
    values = None if field.value_field is None else _field_load(field.value_field)
    if (field.key_field is not None and keys is None) or (field.value_field is not None and values is None):
        return None

    def load(value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise _Unsure
        if keys is None and values is None:
            return dict(value)
        out = {}
        for key, item in value.items():
            loaded_key = key if keys is None else keys(key)
            if loaded_key in out:  # two keys loading to one: leave the merge to marshmallow
                raise _Unsure
            out[loaded_key] = item if values is None else values(item)
        return out

    return load


def _nested(field: fields.Nested) -> Load | None:
    schema = field.schema
    if not isinstance(schema, ma.Schema) or schema.many:
        return None
    one = _schema_load(schema, field.unknown if field.unknown is not None else schema.unknown)
    if one is None:
        return None
    if not field.many:
        return one

    def load(value: Any) -> list[dict[str, Any]]:
        if type(value) is not list:
            raise _Unsure
        return [one(item) for item in value]

    return load
