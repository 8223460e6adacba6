"""`python -m services.<name> worker`: the worker is built, told to stop on signals, its heap settled
for the garbage collector (shared/gc_policy.py) — only then run."""

import dataclasses

from shared import runtime as runtime_module
from shared.config import Settings


class StubWorker:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def install_signal_handlers(self) -> None:
        self.calls.append("signals")

    def run(self) -> None:
        self.calls.append("run")


class StubRuntime:
    def __init__(self, settings: Settings, calls: list[str]) -> None:
        self.settings = settings
        self.calls = calls

    def build_worker(self, handlers):
        self.calls.append(f"build {sorted(handlers)}")
        return StubWorker(self.calls)


def test_the_worker_command_settles_the_heap_with_the_configured_thresholds_before_running(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the command empties it
    monkeypatch.setattr(runtime_module, "configure_logging", lambda service: None)  # the test runner's stays
    calls: list[str] = []
    settings = dataclasses.replace(Settings.from_env("stub"), worker_gc_thresholds=(1234, 5, 6))
    monkeypatch.setattr(runtime_module, "settle_worker_heap", lambda thresholds: calls.append(f"settle {thresholds}"))
    runtime_module.run_service_cli(
        "stub",
        create_runtime=lambda: StubRuntime(settings, calls),
        create_app=lambda: None,
        handlers=lambda runtime: {"plan.returned": None},
        argv=["worker"],
    )
    assert calls == ["build ['plan.returned']", "signals", "settle (1234, 5, 6)", "run"]
