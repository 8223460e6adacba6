"""kafka-python computes a CRC-32C over every record batch it builds and every batch it reads. Its
fallback is a pure-Python loop over each byte: at year-end that was 9-12% of every worker's time
and capped bare produce and consume near 1,100 msg/s. The `crc32c` package must be installed and
picked up; a requirements change that drops it would otherwise only show as a slower year-end."""

from __future__ import annotations

from kafka.record import _crc32c as pure_python
from kafka.record import util


def test_kafka_python_checks_crcs_with_the_native_implementation() -> None:
    assert util._crc32c is not pure_python.crc


def test_the_native_crc32c_agrees_with_kafka_pythons_own() -> None:
    data = b"evaluation.completed " * 200
    assert util.calc_crc32c(memoryview(data)) == pure_python.crc(data)
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value
