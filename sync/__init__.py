"""Client sync: the outbox, push/pull against the central server, blobs; ``sync.protocol`` is the wire
format shared with ``server/``. (Built in the sync issues.)
"""
