"""Service configuration from the environment.

API keys are configured as ``keyid:sha256hex`` entries: the server never
sees a key in clear text at rest, only its SHA-256. Sources, merged:

* ``ELIGIBILITY_API_KEYS``: comma-separated entries (keys for ``/v1``),
* ``ELIGIBILITY_API_KEY_FILE``: a file with one entry per line (``#`` comments),
* ``ELIGIBILITY_ADMIN_KEYS``: comma-separated entries that may also reload rules.

Without any key the API is open, and ``eligibility serve`` refuses to bind to
anything but loopback.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_BODY_BYTES = 1024 * 1024
MAX_BATCH = 1000
_ENTRY = re.compile(r"^(?P<id>[A-Za-z0-9_.-]{1,64}):(?P<hash>[0-9a-fA-F]{64})$")


class SettingsError(ValueError):
    """Raised when the environment holds a malformed key entry or key file."""


@dataclass(frozen=True)
class ApiKey:
    """One configured key: its public id, the SHA-256 of the secret, and whether it may administer."""

    key_id: str
    sha256: str
    admin: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything the app needs from its environment."""

    keys: tuple[ApiKey, ...] = ()
    rules_dir: Path | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch: int = MAX_BATCH
    handle_sighup: bool = False
    # (requests, seconds) per key id, or per client IP without keys; None = no limit (the default).
    rate_limit: tuple[int, float] | None = None
    # The HTTP server's connection guard (api/server.py): seconds to send a complete request head, seconds
    # a request body may send nothing, and open connections at most (lowered to what RLIMIT_NOFILE allows).
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int = 1000

    @property
    def auth_enabled(self) -> bool:
        """True when at least one key is configured: then every /v1 route needs one."""
        return bool(self.keys)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read the key configuration from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        keys = _parse_entries(env.get("ELIGIBILITY_API_KEYS", ""), "ELIGIBILITY_API_KEYS", admin=False)
        key_file = env.get("ELIGIBILITY_API_KEY_FILE")
        if key_file:
            keys += _read_key_file(Path(key_file))
        keys += _parse_entries(env.get("ELIGIBILITY_ADMIN_KEYS", ""), "ELIGIBILITY_ADMIN_KEYS", admin=True)
        ids = [k.key_id for k in keys]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SettingsError(f"key ids must be unique; found twice: {', '.join(duplicates)}")
        if "rate_limit" not in overrides and env.get("ELIGIBILITY_RATE_LIMIT", "").strip():
            overrides["rate_limit"] = parse_rate_limit(env["ELIGIBILITY_RATE_LIMIT"])
        for name, kind in (("header_timeout", float), ("body_timeout", float), ("max_connections", int)):
            text = env.get(f"ELIGIBILITY_{name.upper()}", "").strip()
            if name not in overrides and text:
                overrides[name] = _positive(text, f"ELIGIBILITY_{name.upper()}", kind)
        return cls(keys=tuple(keys), **overrides)  # type: ignore[arg-type]


def _positive(text: str, where: str, kind: type) -> float | int:
    """A positive number from an environment variable (an int for a count, seconds as a float)."""
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not 0 < value < 1e9:
        raise SettingsError(f"{where}: expected a positive {'whole number' if kind is int else 'number of seconds'}")
    return value


def parse_rate_limit(text: str) -> tuple[int, float] | None:
    """``"600/60"`` -> (600, 60.0): N requests per S seconds; ``"off"`` -> None."""
    if text.strip().lower() in ("off", "0", "none"):
        return None
    match = re.fullmatch(r"\s*(\d{1,9})\s*/\s*(\d{1,9}(?:\.\d+)?)\s*", text)
    if not match or int(match[1]) < 1 or float(match[2]) <= 0:
        raise SettingsError("ELIGIBILITY_RATE_LIMIT: expected 'N/S' (N requests per S seconds, e.g. 600/60) or 'off'")
    return int(match[1]), float(match[2])


def hash_key(secret: str) -> str:
    """The SHA-256 hex digest under which a key secret is configured."""
    return hashlib.sha256(secret.encode()).hexdigest()


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _parse_entry(text: str, where: str, admin: bool) -> ApiKey:
    match = _ENTRY.match(text.strip())
    if not match:
        raise SettingsError(f"{where}: expected 'keyid:sha256hex' (64 hex digits), found an entry of "
                            f"{len(text.strip())} characters")  # never echo: it may be a clear-text key
    return ApiKey(match["id"], match["hash"].lower(), admin)


def _parse_entries(text: str, where: str, admin: bool) -> list[ApiKey]:
    return [_parse_entry(part, where, admin) for part in text.split(",") if part.strip()]


def _read_key_file(path: Path) -> list[ApiKey]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the key file ({exc.strerror})") from None
    return [_parse_entry(line, f"{path}:{number}", admin=False)
            for number, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]

