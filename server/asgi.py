"""The ASGI application for uvicorn's worker processes (``lgo-central serve --workers N``): configured from
the environment ($LGO_CENTRAL_DB, $LGO_BLOB_DIR), since every worker builds its own."""
from .api import create_app
from .db import default_blob_dir, default_url, make_engine

_url = default_url()
app = create_app(make_engine(_url), default_blob_dir(_url))
