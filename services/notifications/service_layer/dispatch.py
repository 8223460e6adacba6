"""Sends due deliveries (e-mail and webhooks), records every attempt, retries with backoff.

Runs in the worker (a loop beside the consumer) and is safe in several copies: a delivery is
claimed with a conditional UPDATE before it is sent. A lease that runs out (a copy died while
sending) makes the row due again, so a delivery is sent at least once; webhook receivers dedupe
by X-Kinerja-Event-Id. E-mail outcomes are announced as notice.delivered / notice.failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.notifications.adapters import delivery_log, webhook_registry
from services.notifications.adapters.transports import Mailer, SendResult, WebhookSender
from services.notifications.settings import RetryPolicy
from shared import webhook_signature as sig
from shared.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
LEASE_S = 120


@dataclass
class Dispatcher:
    uow: Callable[[], UnitOfWork]
    mailer: Mailer
    webhooks: WebhookSender
    email_retry: RetryPolicy
    webhook_retry: RetryPolicy

    def run_once(self, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
        """Send what is due now; returns counts per outcome."""
        now = now or datetime.now(UTC)
        # Without an SMTP server configured, e-mails wait (pending) instead of burning their attempts.
        channels = ("email", "webhook") if getattr(self.mailer, "enabled", True) else ("webhook",)
        with self.uow() as uow:
            due = delivery_log.due_ids(uow.session, now, channels, limit)
        counts = {"delivered": 0, "retry": 0, "failed": 0}
        for delivery_id in due:
            outcome = self._one(delivery_id, now)
            if outcome:
                counts[outcome] += 1
        return counts

    def _one(self, delivery_id: str, now: datetime) -> str | None:
        with self.uow() as uow:
            delivery = delivery_log.claim(uow.session, delivery_id, now, LEASE_S)
            subscription = None
            if delivery and delivery["channel"] == "webhook":
                subscription = webhook_registry.find(uow.session, delivery["subscription_id"])
            uow.commit()
        if delivery is None:
            return None  # another copy has it
        result = self._send(delivery, subscription)
        return self._record(delivery, result, now)

    def _send(self, delivery: dict[str, Any], subscription: dict[str, Any] | None) -> SendResult:
        try:
            if delivery["channel"] == "email":
                return self.mailer.send(delivery["address"], delivery["payload"], delivery["delivery_id"])
            if subscription is None or not subscription["active"]:
                return SendResult(False, transient=False, error="subscription deleted or deactivated")
            headers = {
                sig.EVENT_ID_HEADER: delivery["source_event_id"],
                sig.EVENT_TYPE_HEADER: delivery["source_event_type"],
                sig.DELIVERY_ID_HEADER: delivery["delivery_id"],
            }
            return self.webhooks.send(subscription["url"], subscription["secret"], delivery["payload"], headers)
        except Exception as exc:
            log.exception("delivery %s raised", delivery["delivery_id"])
            return SendResult(False, transient=True, error=f"{type(exc).__name__}: {exc}")

    def _record(self, delivery: dict[str, Any], result: SendResult, now: datetime) -> str:
        policy = self.email_retry if delivery["channel"] == "email" else self.webhook_retry
        attempt_no = delivery["attempts"] + 1
        if result.ok:
            outcome = "delivered"
        elif result.transient and attempt_no < policy.max_attempts:
            outcome = "retry"
        else:
            outcome = "failed"
        at = now
        with self.uow() as uow:
            retry_at = at + timedelta(seconds=policy.delay_after(attempt_no)) if outcome == "retry" else None
            delivery_log.record_attempt(
                uow.session,
                delivery,
                at=at,
                outcome=outcome,
                error=result.error,
                status_code=result.status_code,
                retry_at=retry_at,
            )
            if delivery["channel"] == "email" and outcome != "retry":
                self._announce(uow, delivery, outcome, attempt_no, result.error)
            uow.commit()
        if outcome != "delivered":
            log.warning(
                "delivery %s (%s) attempt %d: %s (%s)",
                delivery["delivery_id"],
                delivery["channel"],
                attempt_no,
                outcome,
                result.error,
            )
        return outcome

    @staticmethod
    def _announce(uow: UnitOfWork, delivery: dict[str, Any], outcome: str, attempts: int, error: str | None) -> None:
        payload: dict[str, Any] = {
            "notice_id": delivery["notice_id"],
            "nip": delivery["recipient_nip"],
            "channel": "email",
            "source_event_type": delivery["source_event_type"],
            "source_event_id": delivery["source_event_id"],
            "delivery_id": delivery["delivery_id"],
            "attempts": attempts,
        }
        if outcome == "delivered":
            event_type = "notice.delivered"
        else:
            event_type = "notice.failed"
            payload["error"] = (error or "unknown error")[:2000]
        uow.publish(
            event_type,
            payload,
            tenant=delivery["tenant"],
            aggregate_id=delivery["notice_id"],
            aggregate_version=attempts,
        )
