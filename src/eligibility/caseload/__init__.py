"""Whole caseloads: synthetic cases, streaming batch runs, bevakningslista, law-change impact.

``batch.py`` (streaming, checkpoints, workers) writes the rows of ``rows.py``
(per case, also ``decide_chunk``) or ``frame_rows.py`` (the same rows from
the frame backend); ``watchlist.py``, ``impact.py`` (+ ``impact_report.py``)
and ``synth.py`` are the other commands' logic; ``on_dask.py`` runs a chunk
task on a Dask cluster; ``output_guard.py``, ``csv_cells.py`` and
``worker_lifetime.py`` keep outputs and workers safe.
"""
