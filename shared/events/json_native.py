"""Whether a marshmallow schema's `load` already gives its `dump` back.

The catalog normalises a payload as `dump(load(payload))`. For a schema whose fields all load to
JSON values (text, numbers, booleans, and lists, dicts and nested schemas of them) with no hooks,
renames or dump-side options, `load` returns exactly what `dump` would make of it: the dump is a
second walk over the payload for nothing. At year-end `evaluation.completed` (3.5 KB, a nested
breakdown) is validated three times per employee, and its dump was a quarter of that.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

# Exact classes: subclasses such as fields.UUID (a String) or fields.Decimal (a Number) load to
# objects that dump turns back into text.
_SCALARS = (fields.String, fields.Integer, fields.Float, fields.Boolean)


def _plain(field: fields.Field) -> bool:
    return (
        field.data_key is None
        and field.attribute is None
        and not field.load_only
        and not field.dump_only
        and field.dump_default is ma.missing
    )


def _field_is_json_native(field: fields.Field) -> bool:
    if not _plain(field):
        return False
    if type(field) in _SCALARS:
        return True
    if type(field) is fields.List:
        return _field_is_json_native(field.inner)
    if type(field) is fields.Dict:
        return all(f is None or _field_is_json_native(f) for f in (field.key_field, field.value_field))
    if type(field) is fields.Nested:
        nested = field.schema
        return not field.many and isinstance(nested, ma.Schema) and load_is_dump(nested)
    return False


def load_is_dump(schema: ma.Schema) -> bool:
    """True when `schema.dump(schema.load(data)) == schema.load(data)` for every valid `data`."""
    if schema._hooks and any(schema._hooks.values()):  # pre/post load or dump processors
        return False
    if schema.only is not None or schema.exclude:
        return False
    return all(_field_is_json_native(f) for f in schema.fields.values())
