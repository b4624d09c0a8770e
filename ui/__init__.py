"""The PySide6 desktop program. It talks to use cases in ``app/`` and to the card and sync services
through small interfaces; slow work never runs on the GUI thread."""
