"""The card side: every PC/SC call, on one thread — the Thai ID card, the PIN, the training-card emulator.

Nothing outside this package knows an APDU. (Built in the card issue; the rest of the program reaches it
through small interfaces.)
"""
