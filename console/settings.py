"""The console's settings, from the environment (docs/operations.md, "The console")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from deploy.processes import SERVICES


def _default_urls() -> dict[str, str]:
    return {svc.name: f"http://127.0.0.1:{svc.port}" for svc in SERVICES}


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    host: str = "127.0.0.1"
    port: int = 8080
    # Where each service's API is, by service name; e.g. CONSOLE_SERVICE_URLS='{"invoice-svc": "http://10.0.0.5:8002"}'
    # (the names not given keep the local stack's addresses).
    console_service_urls: dict[str, str] = Field(default_factory=dict)
    # "dev": a sign-in page that mints a development token for the name and roles a person picks (the stack's
    # HS256 secret); "oidc": OpenID Connect, authorization code with PKCE, against CONSOLE_OIDC_ISSUER.
    console_auth: Literal["dev", "oidc"] = "dev"
    jwt_hs256_secret: str | None = Field(default="mediabill-dev-secret-change-me-0123456789")
    # The claim that holds a person's roles in the provider's tokens; the services read the same setting.
    jwt_roles_claim: str = "roles"
    console_oidc_issuer: str | None = None
    console_oidc_client_id: str | None = None
    console_oidc_client_secret: str | None = None
    console_oidc_scopes: str = "openid profile"
    # The console's own address as the provider redirects back to it (…/auth/callback is appended).
    console_public_url: str = "http://127.0.0.1:8080"
    # Whether the session cookie is sent only over HTTPS (set it behind TLS).
    console_secure_cookie: bool = False
    # The built web application (npm run build in console/web).
    console_assets_dir: str | None = None
    # A signed-in session lasts at most this long (the token's own expiry is also kept).
    console_session_ttl_s: int = Field(default=8 * 3600, ge=60)

    def service_urls(self) -> dict[str, str]:
        return {**_default_urls(), **self.console_service_urls}
