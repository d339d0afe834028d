"""Decisions over time: timeline of one case, the regression snapshot, comparisons.

``timeline.py`` (one case over the coming months), ``snapshot.py`` (the
recorded corpus: the regression gate) and ``compare.py`` (one case under two
rulebooks).
"""
