"""The two outgoing transports: e-mail over SMTP (stdlib smtplib) and webhooks over HTTP(S) (urllib).

Each returns a `SendResult` telling the dispatcher whether a failure is worth retrying:
connection trouble, timeouts, SMTP 4xx, HTTP 5xx/408/429 are transient; the rest is permanent.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from services.notifications.settings import SmtpSettings
from shared import webhook_signature as sig


@dataclass(frozen=True)
class SendResult:
    ok: bool
    transient: bool = False
    error: str | None = None
    status_code: int | None = None


class Mailer(Protocol):
    def send(self, to: str, payload: str, delivery_id: str) -> SendResult: ...


class WebhookSender(Protocol):
    def send(self, url: str, secret: str, body: str, headers: dict[str, str]) -> SendResult: ...


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def message(self, to: str, payload: str, delivery_id: str) -> EmailMessage:
        content = json.loads(payload)
        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = to
        msg["Subject"] = content["subject"]
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=delivery_id.replace("-", ""), domain="kinerja.local")
        msg["Content-Language"] = content.get("language", "id")
        msg["X-Kinerja-Delivery-Id"] = delivery_id
        msg.set_content(content["body"])
        return msg

    def send(self, to: str, payload: str, delivery_id: str) -> SendResult:
        s = self.settings
        if not s.enabled:
            return SendResult(False, transient=True, error="SMTP is not configured (SMTP_HOST is empty)")
        message = self.message(to, payload, delivery_id)
        try:
            smtp_cls = smtplib.SMTP_SSL if s.ssl else smtplib.SMTP
            with smtp_cls(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls and not s.ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return SendResult(False, transient=all(400 <= c < 500 for c in codes), error=f"recipient refused: {codes}")
        except smtplib.SMTPResponseException as exc:
            return SendResult(
                False, transient=400 <= exc.smtp_code < 500, error=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            )
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return SendResult(False, transient=True, error=f"{type(exc).__name__}: {exc}")
        return SendResult(True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead off the validated endpoint): it counts as a failure."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class HttpWebhookSender:
    def __init__(self, timeout_s: int = 10) -> None:
        self.timeout_s = timeout_s
        self._opener = urllib.request.build_opener(_NoRedirect())

    def send(self, url: str, secret: str, body: str, headers: dict[str, str]) -> SendResult:
        timestamp = int(time.time())
        data = body.encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - https/localhost only
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", "Kinerja-Webhooks/1")
        for name, value in headers.items():
            request.add_header(name, value)
        request.add_header(sig.TIMESTAMP_HEADER, str(timestamp))
        request.add_header(sig.SIGNATURE_HEADER, sig.sign(secret, timestamp, data))
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            return SendResult(False, transient=True, error=f"{type(exc).__name__}: {exc}")
        if 200 <= status < 300:
            return SendResult(True, status_code=status)
        transient = status >= 500 or status in (408, 425, 429)
        return SendResult(False, transient=transient, error=f"HTTP {status}", status_code=status)
