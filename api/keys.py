"""``python -m api.keys <keyid>``: make a new random API key and the entry to configure for it.

The key goes to the client; only the ``keyid:sha256hex`` entry goes into the
server's environment (ELIGIBILITY_API_KEYS / _FILE / ELIGIBILITY_ADMIN_KEYS).
"""

from __future__ import annotations

import secrets
import sys

from .settings import hash_key


def main(argv: list[str]) -> None:
    """Print a new key and its entry."""
    key_id = argv[0] if argv else "client"
    secret = secrets.token_urlsafe(32)
    print(f"key (give to the client):    {secret}")
    print(f"entry (configure on server): {key_id}:{hash_key(secret)}")


if __name__ == "__main__":
    main(sys.argv[1:])
