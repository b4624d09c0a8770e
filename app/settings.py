"""Machine-wide settings that IT writes at install time (``setup.exe /S /SERVER=https://…``).

An INI file in the machine-wide configuration folder — ``%ProgramData%\\NHSO\\LGO Registry Desk\\settings.ini``
on Windows — read-only for the program. Without it the program uses the embedded central server on
loopback (training and single-machine use).
"""
from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .store.db import APP_AUTHOR, APP_NAME

DEFAULT_SERVER = "http://127.0.0.1:8765"


def settings_path() -> Path:
    override = os.environ.get("LGO_MACHINE_SETTINGS")
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)) / "settings.ini"


@dataclass(frozen=True)
class MachineSettings:
    central_server: str
    source: str  # the file it came from, or "default"


def load() -> MachineSettings:
    path = settings_path()
    parser = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8-sig") as f:  # NSIS writes UTF-16 or ANSI; see below
            parser.read_file(f)
    except UnicodeDecodeError:
        with open(path, encoding="utf-16") as f:
            parser.read_file(f)
    except (FileNotFoundError, configparser.Error):
        return MachineSettings(DEFAULT_SERVER, "default")
    server = parser.get("central", "server", fallback="").strip()
    if not server:
        return MachineSettings(DEFAULT_SERVER, "default")
    return MachineSettings(server.rstrip("/"), str(path))
