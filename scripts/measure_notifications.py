"""Rough figures for notifications on PostgreSQL (not a test): campaign publish to N people,
a reminder run over N people, and e-mail dispatch to a local SMTP server.

    KINERJA_TEST_DATABASE_URL=postgresql+psycopg://kinerja@127.0.0.1:25432/postgres \
        .venv/bin/python -m scripts.measure_notifications --people 5000 --emails 500
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from datetime import UTC, datetime

from services.notifications.adapters.template_files import load_templates
from services.notifications.bootstrap import create_dispatcher, create_runtime, event_handlers
from services.notifications.domain.reminders import ReminderPolicy
from services.notifications.service_layer import campaigns
from services.notifications.service_layer.reminders import send_due_reminders
from services.notifications.settings import NotificationSettings, SmtpSettings
from shared.auth import Principal
from tests.conftest import DatabaseFactory
from tests.unit.notifications.local_servers import smtp_server
from tests.unit.notifications.notifications_samples import employee, envelope


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--emails", type=int, default=500)
    args = parser.parse_args()
    url = DatabaseFactory(os.environ["KINERJA_TEST_DATABASE_URL"]).new_database("notif_measure")
    base = create_runtime()
    runtime = create_runtime(dataclasses.replace(base.settings, database_url=url))
    runtime.migrate()
    handlers = event_handlers(runtime)

    started = time.perf_counter()
    for i in range(args.people):
        nip = f"19850330201001{i % 2 + 1}{i:03d}"[:14] + f"{i:04d}"
        record = employee(nip, f"Pegawai {i}", unit_id=f"UNIT{i % 40}", unit_name=f"Unit {i % 40}",
                          email=f"p{i}@example.go.id" if i < args.emails else None)  # fmt: skip
        with runtime.uow() as uow:
            handlers["employee.registered"](uow, envelope("employee.registered", **record))
            uow.commit()
    print(f"directory: {args.people} employee.registered handled in {time.perf_counter() - started:.1f}s")

    admin = Principal("198001012005011001", frozenset({"admin_instansi"}), "1671")
    campaign = campaigns.create(
        runtime.uow(), admin, {"kind": "announcement", "title_id": "Sosialisasi", "body_id": "Isi", "target": {}}
    )
    started = time.perf_counter()
    published = campaigns.publish(runtime.uow(), admin, campaign["campaign_id"], load_templates())
    print(f"campaign to {published['targeted']} people published in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    sent = send_due_reminders(runtime.uow, load_templates(), ReminderPolicy(), datetime(2027, 1, 28, 2, tzinfo=UTC))
    print(f"reminder run: {len(sent)} SKP-due reminders sent in {time.perf_counter() - started:.1f}s")

    with smtp_server() as (mailbox, port):
        options = NotificationSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, starttls=False))
        dispatcher = create_dispatcher(runtime, options)
        started = time.perf_counter()
        while dispatcher.run_once(limit=500)["delivered"]:
            pass
        print(
            f"e-mail: {len(mailbox.messages)} delivered to a local SMTP server in {time.perf_counter() - started:.1f}s"
        )
    runtime.engine.dispose()


if __name__ == "__main__":
    main()
