"""Facts: what the conditions read, derived from a case, and the date arithmetic.

``derive.py`` (the derived facts and key dates of one case), ``dates.py``
(calendar arithmetic) and ``dates_frame.py`` (the same, as polars expressions).
"""
