"""The inbox API: your own notices only, in your language; unread count; mark as read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.tables import eventing
from services.notifications.domain.notice import notice_id_for
from tests.unit.notifications.notifications_samples import ATASAN, EMPLOYEE, OTHER, envelope

URL = "/api/v1/notices"


@pytest.fixture
def inbox(consume):
    """Siti has three notices (returned, approved, evaluated, in that order); Budi has one."""
    events = {
        "returned": envelope("plan.returned"),
        "submitted": envelope("plan.submitted"),  # to the atasan
        "approved": envelope("plan.approved"),
        "evaluated": envelope("evaluation.completed"),
    }
    for env in events.values():
        consume(env)
    return {
        name: notice_id_for(env.event_id, env.payload.get("atasan_nip") if name == "submitted" else EMPLOYEE)
        for name, env in events.items()
    }


def event_count(runtime) -> int:
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(eventing.event_store)).scalar_one()


def test_the_inbox_lists_your_notices_newest_first_in_indonesian(client, auth, inbox) -> None:
    r = client.get(URL, headers=auth())
    assert r.status_code == 200
    assert [n["notice_id"] for n in r.json] == [inbox["evaluated"], inbox["approved"], inbox["returned"]]
    first = r.json[0]
    assert set(first) == {"notice_id", "event_type", "title", "body", "created_at", "read_at"}
    assert first["event_type"] == "evaluation.completed"
    assert first["title"] == "Hasil penilaian kinerja tahun 2026: Baik"
    assert "di atas ekspektasi" in first["body"]
    assert first["read_at"] is None
    assert first["created_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?lang=en", {}), ("", {"Accept-Language": "en-US,en;q=0.9"}), ("?lang=en", {"Accept-Language": "id"})],
)
def test_english_on_request(client, auth, inbox, query, headers) -> None:
    r = client.get(URL + query, headers={**auth(), **headers})
    assert r.json[0]["title"] == "Performance evaluation for year 2026: Good"
    assert "above expectation" in r.json[0]["body"]


def test_indonesian_when_asked_even_with_an_english_browser(client, auth, inbox) -> None:
    r = client.get(URL + "?lang=id", headers={**auth(), "Accept-Language": "en"})
    assert r.json[0]["title"].startswith("Hasil penilaian kinerja")


def test_the_atasan_sees_only_their_own_notices(client, auth, inbox) -> None:
    r = client.get(URL, headers=auth(ATASAN, ("pegawai", "atasan")))
    assert [n["notice_id"] for n in r.json] == [inbox["submitted"]]
    assert "menunggu persetujuan Anda" in r.json[0]["title"]


def test_paging(client, auth, inbox) -> None:
    r = client.get(URL + "?limit=2&offset=1", headers=auth())
    assert [n["notice_id"] for n in r.json] == [inbox["approved"], inbox["returned"]]


def test_mark_read_then_unread_filter_and_count(client, auth, inbox, runtime) -> None:
    assert client.get(URL + "/unread-count", headers=auth()).json == {"unread": 3}

    r = client.post(f"{URL}/{inbox['approved']}/read", headers=auth())
    assert r.status_code == 200
    assert r.json["notice_id"] == inbox["approved"]
    assert r.json["read_at"] is not None
    assert "disetujui" in r.json["title"]

    assert client.get(URL + "/unread-count", headers=auth()).json == {"unread": 2}
    unread = client.get(URL + "?unread=true", headers=auth()).json
    assert [n["notice_id"] for n in unread] == [inbox["evaluated"], inbox["returned"]]
    read = client.get(URL + "?unread=false", headers=auth()).json
    assert [n["notice_id"] for n in read] == [inbox["approved"]]
    assert len(client.get(URL, headers=auth()).json) == 3
    # The atasan's count is their own.
    assert client.get(URL + "/unread-count", headers=auth(ATASAN, ("atasan",))).json == {"unread": 1}


def test_mark_read_is_idempotent(client, auth, inbox, runtime) -> None:
    first = client.post(f"{URL}/{inbox['evaluated']}/read", headers=auth()).json
    events = event_count(runtime)
    again = client.post(f"{URL}/{inbox['evaluated']}/read?lang=en", headers=auth())
    assert again.status_code == 200
    assert again.json["read_at"] == first["read_at"]
    assert again.json["title"].startswith("Performance evaluation")
    assert event_count(runtime) == events  # no second notice.read


def test_get_one_of_your_notices(client, auth, inbox) -> None:
    r = client.get(f"{URL}/{inbox['returned']}?lang=en", headers=auth())
    assert r.status_code == 200
    assert r.json["event_type"] == "plan.returned"
    assert "Target IKI terlalu rendah" in r.json["body"]


def test_someone_elses_notice_is_not_found(client, auth, inbox, runtime) -> None:
    theirs = inbox["submitted"]  # the atasan's
    events = event_count(runtime)
    assert client.get(f"{URL}/{theirs}", headers=auth()).status_code == 404
    r = client.post(f"{URL}/{theirs}/read", headers=auth())
    assert r.status_code == 404
    assert r.json["error"]["code"] == "not_found"
    assert event_count(runtime) == events
    assert client.get(URL + "/unread-count", headers=auth(ATASAN, ("atasan",))).json == {"unread": 1}


def test_another_instansi_sees_nothing(client, auth, inbox) -> None:
    # Same NIP, another tenant: the notices stored under 1671 are not theirs.
    other_tenant = auth(EMPLOYEE, ("pegawai",), "3674")
    assert client.get(URL, headers=other_tenant).json == []
    assert client.get(URL + "/unread-count", headers=other_tenant).json == {"unread": 0}
    assert client.get(f"{URL}/{inbox['approved']}", headers=other_tenant).status_code == 404
    assert client.post(f"{URL}/{inbox['approved']}/read", headers=other_tenant).status_code == 404
    assert client.get(URL + "/unread-count", headers=auth()).json == {"unread": 3}


def test_an_unknown_notice_is_not_found_in_your_language(client, auth) -> None:
    r = client.get(f"{URL}/does-not-exist?lang=en", headers=auth())
    assert r.status_code == 404
    assert "not found" in r.json["error"]["message"]
    r = client.post(f"{URL}/does-not-exist/read", headers=auth())
    assert r.status_code == 404
    assert "tidak ditemukan" in r.json["error"]["message"]


def test_an_empty_inbox(client, auth) -> None:
    assert client.get(URL, headers=auth(OTHER)).json == []
    assert client.get(URL + "/unread-count", headers=auth(OTHER)).json == {"unread": 0}


@pytest.mark.parametrize(
    "path",
    [URL, URL + "/unread-count", URL + "/x", URL + "/x/read"],
)
def test_without_a_token_401(client, path) -> None:
    method = client.post if path.endswith("/read") else client.get
    r = method(path)
    assert r.status_code == 401
    assert r.json["error"]["code"] == "unauthenticated"


def test_a_bad_token_401(client) -> None:
    assert client.get(URL, headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401


def test_an_agency_has_no_inbox_403(client, auth, inbox) -> None:
    r = client.get(URL, headers=auth(EMPLOYEE, ("agency",)))
    assert r.status_code == 403
    assert client.post(f"{URL}/{inbox['approved']}/read", headers=auth(EMPLOYEE, ("agency",))).status_code == 403
    assert client.get(URL + "/unread-count", headers=auth()).json == {"unread": 3}


@pytest.mark.parametrize(
    "query",
    ["?limit=0", "?limit=201", "?limit=x", "?offset=-1", "?unread=maybe", "?lang=fr"],
)
def test_bad_query_422(client, auth, query) -> None:
    r = client.get(URL + query, headers=auth())
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid_input"


def test_wrong_method_405(client, auth, inbox) -> None:
    assert client.delete(f"{URL}/{inbox['approved']}", headers=auth()).status_code == 405
    assert client.get(f"{URL}/{inbox['approved']}/read", headers=auth()).status_code == 405


def test_the_api_is_documented(client) -> None:
    spec = client.get("/openapi.json").json
    assert {"/api/v1/notices", "/api/v1/notices/unread-count", "/api/v1/notices/{notice_id}/read"} <= set(spec["paths"])
