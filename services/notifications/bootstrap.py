"""Notifications' composition root: builds the runtime, the web app, the worker's handlers, the
dispatcher of e-mail and webhook deliveries, and the reminder run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import Flask

from services.notifications.adapters.tables import MIGRATIONS, eventing, metadata
from services.notifications.adapters.template_files import load_templates
from services.notifications.adapters.transports import HttpWebhookSender, Mailer, SmtpMailer, WebhookSender
from services.notifications.entrypoints.admin_api import (
    campaigns_blueprint,
    deliveries_blueprint,
    preferences_blueprint,
    webhooks_blueprint,
)
from services.notifications.entrypoints.api import create_blueprint
from services.notifications.service_layer import handlers, reminders
from services.notifications.service_layer.dispatch import Dispatcher
from services.notifications.settings import NotificationSettings
from shared.config import Settings
from shared.messaging.consumer import Handler
from shared.runtime import ServiceRuntime

SERVICE = "notifications"


def create_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings or Settings.from_env(SERVICE),
        metadata,
        eventing,
        MIGRATIONS,
        after_publish=handlers.fan_out_own_events,
    )


def create_app(runtime: ServiceRuntime | None = None, options: NotificationSettings | None = None) -> Flask:
    runtime = runtime or create_runtime()
    options = options or NotificationSettings.from_env()
    templates = load_templates()
    return runtime.web_app(
        title="Kinerja — Notifications",
        description="Notices about plans, evaluations, rewards and pembinaan (inbox and e-mail), reminders, "
        "sosialisasi campaigns and signed webhooks for agencies.",
        blueprints=[
            create_blueprint(runtime.uow),
            preferences_blueprint(runtime.uow),
            deliveries_blueprint(runtime.uow),
            campaigns_blueprint(runtime.uow, templates),
            webhooks_blueprint(runtime.uow, allow_http_localhost=options.webhook_allow_http_localhost),
        ],
    )


def event_handlers(_runtime: ServiceRuntime) -> Mapping[str, Handler]:
    """One handler per consumed event type; the templates are read here, once per worker."""
    return handlers.event_handlers(load_templates())


def create_dispatcher(
    runtime: ServiceRuntime,
    options: NotificationSettings | None = None,
    *,
    mailer: Mailer | None = None,
    webhooks: WebhookSender | None = None,
) -> Dispatcher:
    options = options or NotificationSettings.from_env()
    return Dispatcher(
        uow=runtime.uow,
        mailer=mailer or SmtpMailer(options.smtp),
        webhooks=webhooks or HttpWebhookSender(options.webhook_timeout_s),
        email_retry=options.email_retry,
        webhook_retry=options.webhook_retry,
    )


def send_reminders(
    runtime: ServiceRuntime, options: NotificationSettings | None = None, now: datetime | None = None
) -> list[str]:
    options = options or NotificationSettings.from_env()
    return reminders.send_due_reminders(runtime.uow, load_templates(), options.reminders, now)
