"""Training cards: a Thai ID card emulator plugged into the real pcscd through vsmartcard's vpcd."""
from .card import VirtualCard
from .vpcd import VPCD_PORT, CardSlot

__all__ = ["CardSlot", "VPCD_PORT", "VirtualCard"]
