"""marshmallow 4 schema → JSON Schema (draft-07, the dialect AsyncAPI 3 schemas extend).

Small on purpose: it covers the field types and validators the event contracts use, and fails
loudly on anything else, so a new field type cannot slip into the catalog undocumented.
(marshmallow-jsonschema targets marshmallow 3; this keeps the dependency list short.)
"""

from __future__ import annotations

import enum
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

_SIMPLE: dict[type[fields.Field], dict[str, Any]] = {
    fields.UUID: {"type": "string", "format": "uuid"},
    fields.AwareDateTime: {"type": "string", "format": "date-time"},
    fields.NaiveDateTime: {"type": "string", "format": "date-time"},
    fields.DateTime: {"type": "string", "format": "date-time"},
    fields.Date: {"type": "string", "format": "date"},
    fields.Time: {"type": "string", "format": "time"},
    fields.Email: {"type": "string", "format": "email"},
    fields.Url: {"type": "string", "format": "uri"},
    fields.String: {"type": "string"},
    fields.Boolean: {"type": "boolean"},
    fields.Integer: {"type": "integer"},
    fields.Float: {"type": "number"},
    fields.Decimal: {"type": "number"},
    fields.Number: {"type": "number"},
    fields.Raw: {},
}


class UnsupportedField(TypeError):
    pass


def schema_to_jsonschema(schema: type[ma.Schema] | ma.Schema, *, title: str | None = None) -> dict[str, Any]:
    """The JSON Schema of what the marshmallow schema accepts on load (and emits on dump)."""
    instance = schema() if isinstance(schema, type) else schema
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in instance.fields.items():
        if field.load_only and field.dump_only:
            continue
        key = field.data_key or name
        properties[key] = field_to_jsonschema(field)
        if field.required:
            required.append(key)
    result: dict[str, Any] = {"type": "object"}
    if title:
        result["title"] = title
    doc = (type(instance).__doc__ or "").strip()
    if doc and type(instance).__doc__ is not ma.Schema.__doc__:
        result["description"] = " ".join(doc.split())
    result["properties"] = properties
    if required:
        result["required"] = required
    # Tolerant readers: producers may add optional fields in the same version.
    result["additionalProperties"] = True
    return result


def field_to_jsonschema(field: fields.Field) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(field, fields.Nested):
        nested = field.nested
        if callable(nested) and not isinstance(nested, type):
            nested = nested()
        if isinstance(nested, str):
            raise UnsupportedField(f"Nested by name ({nested!r}) is not supported")
        out = schema_to_jsonschema(nested)  # type: ignore[arg-type]
        if field.many:
            out = {"type": "array", "items": out}
    elif isinstance(field, fields.List):
        out = {"type": "array", "items": field_to_jsonschema(field.inner)}
    elif isinstance(field, fields.Tuple):
        items = [field_to_jsonschema(f) for f in field.tuple_fields]
        out = {"type": "array", "items": items, "minItems": len(items), "maxItems": len(items)}
    elif isinstance(field, fields.Dict):
        out = {"type": "object"}
        if field.key_field is not None:
            key_schema = field_to_jsonschema(field.key_field)
            if "enum" in key_schema or "pattern" in key_schema:
                out["propertyNames"] = key_schema
        out["additionalProperties"] = field_to_jsonschema(field.value_field) if field.value_field else True
    elif isinstance(field, fields.Enum):
        members = list(field.enum)
        if field.by_value:
            out = {"enum": [m.value for m in members]}
        else:
            out = {"type": "string", "enum": [m.name for m in members]}
    elif isinstance(field, fields.Constant):
        out = {"const": field.constant}
    else:
        for kind, schema in _SIMPLE.items():
            if type(field) is kind or (kind is not fields.Raw and isinstance(field, kind)):
                out = dict(schema)
                break
        else:
            raise UnsupportedField(f"no JSON Schema mapping for {type(field).__name__}")

    for validator in _validators(field):
        _apply_validator(out, validator)

    description = field.metadata.get("description")
    if description:
        out["description"] = description
    default = field.load_default
    if default is not ma.missing and not callable(default) and _json_scalar(default):
        out["default"] = default.value if isinstance(default, enum.Enum) else default
    elif callable(default) and default in (list, dict):
        out["default"] = default()
    if field.allow_none:
        out = _nullable(out)
    return out


def _validators(field: fields.Field) -> list[Any]:
    return list(getattr(field, "validators", []) or [])


def _apply_validator(out: dict[str, Any], validator: Any) -> None:
    is_array = out.get("type") == "array"
    is_object = out.get("type") == "object"
    if isinstance(validator, validate.Length):
        low, high = (
            ("minItems", "maxItems")
            if is_array
            else (("minProperties", "maxProperties") if is_object else ("minLength", "maxLength"))
        )
        if validator.equal is not None:
            out[low] = out[high] = validator.equal
        else:
            if validator.min is not None:
                out[low] = validator.min
            if validator.max is not None:
                out[high] = validator.max
    elif isinstance(validator, validate.Range):
        if validator.min is not None:
            out["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            out["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
    elif isinstance(validator, validate.OneOf):
        out["enum"] = list(validator.choices)
    elif isinstance(validator, validate.Regexp):
        out["pattern"] = validator.regex.pattern
    elif isinstance(validator, validate.Equal):
        out["const"] = validator.comparable
    elif isinstance(validator, validate.ContainsOnly) and is_array:
        out["items"] = {**out.get("items", {}), "enum": list(validator.choices)}
    elif isinstance(validator, validate.And):
        for inner in validator.validators:
            _apply_validator(out, inner)
    # Other (custom) validators carry rules JSON Schema cannot state; the description should.


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        result = {**schema, "type": [kind, "null"]}
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
        return result
    return {"anyOf": [schema, {"type": "null"}]}


def _json_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | enum.Enum) or value is None
