# syntax=docker/dockerfile:1
# One image per service: `docker build --build-arg SERVICE=invoice-svc .` installs that workspace package and
# its dependencies only (--package). SERVICE=all installs every service, for the one-shot migrate and topics jobs
# that need every service's migrations and the topic catalog.
# Layering as in fastapi/full-stack-fastapi-template: dependencies first, so a code change does not reinstall them.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
# From PyPI, pinned to the version that wrote uv.lock.
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
ARG SERVICE=all

# uv needs every workspace member's pyproject.toml to read the lock, even for one package.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/
COPY services/product-config-svc/pyproject.toml services/product-config-svc/
COPY services/invoice-svc/pyproject.toml services/invoice-svc/
COPY services/dispute-svc/pyproject.toml services/dispute-svc/
COPY services/adjustment-svc/pyproject.toml services/adjustment-svc/
COPY services/accounting-svc/pyproject.toml services/accounting-svc/
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$SERVICE" = all ]; then set -- --all-packages; else set -- --package "$SERVICE"; fi; \
    uv sync --frozen --no-dev --no-install-workspace "$@"

COPY libs libs
COPY services services
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$SERVICE" = all ]; then set -- --all-packages; else set -- --package "$SERVICE"; fi; \
    uv sync --frozen --no-dev --no-editable "$@"

FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --system --uid 10001 --home-dir /app mediabill
WORKDIR /app
# The source tree comes along for alembic.ini and migrations/; the code itself runs from the venv.
COPY --from=builder --chown=mediabill:mediabill /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0
USER mediabill
# Each container names its process, e.g. ["python", "-m", "invoice_svc", "api"] (see docker-compose.yml).
CMD ["python", "-c", "import sys; sys.exit('give a command: python -m <package> api|consumer|relay')"]
