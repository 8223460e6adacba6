"""The producers' partitioner must put every key where kafka-python's default (the Java client's
murmur2) puts it: other producers of the same topics, and agencies reading them, rely on a key's
events sharing a partition."""

import random

import pytest
from kafka.partitioner.default import DefaultPartitioner

from shared.messaging import kafka as kafka_clients
from shared.messaging.kafka import RememberingPartitioner, create_producer


class Cluster:
    def __init__(self, partitions: dict[str, set[int]], unavailable: set[int] = frozenset()) -> None:
        self._partitions = partitions
        self._unavailable = unavailable

    def topics(self) -> set[str]:
        return set(self._partitions)

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return self._partitions.get(topic)

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self._partitions[topic] - self._unavailable


@pytest.mark.parametrize("count", [1, 3, 4, 6, 12, 48])
def test_every_key_lands_where_the_default_puts_it(count):
    rng = random.Random(count)
    keys = [f"{rng.randrange(10**17, 10**18)}".encode() for _ in range(2000)]
    keys += [rng.randbytes(rng.randrange(0, 40)) for _ in range(2000)]
    cluster = Cluster({"kinerja.evaluation.events": set(range(count))})
    ours, default = RememberingPartitioner(remembered_keys=500), DefaultPartitioner()
    for key in keys + keys:  # the second time from the memory (for the first 500 or so)
        expected = default.partition("kinerja.evaluation.events", None, key, None, None, cluster)
        assert ours.partition("kinerja.evaluation.events", None, key, None, None, cluster) == expected


def test_partitions_added_to_a_topic_are_used_at_once():
    cluster = Cluster({"t": set(range(4))})
    ours, default = RememberingPartitioner(), DefaultPartitioner()
    keys = [str(n).encode() for n in range(300)]
    for key in keys:
        ours.partition("t", None, key, None, None, cluster)
    cluster._partitions["t"] = set(range(12))  # remembered hashes, new partition count
    assert [ours.partition("t", None, k, None, None, cluster) for k in keys] == [
        default.partition("t", None, k, None, None, cluster) for k in keys
    ]
    assert max(ours.partition("t", None, k, None, None, cluster) for k in keys) >= 4


def test_unkeyed_records_go_to_an_available_partition():
    cluster = Cluster({"t": set(range(4))}, unavailable={0, 1, 2})
    assert {RememberingPartitioner().partition("t", None, None, None, None, cluster) for _ in range(50)} == {3}


def test_an_unknown_topic_is_refused_like_the_default():
    with pytest.raises(ValueError, match="not found"):
        RememberingPartitioner().partition("nope", None, b"k", None, None, Cluster({}))


def test_the_services_producers_use_it(monkeypatch):
    made = {}
    monkeypatch.setattr(kafka_clients, "KafkaProducer", lambda **config: made.update(config))
    create_producer("127.0.0.1:9092", client_id="partitioner-test")
    assert isinstance(made["partitioner"], RememberingPartitioner)
