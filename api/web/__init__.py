"""The handläggare's web page: server-rendered, offline, Swedish (docs/web.md)."""
