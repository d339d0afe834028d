"""The case contract: fields, reading (one file, a caseload, a frame), validation, the valid case space.

Per case: ``fields.py``, ``file.py`` and ``yaml_loader.py`` (one case file),
``validate.py`` (typing and checks against a rulebook). Per caseload:
``read.py`` (JSONL / CSV / Parquet lines), ``read_frame.py`` and
``validate_frame.py`` (the same contract as polars columns). ``space.py``
declares what validation accepts as ranges the generators of random valid
cases draw from.
"""
