"""The admin's view of outgoing deliveries of the instansi: what failed, why, and re-sending it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.notifications.adapters import delivery_log
from shared.auth import Principal
from shared.errors import DomainError, NotFound
from shared.storage.unit_of_work import UnitOfWork


def _own(row: dict[str, Any] | None, principal: Principal, delivery_id: str) -> dict[str, Any]:
    if row is None or row["tenant"] != principal.tenant:
        raise NotFound("Pengiriman", "Delivery", delivery_id)
    return row


def search(uow: UnitOfWork, principal: Principal, filters: dict[str, Any]) -> list[dict[str, Any]]:
    with uow:
        return delivery_log.search(
            uow.session,
            principal.tenant,
            limit=filters.get("limit", 50),
            offset=filters.get("offset", 0),
            status=filters.get("status"),
            channel=filters.get("channel"),
            recipient_nip=filters.get("nip"),
        )


def get(uow: UnitOfWork, principal: Principal, delivery_id: str) -> dict[str, Any]:
    with uow:
        row = _own(delivery_log.find(uow.session, delivery_id), principal, delivery_id)
        row["attempt_log"] = delivery_log.attempts(uow.session, delivery_id)
        return row


def resend(uow: UnitOfWork, principal: Principal, delivery_id: str) -> dict[str, Any]:
    with uow:
        row = _own(delivery_log.find(uow.session, delivery_id), principal, delivery_id)
        if row["status"] != delivery_log.FAILED:
            raise DomainError(
                "delivery_not_failed",
                "Hanya pengiriman yang gagal yang dapat dikirim ulang.",
                "Only a failed delivery can be re-sent.",
            )
        delivery_log.requeue(uow.session, delivery_id, datetime.now(UTC))
        uow.commit()
    return get(uow, principal, delivery_id)
