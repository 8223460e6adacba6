"""The subscriber's helper: a genuine delivery verifies; a changed body, secret or an old timestamp does not."""

from __future__ import annotations

import time

from shared.webhook_signature import sign, verify_signature

SECRET = "whsec_test-secret"
BODY = b'{"event_id": "e-1", "event_type": "reward.granted", "payload": {"nip": "198503302010011002"}}'


def test_a_genuine_delivery_verifies() -> None:
    ts = int(time.time())
    assert verify_signature(SECRET, BODY, sign(SECRET, ts, BODY), str(ts))
    assert verify_signature(SECRET, BODY.decode(), sign(SECRET, ts, BODY), ts)  # str body, int timestamp


def test_the_signature_covers_timestamp_and_body() -> None:
    assert sign(SECRET, 1700000000, BODY) != sign(SECRET, 1700000001, BODY)
    assert sign(SECRET, 1700000000, BODY).startswith("v1=")
    assert len(sign(SECRET, 1700000000, BODY)) == 3 + 64


def test_a_tampered_body_fails() -> None:
    ts = int(time.time())
    signature = sign(SECRET, ts, BODY)
    assert not verify_signature(SECRET, BODY.replace(b"reward", b"reword"), signature, ts)
    assert not verify_signature(SECRET, BODY + b" ", signature, ts)


def test_another_secret_fails() -> None:
    ts = int(time.time())
    assert not verify_signature("whsec_other", BODY, sign(SECRET, ts, BODY), ts)


def test_a_moved_timestamp_fails() -> None:
    ts = int(time.time())
    assert not verify_signature(SECRET, BODY, sign(SECRET, ts, BODY), ts + 1)


def test_a_replay_outside_the_window_fails() -> None:
    ts = 1_700_000_000
    signature = sign(SECRET, ts, BODY)
    assert verify_signature(SECRET, BODY, signature, ts, now=ts + 299)
    assert not verify_signature(SECRET, BODY, signature, ts, now=ts + 301)
    assert not verify_signature(SECRET, BODY, signature, ts, now=ts - 301)  # from the future
    assert verify_signature(SECRET, BODY, signature, ts, now=ts + 3000, tolerance_s=3600)


def test_junk_headers_fail_without_raising() -> None:
    ts = int(time.time())
    for signature, timestamp in [
        (None, ts),
        ("", ts),
        ("v1=abc", ts),
        (sign(SECRET, ts, BODY), "soon"),
        (sign(SECRET, ts, BODY), None),
    ]:
        assert not verify_signature(SECRET, BODY, signature, timestamp)
    assert not verify_signature("", BODY, sign("", ts, BODY), ts)


def test_several_signatures_any_may_match() -> None:
    ts = int(time.time())
    header = f"{sign('whsec_old', ts, BODY)}, {sign(SECRET, ts, BODY)}"
    assert verify_signature(SECRET, BODY, header, ts)


def test_the_readme_snippet_verifies_what_the_service_signs() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    (snippet,) = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify(" in block]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    ts = int(time.time())
    assert namespace["verify"](SECRET, BODY, sign(SECRET, ts, BODY), str(ts))
    assert not namespace["verify"](SECRET, BODY + b"x", sign(SECRET, ts, BODY), str(ts))
    assert not namespace["verify"](SECRET, BODY, sign(SECRET, ts - 600, BODY), str(ts - 600))
