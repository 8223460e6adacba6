"""Agency webhook subscriptions: register (secret shown once), list, rotate the secret, deactivate,
read the delivery log, redeliver. An agency sees and receives only its own instansi's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.notifications.adapters import delivery_log, webhook_registry
from services.notifications.domain.webhooks import new_secret, validate_endpoint, validate_event_types
from shared.auth import Principal
from shared.contracts import CATALOG
from shared.errors import DomainError, NotFound
from shared.storage.unit_of_work import UnitOfWork


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in webhook_registry.PUBLIC}


def _own(row: dict[str, Any] | None, principal: Principal, subscription_id: str) -> dict[str, Any]:
    if row is None or row["tenant"] != principal.tenant or row["agency"] != principal.nip:
        raise NotFound("Langganan webhook", "Webhook subscription", subscription_id)
    return row


def register(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], *, allow_http_localhost: bool
) -> dict[str, Any]:
    url = validate_endpoint(data["url"], allow_http_localhost=allow_http_localhost)
    event_types = validate_event_types(data["event_types"], (d.event_type for d in CATALOG.definitions()))
    secret = new_secret()
    row = {
        "subscription_id": str(uuid.uuid4()),
        "tenant": principal.tenant,
        "agency": principal.nip,
        "url": url,
        "event_types": event_types,
        "description": data.get("description"),
        "secret": secret,
        "active": True,
        "created_at": datetime.now(UTC),
    }
    with uow:
        webhook_registry.add(uow.session, row)
        uow.commit()
    return {**_public(row), "secret": secret}


def listing(uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    with uow:
        return [_public(r) for r in webhook_registry.of_agency(uow.session, principal.tenant, principal.nip)]


def get(uow: UnitOfWork, principal: Principal, subscription_id: str) -> dict[str, Any]:
    with uow:
        return _public(_own(webhook_registry.find(uow.session, subscription_id), principal, subscription_id))


def rotate_secret(uow: UnitOfWork, principal: Principal, subscription_id: str) -> dict[str, Any]:
    secret = new_secret()
    with uow:
        row = _own(webhook_registry.find(uow.session, subscription_id), principal, subscription_id)
        webhook_registry.change(uow.session, subscription_id, secret=secret, secret_rotated_at=datetime.now(UTC))
        uow.commit()
    return {**_public(row), "secret": secret}


def deactivate(uow: UnitOfWork, principal: Principal, subscription_id: str) -> None:
    with uow:
        _own(webhook_registry.find(uow.session, subscription_id), principal, subscription_id)
        webhook_registry.change(uow.session, subscription_id, active=False)
        uow.commit()


def deliveries(
    uow: UnitOfWork, principal: Principal, subscription_id: str, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    with uow:
        _own(webhook_registry.find(uow.session, subscription_id), principal, subscription_id)
        rows = delivery_log.search(
            uow.session, principal.tenant, subscription_id=subscription_id, status=status, limit=limit, offset=offset
        )
        for row in rows:
            row["attempt_log"] = delivery_log.attempts(uow.session, row["delivery_id"])
        return rows


def redeliver(uow: UnitOfWork, principal: Principal, subscription_id: str, delivery_id: str) -> dict[str, Any]:
    with uow:
        sub = _own(webhook_registry.find(uow.session, subscription_id), principal, subscription_id)
        row = delivery_log.find(uow.session, delivery_id)
        if row is None or row["subscription_id"] != subscription_id:
            raise NotFound("Pengiriman", "Delivery", delivery_id)
        if not sub["active"]:
            raise DomainError(
                "subscription_inactive",
                "Langganan webhook ini sudah dinonaktifkan.",
                "This webhook subscription is deactivated.",
            )
        delivery_log.requeue(uow.session, delivery_id, datetime.now(UTC))
        uow.commit()
        return delivery_log.find(uow.session, delivery_id) or row
