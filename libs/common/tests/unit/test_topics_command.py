"""`python -m mediabill_common.kafka.admin ensure-topics`: the catalog's topics with the replication asked for."""

import pytest

from mediabill_common.kafka import admin


@pytest.mark.parametrize(("argv", "replication"), [([], 1), (["--replication-factor", "3"], 3)])
def test_ensure_topics_creates_the_catalog_with_the_replication_factor_given(monkeypatch, argv, replication):
    calls = []

    async def ensure_topics(bootstrap_servers: str, topics=None, replication_factor: int = 1) -> list[str]:
        calls.append((bootstrap_servers, topics, replication_factor))
        return []

    monkeypatch.setattr(admin, "ensure_topics", ensure_topics)
    assert admin.main(["ensure-topics", "--bootstrap", "broker:9092", *argv]) == 0
    assert calls == [("broker:9092", None, replication)]
