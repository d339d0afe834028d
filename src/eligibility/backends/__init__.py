"""The three backends that evaluate the leaf conditions of a rulebook.

``engine.py`` (durable-rules, the production backend), ``reference.py``
(plain Python, the differential-test oracle) and ``frame.py`` (polars, a whole
caseload at once).
"""
