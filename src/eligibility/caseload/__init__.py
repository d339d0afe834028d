"""Whole caseloads: synthetic cases, streaming batch runs, bevakningslista, law-change impact.

Every command is written once, over the result frame (``frame_schema.py``):
``result_frame.py`` produces it per chunk from the frame backend (through
``frame_input.py``, with the questions of ``questions.py``) or, for
``--per-case`` and every line the backend cannot decide, from the per-case
adapter ``per_case.py``. From it ``rows.py`` builds batch rows, ``watchlist.py``
events and ``impact.py`` tallies (``impact_report.py`` renders them).
``batch.py`` streams chunks with checkpoints on threads, processes or Dask
(``on_dask.py`` runs the same chunk function on a cluster); ``synth.py``
makes synthetic cases; ``output_guard.py``, ``csv_cells.py`` and
``worker_lifetime.py`` keep outputs and workers safe.
"""
