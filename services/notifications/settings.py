"""Notifications' own configuration, from environment variables (see README, "Notifications").

The shared `Settings` covers database, broker and tokens; this adds SMTP, reminder deadlines,
delivery retries and the webhook rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from services.notifications.domain.reminders import ReminderPolicy


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""  # empty: e-mail is switched off (deliveries wait, nothing is sent)
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    ssl: bool = False
    sender: str = "Kinerja <no-reply@kinerja.local>"
    timeout_s: int = 20

    @property
    def enabled(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay_s: int = 30  # 30 s, 1 min, 2 min, 4 min, ... (capped)
    max_delay_s: int = 3600

    def delay_after(self, attempts: int) -> int:
        return min(self.base_delay_s * 2 ** max(0, attempts - 1), self.max_delay_s)


@dataclass(frozen=True)
class NotificationSettings:
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    email_retry: RetryPolicy = field(default_factory=RetryPolicy)
    webhook_retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=8))
    webhook_allow_http_localhost: bool = False
    webhook_timeout_s: int = 10
    dispatch_interval_s: float = 2.0  # how often the worker looks for due deliveries
    reminder_interval_s: float = 3600.0  # how often the worker computes reminders (0: never; use the CLI)

    @classmethod
    def from_env(cls) -> NotificationSettings:
        return cls(
            smtp=SmtpSettings(
                host=os.environ.get("SMTP_HOST", ""),
                port=_int("SMTP_PORT", 587),
                user=os.environ.get("SMTP_USER", ""),
                password=os.environ.get("SMTP_PASSWORD", ""),
                starttls=_flag("SMTP_STARTTLS", True),
                ssl=_flag("SMTP_SSL", False),
                sender=os.environ.get("SMTP_FROM", SmtpSettings.sender),
                timeout_s=_int("SMTP_TIMEOUT_S", 20),
            ),
            reminders=ReminderPolicy(
                skp_due_month=_int("REMINDER_SKP_DUE_MONTH", 1),
                skp_due_day=_int("REMINDER_SKP_DUE_DAY", 31),
                skp_remind_days=_int("REMINDER_SKP_DAYS_BEFORE", 7),
                realisasi_due_days=_int("REMINDER_REALISASI_DUE_DAYS_AFTER_QUARTER", 10),
                realisasi_remind_days=_int("REMINDER_REALISASI_DAYS_BEFORE", 5),
                pending_approval_days=_int("REMINDER_PENDING_APPROVAL_AFTER_DAYS", 3),
                appeal_window_days=_int("APPEAL_WINDOW_DAYS", 14),
                appeal_remind_days=_int("REMINDER_APPEAL_DAYS_BEFORE", 3),
                timezone=os.environ.get("REMINDER_TIMEZONE", "Asia/Jakarta"),
            ),
            email_retry=RetryPolicy(
                max_attempts=_int("EMAIL_MAX_ATTEMPTS", 6), base_delay_s=_int("EMAIL_RETRY_BASE_S", 30)
            ),
            webhook_retry=RetryPolicy(
                max_attempts=_int("WEBHOOK_MAX_ATTEMPTS", 8), base_delay_s=_int("WEBHOOK_RETRY_BASE_S", 30)
            ),
            webhook_allow_http_localhost=_flag("WEBHOOK_ALLOW_HTTP_LOCALHOST", False),
            webhook_timeout_s=_int("WEBHOOK_TIMEOUT_S", 10),
            dispatch_interval_s=float(_int("DISPATCH_INTERVAL_MS", 2000)) / 1000,
            reminder_interval_s=float(_int("REMINDER_INTERVAL_S", 3600)),
        )
