"""LGO Registry Desk core: domain, rules, use cases, the encrypted store, documents.

Imports neither Qt, HTTP, PC/SC nor a web framework; the server imports the rules from here.
"""
__version__ = "0.1.0"
