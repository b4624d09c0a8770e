"""Machine-wide settings that IT writes at install time (``setup.exe /S /SERVER=https://…``).

An INI file in the machine-wide configuration folder — ``%ProgramData%\\NHSO\\LGO Registry Desk\\settings.ini``
on Windows — read-only for the program. Without it the program uses the embedded central server on
loopback (training and single-machine use).
"""
from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .store.db import APP_AUTHOR, APP_NAME

DEFAULT_SERVER = "http://127.0.0.1:8765"
# Where units e-mail their account requests: the address NHSO's guideline gives (seeds 000 §3.1). IT may set
# another in [nhso] registration_mailbox = … if NHSO announces one (the guideline "is revised often").
DEFAULT_NHSO_REGISTRATION_MAILBOX = "saraban7@nhso.go.th"


def settings_path() -> Path:
    override = os.environ.get("LGO_MACHINE_SETTINGS")
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)) / "settings.ini"


@dataclass(frozen=True)
class MachineSettings:
    central_server: str
    source: str  # the file it came from, or "default"
    # The DOPA PIN check is reverse-engineered and unconfirmed on real cards: off for them unless IT
    # turns it on ([card] pin_on_real_cards = yes). Training cards always have it.
    pin_on_real_cards: bool = False
    nhso_registration_mailbox: str = DEFAULT_NHSO_REGISTRATION_MAILBOX


def unreachable_hint(machine: MachineSettings) -> str:
    """What to add to "the central server cannot be reached" when nobody set this PC's server: the default
    is the training server on loopback, which runs beside the program only on a developer's or trainer's PC
    (the Windows program does not carry a server of its own)."""
    if machine.source != "default":
        return ""
    return (f"เครื่องนี้ยังไม่ได้ตั้งค่าที่อยู่เซิร์ฟเวอร์กลาง จึงใช้ค่าเริ่มต้นสำหรับฝึกอบรม ({machine.central_server}) "
            "กรุณาให้ผู้ดูแลระบบติดตั้งโปรแกรมอีกครั้งพร้อมระบุที่อยู่เซิร์ฟเวอร์กลาง (setup.exe /S /SERVER=https://…)")


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
    server = parser.get("central", "server", fallback="").strip().rstrip("/")
    try:
        pin = parser.getboolean("card", "pin_on_real_cards", fallback=False)
    except ValueError:
        pin = False
    mailbox = parser.get("nhso", "registration_mailbox", fallback="").strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", mailbox):
        mailbox = DEFAULT_NHSO_REGISTRATION_MAILBOX  # unset or not an address: the guideline's
    return MachineSettings(server or DEFAULT_SERVER, str(path), pin, mailbox)
