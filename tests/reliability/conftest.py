import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a fault test over a stream of thousands of events (deselect with -m 'not slow')"
    )
