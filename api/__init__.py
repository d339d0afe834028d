"""HTTP API of the eligibility service (FastAPI). Thin: validate, call ``eligibility``, format.

``create_app()`` builds the app; ``eligibility serve`` runs it under uvicorn.
"""

from .main import create_app

__all__ = ["create_app"]
