"""Facts: what the conditions read, derived from a case, and the date arithmetic.

``derived.py`` declares every case-level derived fact and key date once, with
its per-case and frame form; ``derive.py`` computes them for one case (the
frame backend compiles the same declarations). ``dates.py`` declares every
date operation the same way; ``calendar.py`` holds the tables its frame
forms read.
"""
