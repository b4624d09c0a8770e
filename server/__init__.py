"""The central server (NHSO): HTTP API (``api.create_app`` assembles ``routes/``, one router per area),
accounts, staging of change sets, the register of record.

It imports the rules from ``app/`` and never rewrites them. (Built in the server issue.)
"""
