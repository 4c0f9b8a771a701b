"""SASL/SCRAM on a real broker: a KRaft broker of the test's own whose only client listener is SASL_PLAINTEXT with
SCRAM-SHA-256, its users created when its storage is formatted, as a managed broker's are. Mediabill's clients
(make_producer, make_consumer, ensure_topics) authenticate with the settings a deployment gives them
(KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*), and a wrong password is refused."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError

from deploy.processes import kafka_args
from mediabill_common.kafka import make_consumer, make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.kafka.security import KafkaSecurity, client_kwargs, from_environment
from mediabill_common.testing.plugin import REPO_ROOT
from mediabill_common.testing.polling import poll_until
from mediabill_common.testing.ports import free_port

pytestmark = pytest.mark.integration
MECHANISM = "SCRAM-SHA-256"
USER, PASSWORD = "mediabill-svc", "scram-" + uuid.uuid4().hex


def _kafka_libs() -> Path:
    version = re.search(r"^KAFKA_VERSION=(\S+)", (REPO_ROOT / "deploy/lib/kafka.sh").read_text(), re.M)
    assert version is not None
    libs = REPO_ROOT / ".stack" / "kafka-libs" / version.group(1)
    if not (libs / f"kafka_2.13-{version.group(1)}.jar").exists() or shutil.which("java") is None:
        message = f"no Kafka jars in {libs} or no java (./mediabill test resolves them)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return libs


def _properties(data: Path, port: int, controller: int) -> str:
    login = "org.apache.kafka.common.security.scram.ScramLoginModule required"
    return "\n".join([
        "process.roles=broker,controller", "node.id=1", f"controller.quorum.voters=1@127.0.0.1:{controller}",
        f"listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}", "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=SASL_PLAINTEXT",
        "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"sasl.enabled.mechanisms={MECHANISM}", f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
        f'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config={login} username="broker" '
        'password="broker-secret";',
        f"log.dirs={data}", "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=false", ""])


@pytest.fixture(scope="module")
def scram_broker(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    libs = _kafka_libs()
    home = tmp_path_factory.mktemp("scram-broker")
    port, controller = free_port(), free_port()
    properties = home / "server.properties"
    properties.write_text(_properties(home / "data", port, controller))
    java = ["java", "-cp", f"{libs}/*", f"-Dlog4j2.configurationFile={REPO_ROOT}/deploy/kafka/log4j2.properties"]
    subprocess.run([*java, "kafka.tools.StorageTool", "format", "-t", uuid.uuid4().hex[:22].replace("-", "a"),
                    "-c", str(properties),
                    "--add-scram", f"{MECHANISM}=[name=broker,password=broker-secret]",
                    "--add-scram", f"{MECHANISM}=[name={USER},password={PASSWORD}]"],
                   check=True, capture_output=True, text=True)
    # The stack's logging, plus the line the broker writes when it refuses a client's credentials.
    log4j = home / "log4j2.properties"
    log4j.write_text((REPO_ROOT / "deploy/kafka/log4j2.properties").read_text()
                     + "logger.auth.name = org.apache.kafka.common.network.Selector\nlogger.auth.level = INFO\n")
    argv = [f"-Dlog4j2.configurationFile={log4j}" if arg.startswith("-Dlog4j2.configurationFile=") else arg
            for arg in kafka_args(libs, properties)]
    log = (home / "broker.log").open("w")
    broker = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"127.0.0.1:{port}", home / "broker.log"
    finally:
        broker.terminate()
        try:
            broker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            broker.kill()
        log.close()


def _security(password: str) -> KafkaSecurity:
    return KafkaSecurity(security_protocol="SASL_PLAINTEXT", sasl_mechanism=MECHANISM, sasl_username=USER,
                         sasl_password=password)


async def _topics_created(bootstrap: str, topic: str) -> bool:
    try:
        await ensure_topics(bootstrap, {topic: 2}, security=_security(PASSWORD))
    except (KafkaError, OSError):
        return False  # the broker is still starting
    return True


async def test_services_authenticate_with_scram_and_a_wrong_password_is_refused(scram_broker):
    bootstrap, broker_log = scram_broker
    topic = f"scram-check-{uuid.uuid4().hex[:6]}"
    await poll_until(lambda: _topics_created(bootstrap, topic), what="the SCRAM broker to create a topic",
                     until=bool, every_s=1, timeout_s=120)

    producer = make_producer(bootstrap, client_id="scram-test", security=_security(PASSWORD))
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello over SCRAM", key=b"k")
    finally:
        await producer.stop()
    consumer = make_consumer(bootstrap, group_id=f"scram-{uuid.uuid4().hex[:6]}", client_id="scram-test",
                             topics=[topic], security=_security(PASSWORD))
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=60)
    finally:
        await consumer.stop()
    assert record.value == b"hello over SCRAM"

    refused = make_producer(bootstrap, client_id="scram-wrong", security=_security("not-the-password"))
    with pytest.raises(KafkaError):
        await refused.start()
    await refused.stop()
    with pytest.raises(KafkaError):  # and without SASL at all
        await ensure_topics(bootstrap, {topic: 2}, security=KafkaSecurity(security_protocol="PLAINTEXT"))
    logged = broker_log.read_text()
    assert f"invalid credentials with SASL mechanism {MECHANISM}" in logged  # refused for its password
    assert "during SASL handshake" in logged  # and the plaintext client for speaking without SASL


async def test_every_client_reads_the_security_of_its_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", MECHANISM)
    monkeypatch.setenv("KAFKA_SASL_USERNAME", USER)
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "from-the-secret")
    from_environment.cache_clear()
    try:
        assert client_kwargs()["sasl_plain_password"] == "from-the-secret"
        producer = make_producer("127.0.0.1:9", client_id="env")
        assert producer.client._security_protocol == "SASL_PLAINTEXT"
        assert producer.client._sasl_plain_username == USER
    finally:
        from_environment.cache_clear()


def test_settings_refuse_what_cannot_connect():
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KafkaSecurity(security_protocol="SASL_SSL")
    with pytest.raises(ValueError, match="KAFKA_SSL_KEYFILE"):
        KafkaSecurity(security_protocol="SSL", ssl_certfile="/etc/client.pem")
    with pytest.raises(ValueError, match="does not use TLS"):
        KafkaSecurity(security_protocol="SASL_PLAINTEXT", sasl_username="u", sasl_password="p",
                      ssl_cafile="/etc/ca.pem")
    assert KafkaSecurity().client_kwargs() == {"security_protocol": "PLAINTEXT"}
    sasl = _security("pw").client_kwargs()
    assert sasl == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": MECHANISM,
                    "sasl_plain_username": USER, "sasl_plain_password": "pw"}
    assert KafkaSecurity(security_protocol="SASL_SSL", sasl_username="u", sasl_password="p").client_kwargs()[
        "ssl_context"].check_hostname
