"""The PySide6 desktop program: it shows and asks; what an officer's action does is a use case of
``app/usecases/`` run on the database worker, and the window redraws what it returns. ``workspace.py`` is the
window after log-in (the unit's people, then the role's tabs in ``tabs/``, one duty per file); ``pin_prompt.py``
is the one place a card PIN is asked. It talks to the card and sync services through small interfaces; slow
work never runs on the GUI thread."""
