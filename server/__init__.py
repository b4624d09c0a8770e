"""The central server (NHSO): HTTP API, accounts, staging of change sets, the register of record.

It imports the rules from ``app/`` and never rewrites them. (Built in the server issue.)
"""
