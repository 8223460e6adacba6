"""The AsyncAPI event catalog is generated from the contracts, committed up to date, and valid."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from deploy import catalog
from shared.contracts import SERVICE_TOPICS, public_definitions
from tests.deploy.tools import node_validator

FORMATS = jsonschema.Draft7Validator.FORMAT_CHECKER


def _validate_asyncapi(path: Path) -> tuple[int, dict]:
    result = subprocess.run([*node_validator(), str(path)], capture_output=True, text=True, timeout=120, check=False)
    return result.returncode, json.loads(result.stdout)


def test_committed_catalog_is_up_to_date():
    assert catalog.stale_files() == [], "the event catalog is stale: run `make docs` and commit docs/events"


def test_every_event_type_and_version_is_documented():
    document = catalog.build_asyncapi()
    messages = document["components"]["messages"]
    for definition in public_definitions():
        ident = f"{definition.event_type}.v{definition.version}"
        assert ident in messages
        assert messages[ident]["bindings"]["kafka"]["key"]["description"] == f"payload.{definition.key}"
        channel = next(c for c in document["channels"].values() if c["address"] == definition.topic)
        assert ident in channel["messages"]
    assert {c["address"] for c in document["channels"].values()} == set(SERVICE_TOPICS.values())


def test_generated_document_passes_the_asyncapi_parser(tmp_path):
    path = tmp_path / "asyncapi.yaml"
    path.write_text(catalog.render()[catalog.ASYNCAPI_FILE], encoding="utf-8")
    code, report = _validate_asyncapi(path)
    assert code == 0, report
    assert report["valid"] is True
    assert report["summary"]["version"].startswith("3.")
    assert report["summary"]["messages"] == len(public_definitions())


def test_the_parser_rejects_a_broken_document(tmp_path):
    document = copy.deepcopy(catalog.build_asyncapi())
    first = next(iter(document["components"]["messages"].values()))
    first["payload"] = {"$ref": "#/components/schemas/does-not-exist"}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, report = _validate_asyncapi(path)
    assert code == 1
    assert any(d["severity"] == 0 for d in report["diagnostics"])


@pytest.mark.parametrize("definition", public_definitions(), ids=lambda d: f"{d.event_type}.v{d.version}")
def test_json_schema_accepts_the_contract_sample_and_refuses_a_broken_one(definition):
    schema = json.loads((catalog.DOCS / "schemas" / f"{definition.event_type}.v{definition.version}.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=FORMATS)
    sample = catalog._sample(definition)
    assert sample is not None, "every (type, version) has a contract sample"
    message = catalog._example_message(definition, sample)["payload"]
    validator.validate(message)

    wrong_version = {**message, "schema_version": definition.version + 1}
    assert not validator.is_valid(wrong_version)
    required = schema["properties"]["payload"].get("required", [])
    if required:
        missing = {**message, "payload": {k: v for k, v in sample.items() if k != required[0]}}
        assert not validator.is_valid(missing)
