"""The suite runs on the database and broker the environment names, never silently on another."""

import os

import pytest
from django.conf import settings
from django.db import connection


def test_database_follows_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_broker_follows_redis_url():
    from django_q.brokers import get_broker

    broker = get_broker()
    if os.environ.get("REDIS_URL"):
        assert settings.Q_CLUSTER.get("redis") == os.environ["REDIS_URL"]
        assert type(broker).__name__ == "Redis"
        assert broker.ping()
    else:
        assert type(broker).__name__ == "ORM"


@pytest.mark.django_db
def test_broker_round_trips_a_message():
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.purge_queue()
    broker.enqueue("payload")
    task = broker.dequeue()
    assert task, "the broker returned nothing"
    broker.acknowledge(task[0][0])
