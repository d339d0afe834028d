"""The ``eligibility`` command line (typer): ``eligibility.cli:app`` is the entry point.

``app.py`` builds the app and registers every command explicitly; the command
modules (``caseload.py``, ``frame.py``, ``history.py``, ``serve.py``) share
``common.py`` and never import ``app.py``.
"""

from .app import app

__all__ = ["app"]
