"""Issuing the yearly licence (see sync/licence.py for what it is and how the client checks it)."""
from __future__ import annotations

import datetime as _dt
import os

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.engine import Connection

from sync.licence import encode, fiscal_bounds, fiscal_year, payload_bytes, version_tuple

from .security import signing_key


def min_client_version() -> str:
    return os.environ.get("LGO_MIN_CLIENT_VERSION", "0.1.0")


def public_key(conn: Connection) -> bytes:
    return signing_key(conn).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def issue(conn: Connection, installation_id: str, unit_code: str, today: _dt.date) -> tuple[str, dict]:
    """The licence for the fiscal year of ``today`` (from 1 September, the next year's too)."""
    year = fiscal_year(today + _dt.timedelta(days=30))
    start, until = fiscal_bounds(year)
    payload = {"installation_id": installation_id, "unit_code": unit_code, "fiscal_year": year,
               "valid_from": start.isoformat(), "valid_until": until.isoformat(), "min_version": min_client_version(),
               "issued": today.isoformat()}
    return encode(payload, signing_key(conn).sign(payload_bytes(payload))), payload


def too_old(version: str) -> bool:
    return version_tuple(version) < version_tuple(min_client_version())
