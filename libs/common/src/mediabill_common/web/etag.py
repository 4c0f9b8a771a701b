"""ETag / If-Match helpers for optimistic concurrency on updatable resources."""

from __future__ import annotations

from fastapi import Response

from mediabill_common.web.problems import PreconditionFailed


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def check_if_match(if_match: str | None, current_version: int) -> None:
    """Raise 412 when the client's If-Match names another version than the current one."""
    if if_match is None or if_match.strip() == "*":
        return
    wanted = {tag.strip() for tag in if_match.split(",")}
    current = etag_for(current_version)
    if current not in wanted and current.removeprefix("W/") not in wanted:
        raise PreconditionFailed(
            f"The resource changed: its current ETag is {current}, the request's If-Match was {if_match}. "
            "Fetch it again and reapply your change.")
