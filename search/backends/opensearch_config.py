"""Where the OpenSearch cluster is and how to talk to it; its failures as one-line MizanErrors.

Environment (read by `OpenSearchConfig.from_env`, never at import):
    MIZAN_OPENSEARCH_URL           http://localhost:9200 by default; https://… turns TLS on
    MIZAN_OPENSEARCH_USER          with MIZAN_OPENSEARCH_PASSWORD: HTTP basic authentication
    MIZAN_OPENSEARCH_PASSWORD
    MIZAN_OPENSEARCH_INDEX         "mizan" by default
    MIZAN_OPENSEARCH_VERIFY_CERTS  true by default; "0"/"false"/"no"/"off" turns verification off
    MIZAN_OPENSEARCH_CA_CERTS      a CA bundle that signed the cluster's certificate
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import opensearchpy

from search.errors import BackendError, BackendUnavailable, MizanError

log = logging.getLogger(__name__)

DEFAULT_URL = "http://localhost:9200"
DEFAULT_INDEX = "mizan"
START_HINT = "start it with `docker compose up -d opensearch`, or set MIZAN_OPENSEARCH_URL to a running cluster"
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,199}")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class OpenSearchConfigError(MizanError):
    """A MIZAN_OPENSEARCH_* setting that cannot work."""

    exit_code = 2


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise OpenSearchConfigError(f"{name}={value!r} is neither true nor false; set it to 1 or 0")


@dataclass(frozen=True)
class OpenSearchConfig:
    url: str = DEFAULT_URL
    user: str | None = None
    password: str | None = None
    index: str = DEFAULT_INDEX
    verify_certs: bool = True
    ca_certs: str | None = None
    timeout: float = 10.0  # seconds per request (bulk requests get longer: see OpenSearchBackend)
    max_retries: int = 2  # on refused connections, timeouts and 502/503/504, before giving up

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpenSearchConfigError(
                f"MIZAN_OPENSEARCH_URL={self.url!r} is not an http(s) URL; use e.g. {DEFAULT_URL}"
            )
        if not _INDEX_NAME.fullmatch(self.index):
            raise OpenSearchConfigError(
                f"MIZAN_OPENSEARCH_INDEX={self.index!r} is not a usable index name; use lowercase letters, "
                "digits, '-', '_' or '.', starting with a letter or digit"
            )
        if self.password and not self.user:
            raise OpenSearchConfigError("MIZAN_OPENSEARCH_PASSWORD is set without MIZAN_OPENSEARCH_USER; set both")
        if self.ca_certs and not os.path.isfile(self.ca_certs):
            raise OpenSearchConfigError(
                f"MIZAN_OPENSEARCH_CA_CERTS={self.ca_certs!r} is not a file; give the CA bundle"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OpenSearchConfig:
        env = os.environ if environ is None else environ
        config = cls(
            url=(env.get("MIZAN_OPENSEARCH_URL") or DEFAULT_URL).rstrip("/"),
            user=env.get("MIZAN_OPENSEARCH_USER") or None,
            password=env.get("MIZAN_OPENSEARCH_PASSWORD") or None,
            index=env.get("MIZAN_OPENSEARCH_INDEX") or DEFAULT_INDEX,
            verify_certs=_flag("MIZAN_OPENSEARCH_VERIFY_CERTS", env.get("MIZAN_OPENSEARCH_VERIFY_CERTS"), True),
            ca_certs=env.get("MIZAN_OPENSEARCH_CA_CERTS") or None,
        )
        if config.url.startswith("https:") and not config.verify_certs:
            log.warning("TLS certificates of %s are not verified (MIZAN_OPENSEARCH_VERIFY_CERTS is off)", config.url)
        return config

    def client(self) -> opensearchpy.OpenSearch:
        """A client with small timeouts that retries dropped connections and gateway errors, not 429s:
        bulk indexing backs off on 429 itself (helpers.streaming_bulk)."""
        return opensearchpy.OpenSearch(
            hosts=[self.url],
            http_auth=(self.user, self.password or "") if self.user else None,
            verify_certs=self.verify_certs,
            ca_certs=self.ca_certs,
            ssl_show_warn=self.verify_certs,  # turned off on purpose: warned once in from_env, not per request
            timeout=self.timeout,
            max_retries=self.max_retries,
            retry_on_timeout=True,
            retry_on_status=(502, 503, 504),
            http_compress=True,
        )


def _connection_reason(exc: opensearchpy.ConnectionError, timeout: float) -> str:
    if isinstance(exc, opensearchpy.ConnectionTimeout):
        return f"no answer within {timeout:g} s"
    found = re.search(r"\[Errno -?\d+\] ([^)\]'\"]+)", str(exc))
    return found.group(1).strip().rstrip(".").lower() if found else type(exc.info).__name__


def _error_reason(exc: opensearchpy.TransportError) -> str:
    """ "400 mapper_parsing_exception: failed to parse field [published]" from an error answer."""
    info: Any = exc.info
    reason = None
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        error = info["error"]
        causes = error.get("root_cause") or [error]
        reason = causes[0].get("reason") or error.get("reason")
    text = f"{exc.status_code} {exc.error}" + (f": {reason}" if reason else "")
    return " ".join(text.split())[:300]


@contextlib.contextmanager
def translated_errors(
    config: OpenSearchConfig, doing: str, hint: str = "see the OpenSearch log for why"
) -> Iterator[None]:
    """Turn the client's exceptions into one-line MizanErrors that say what to do (`hint` after other errors)."""
    where = f"OpenSearch at {config.url}"
    try:
        yield
    except opensearchpy.SSLError as exc:
        raise BackendUnavailable(
            f"TLS with {where} failed while trying to {doing} ({_connection_reason(exc, config.timeout)}); "
            "give its CA with MIZAN_OPENSEARCH_CA_CERTS, or set MIZAN_OPENSEARCH_VERIFY_CERTS=false "
            "for a local test cluster"
        ) from None
    except opensearchpy.ConnectionError as exc:
        raise BackendUnavailable(
            f"{where} cannot be reached ({_connection_reason(exc, config.timeout)}); {START_HINT}"
        ) from None
    except opensearchpy.AuthenticationException:
        raise BackendUnavailable(
            f"{where} refused our credentials; set MIZAN_OPENSEARCH_USER and MIZAN_OPENSEARCH_PASSWORD"
        ) from None
    except opensearchpy.AuthorizationException as exc:
        raise BackendUnavailable(
            f"{where} does not let user {config.user!r} {doing} on index {config.index!r} ({_error_reason(exc)}); "
            "grant that user read and write on the index, or use another user"
        ) from None
    except opensearchpy.TransportError as exc:
        if exc.status_code == 429:
            raise BackendError(f"{where} is overloaded (429) and refused to {doing}; try again in a moment") from None
        raise BackendError(f"{where} failed to {doing}: {_error_reason(exc)}; {hint}") from None
