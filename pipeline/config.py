"""Settings read from the environment, validated in one place before any work starts.

A bad value used to surface as a ``ValueError`` deep inside every fetch step (``PIPELINE_MAX_BYTES=abc``
crashed all 32 of them while the summary said nothing failed). :func:`validate_config` checks every
setting up front and names the variable, what it must be and what it got, so ``make refresh`` can stop
with one clear line; the accessors below raise the same :class:`ConfigError` when a library function is
called without the refresh in front of it.

Numeric settings of other modules can be declared here (``NUMERIC_SETTINGS``) so that one call checks
them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from pipeline import sandbox as _sandbox

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# name -> (kind, default). kind "int" = a positive integer, "float" = a positive number.
NUMERIC_SETTINGS: dict[str, tuple[str, float | int]] = {
    "PIPELINE_MAX_BYTES": ("int", DEFAULT_MAX_BYTES),
}
# The parse sandbox's limits (pipeline/sandbox.py holds the defaults and the reasons for them).
NUMERIC_SETTINGS.update(
    {var: ("int", getattr(_sandbox.Limits(), name)) for name, var in _sandbox.ENV.items()}
)


class ConfigError(ValueError):
    """A setting has a value the pipeline cannot use; the message names it and says what it must be."""


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def positive_int(name: str, default: int, env: Mapping[str, str] | None = None) -> int:
    raw = _env(env).get(name, "")
    if raw.strip() == "":
        return default
    text = raw.strip().replace("_", "")
    if not text.isdigit() or int(text) <= 0:
        raise ConfigError(f"{name} must be a positive integer (got {raw!r})")
    return int(text)


def positive_float(name: str, default: float, env: Mapping[str, str] | None = None) -> float:
    raw = _env(env).get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number (got {raw!r})")
    return value


def max_bytes(env: Mapping[str, str] | None = None) -> int:
    """``PIPELINE_MAX_BYTES``: largest document body a download may write (default 50 MiB)."""
    return positive_int("PIPELINE_MAX_BYTES", DEFAULT_MAX_BYTES, env)


def _check_mirror(value: str) -> str | None:
    u = urlparse(value)
    if u.scheme in ("http", "https"):
        return None if u.hostname else f"PIPELINE_MIRROR must name a host (got {value!r})"
    if u.scheme and len(u.scheme) > 1:  # "C:" is a path, "ftp:" is not
        return f"PIPELINE_MIRROR must be a directory or an http(s) URL (got {value!r})"
    if not Path(value).is_dir():
        # Without this, every document is "not in mirror", which the summary counts as expected.
        return f"PIPELINE_MIRROR must be an existing directory or an http(s) URL (got {value!r})"
    return None


def _check_wayback(value: str) -> str | None:
    if value in ("", "off", "0"):
        return None
    u = urlparse(value)
    if u.scheme not in ("http", "https") or not u.hostname:
        return f"PIPELINE_WAYBACK_BASE must be an http(s) URL or 'off' (got {value!r})"
    return None


def _check_dir(name: str, value: str) -> str | None:
    p = Path(value)
    if p.exists() and not p.is_dir():
        return f"{name} must be a directory (got {value!r}, which is a file)"
    return None


def config_problems(env: Mapping[str, str] | None = None) -> list[str]:
    """Every problem with the current settings, one line each (empty when all is well)."""
    env = _env(env)
    problems = []
    for name, (kind, default) in NUMERIC_SETTINGS.items():
        try:
            (positive_int if kind == "int" else positive_float)(name, default, env)
        except ConfigError as exc:
            problems.append(str(exc))
    if env.get("PIPELINE_MIRROR"):
        problems.append(_check_mirror(env["PIPELINE_MIRROR"]))
    if "PIPELINE_WAYBACK_BASE" in env:
        problems.append(_check_wayback(env["PIPELINE_WAYBACK_BASE"]))
    for name in ("PIPELINE_RAW_DIR", "PIPELINE_PROCESSED_DIR", "PIPELINE_PARSE_CACHE"):
        if env.get(name):
            problems.append(_check_dir(name, env[name]))
    return [p for p in problems if p]


def validate_config(env: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ConfigError` naming every bad setting; call once before a refresh starts."""
    problems = config_problems(env)
    if problems:
        raise ConfigError("; ".join(problems))
