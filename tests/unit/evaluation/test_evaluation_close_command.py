"""The operator command requests the same close as the API and reports its progress."""

from __future__ import annotations

import json

from services.evaluation import close_command
from tests.unit.evaluation.evaluation_samples import EMPLOYEE, YEAR, envelope, plan_payload
from tests.unit.evaluation.org_samples import outbox_envelopes


def test_close_command_requests_a_close_for_the_instansi(runtime, deliver, monkeypatch, capsys):
    deliver(envelope("plan.approved", plan_payload()))
    monkeypatch.setattr(close_command, "create_runtime", lambda: runtime)
    close_command.main(["--tenant", "1671", "--year", str(YEAR)])
    printed = json.loads(capsys.readouterr().out.splitlines()[0])
    assert printed["total"] == 1
    assert printed["counts"]["pending"] == 1
    [item] = outbox_envelopes(runtime, "evaluation.requested")
    assert item.payload["nip"] == EMPLOYEE
    assert item.payload["close_id"] == printed["close_id"]
