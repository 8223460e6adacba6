"""`python -m services.notifications {web,worker,migrate,makemigration,send-reminders,dispatch}`.

The worker runs, beside the shared consumer and outbox relay, two loops of its own: the
dispatcher (e-mail and webhook deliveries, every DISPATCH_INTERVAL_MS) and the reminder run
(every REMINDER_INTERVAL_S; 0 turns it off when cron runs `send-reminders` instead).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from services.notifications.bootstrap import (
    SERVICE,
    create_app,
    create_dispatcher,
    create_runtime,
    event_handlers,
    send_reminders,
)
from services.notifications.settings import NotificationSettings
from shared.logs import configure_logging
from shared.runtime import run_service_cli

log = logging.getLogger("services.notifications")
OWN_COMMANDS = ("send-reminders", "dispatch", "worker")


def _loop(name: str, every_s: float, stop: threading.Event, step: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            try:
                step()
            except Exception:
                log.exception("%s failed; trying again in %.0fs", name, every_s)
            stop.wait(every_s)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def _at(raw: str | None) -> datetime:
    if not raw:
        return datetime.now(UTC)
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in OWN_COMMANDS:
        run_service_cli(SERVICE, create_runtime=create_runtime, create_app=create_app, handlers=event_handlers)
        return
    parser = argparse.ArgumentParser(prog=f"python -m services.{SERVICE}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("worker", help="consume events, relay the outbox, send deliveries and reminders")
    for name, text in (("send-reminders", "send the reminders due now, once"), ("dispatch", "send due deliveries")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--now", help="ISO date-time to compute with (default: now)")
    args = parser.parse_args(argv)
    configure_logging(SERVICE)
    options = NotificationSettings.from_env()
    runtime = create_runtime()

    if args.command == "send-reminders":
        sent = send_reminders(runtime, options, _at(args.now))
        print(json.dumps({"sent": len(sent), "keys": sent}))
    elif args.command == "dispatch":
        print(json.dumps(create_dispatcher(runtime, options).run_once(_at(args.now))))
    else:
        worker = runtime.build_worker(event_handlers(runtime))
        worker.install_signal_handlers()
        dispatcher = create_dispatcher(runtime, options)
        _loop("deliveries", options.dispatch_interval_s, worker.stop_event, dispatcher.run_once)
        if options.reminder_interval_s > 0:
            _loop("reminders", options.reminder_interval_s, worker.stop_event, lambda: send_reminders(runtime, options))
        worker.run()


if __name__ == "__main__":
    main(sys.argv[1:])
