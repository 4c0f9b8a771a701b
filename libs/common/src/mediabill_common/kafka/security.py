"""How every Kafka client of Mediabill authenticates to the broker: plaintext on the local stack; SASL (SCRAM or
PLAIN) and/or TLS, mutual TLS included, against a managed broker. Read from the environment, so every process (the
services' consumers, relays and APIs, the topics job, the dead-letter tools, the collections simulator) connects
the same way without each settings class repeating the names.

| variable | values |
|---|---|
| `KAFKA_SECURITY_PROTOCOL` | `PLAINTEXT` (default), `SSL`, `SASL_PLAINTEXT`, `SASL_SSL` |
| `KAFKA_SASL_MECHANISM` | `SCRAM-SHA-512` (default when SASL is on), `SCRAM-SHA-256`, `PLAIN` |
| `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` | the SASL credentials |
| `KAFKA_SSL_CAFILE` | the CA bundle the broker's certificate is checked against (the system's when unset) |
| `KAFKA_SSL_CERTFILE`, `KAFKA_SSL_KEYFILE` | the client's certificate and key, for mutual TLS |
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from typing import Any, Literal, Self

from aiokafka.helpers import create_ssl_context
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSecurity(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", env_file=None, extra="ignore", case_sensitive=False)

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = Field(default=None, description="CA bundle for the broker's certificate")
    ssl_certfile: str | None = Field(default=None, description="client certificate (mutual TLS)")
    ssl_keyfile: str | None = Field(default=None, description="client key (mutual TLS)")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.security_protocol.startswith("SASL_") and not (self.sasl_username and self.sasl_password):
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_USERNAME and "
                             "KAFKA_SASL_PASSWORD")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise ValueError("mutual TLS needs both KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE")
        if (self.ssl_certfile or self.ssl_cafile) and not self.security_protocol.endswith("SSL"):
            raise ValueError(f"KAFKA_SSL_* files are set but KAFKA_SECURITY_PROTOCOL={self.security_protocol} does "
                             "not use TLS (SSL or SASL_SSL)")
        return self

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.security_protocol.endswith("SSL"):
            return None
        context: ssl.SSLContext = create_ssl_context(cafile=self.ssl_cafile, certfile=self.ssl_certfile,
                                                     keyfile=self.ssl_keyfile)
        return context

    def client_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of an aiokafka producer, consumer or admin client."""
        kwargs: dict[str, Any] = {"security_protocol": self.security_protocol}
        context = self.ssl_context()
        if context is not None:
            kwargs["ssl_context"] = context
        if self.security_protocol.startswith("SASL_"):
            assert self.sasl_password is not None  # checked by _complete
            kwargs |= {"sasl_mechanism": self.sasl_mechanism, "sasl_plain_username": self.sasl_username,
                       "sasl_plain_password": self.sasl_password.get_secret_value()}
        return kwargs


@lru_cache(maxsize=1)
def from_environment() -> KafkaSecurity:
    """The process's Kafka security, read once from its environment."""
    return KafkaSecurity()


def client_kwargs(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for `security`, or for the process's environment when it is None."""
    return (security or from_environment()).client_kwargs()
