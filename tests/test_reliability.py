"""Reliability: rule reload under load (real server), batch --resume after SIGKILL, disk full, bad input.

See docs/reliability.md. Everything here is bounded in time and deterministic
in what it asserts (the soak test asserts no timing figures).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility.case.read import MAX_LINE_BYTES
from eligibility.caseload import batch as batch_module
from eligibility.caseload.batch import CHUNK, COLUMNAR_CHUNK, checkpoint_path, run_batch
from eligibility.caseload.rows import RowWriter
from eligibility.caseload.synth import generate
from eligibility.cli import app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "eligibility"
runner = CliRunner()
SP_CASE = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
           "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False}}


def _cases(path: Path, n: int, seed: int = 11) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i, case in enumerate(generate(n, seed)):
            handle.write(json.dumps({"id": f"c{i}", **case}, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- reload under load


def test_rule_reload_under_load_serves_only_complete_rulebooks(tmp_path):
    import soak
    result = soak.run_soak(seconds=6, rate=12, window=60, faults=True, workdir=tmp_path)
    assert result["passed"], result["failures"]
    assert len(result["faults"]) == 3 and "reload 422" in result["faults"][0] and "conditions.yaml" in result["faults"][0]
    assert result["rulebook_sets_served"] == 2
    statuses = {int(k) for k in result["statuses"]}
    assert statuses <= {200, 400, 404, 415, 422} and {200, 400, 404, 415, 422} <= statuses
    assert result["log_leaks"] == []


def test_log_scan_finds_personnummer_and_birth_dates(tmp_path):
    import soak
    log = tmp_path / "server.log"
    log.write_text('{"ts": "2026-01-01T10:00:00Z", "latency_ms": 1.234, "request_id": "ab12"}\n'
                   'value 197506021234 here\n{"x": "1980-02-03"}\n', encoding="utf-8")
    found = soak.scan_log(log, {"1980-02-03"})
    assert len(found) == 2 and "line 2" in found[0] and "1980-02-03" in found[1]


# --------------------------------------------------------------------------- batch --resume


def _wait_for_checkpoint(ckpt: Path, process: subprocess.Popen, first: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the batch finished before it could be killed")
        try:
            state = json.loads(ckpt.read_text(encoding="utf-8"))
            if state["line"] >= first:
                return state
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    pytest.fail("no checkpoint appeared")


@pytest.mark.parametrize("per_case,n,chunk", [(True, 1600, CHUNK), (False, 16_000, COLUMNAR_CHUNK)],
                         ids=["per-case", "columnar"])
def test_batch_killed_with_sigkill_resumes_without_losing_or_duplicating_cases(tmp_path, per_case, n, chunk):
    cases = _cases(tmp_path / "in.jsonl", n)
    with (tmp_path / "in.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")  # an error row too, so the errors file is resumed as well
    reference = tmp_path / "ref.jsonl"
    # Resuming is what is tested, on a caseload large enough to be killed mid-run: Kleene (--no-exact) keeps
    # the three runs to seconds (exact: ~2-4 ms per open row; the resume checkpoint records the semantics).
    run_batch(cases, reference, tmp_path / "ref.errors.jsonl", per_case=per_case, exact=False)

    output = tmp_path / "out.jsonl"
    ckpt = checkpoint_path(output)
    mode = ["--per-case", "--no-exact"] if per_case else ["--no-exact"]
    process = subprocess.Popen([str(BIN), "batch", str(cases), "-o", str(output), "--workers", "1", *mode],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        state = _wait_for_checkpoint(ckpt, process, chunk)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not output.exists() and state["line"] < n + 1
    partial = output.with_name(output.name + ".partial")
    assert partial.exists() and ckpt.exists()

    result = subprocess.run([str(BIN), "batch", str(cases), "-o", str(output), "--workers", "1", *mode,
                             "--resume"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.errors.jsonl").read_bytes() == (tmp_path / "ref.errors.jsonl").read_bytes()
    lines = [json.loads(line)["line"] for line in output.read_text(encoding="utf-8").splitlines()]
    assert lines == list(range(1, n + 1))
    assert not partial.exists() and not ckpt.exists()


def _fail_after(monkeypatch, rows: int) -> None:
    original = RowWriter.write
    count = {"n": 0}

    def write(self, row):
        count["n"] += 1
        if count["n"] > rows:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(self, row)

    monkeypatch.setattr(RowWriter, "write", write)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("per_case,chunk", [(True, CHUNK), (False, COLUMNAR_CHUNK)], ids=["per-case", "columnar"])
def test_disk_full_exits_1_names_the_path_and_resume_completes(tmp_path, monkeypatch, suffix, per_case, chunk):
    cases = _cases(tmp_path / "in.jsonl", chunk + 60)
    reference = tmp_path / f"ref{suffix}"
    run_batch(cases, reference, tmp_path / "ref.err.jsonl", per_case=per_case, exact=False)
    output = tmp_path / f"out{suffix}"
    mode = ["--per-case", "--no-exact"] if per_case else ["--no-exact"]  # resuming is tested, not exactness

    _fail_after(monkeypatch, chunk + 20)  # the first chunk is checkpointed, the second hits "disk full"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1", *mode])
    assert result.exit_code == 1
    assert str(output) in result.output and "No space left on device" in result.output
    assert "--resume" in result.output
    assert not output.exists()

    monkeypatch.undo()  # space freed
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1", *mode, "--resume"])
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == reference.read_bytes()


def test_disk_full_before_any_checkpoint_leaves_nothing(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl", 50)
    output = tmp_path / "out.jsonl"
    _fail_after(monkeypatch, 10)
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1"])
    assert result.exit_code == 1 and str(output) in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_unwritable_output_directory_is_a_clear_error(tmp_path):
    cases = _cases(tmp_path / "in.jsonl", 5)
    if os.geteuid() == 0:  # root writes anywhere: use a path whose "directory" is a file
        blocked = tmp_path / "file"
        blocked.write_text("", encoding="utf-8")
    else:
        blocked = tmp_path / "ro"
        blocked.mkdir()
        blocked.chmod(0o500)
    output = blocked / "out.jsonl"
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1"])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "out.jsonl" in result.output
    assert not output.exists()


def test_resume_with_changed_input_is_refused(tmp_path, monkeypatch):
    cases = _cases(tmp_path / "in.jsonl", 520)
    output = tmp_path / "out.jsonl"
    _fail_after(monkeypatch, 510)  # after the first checkpoint (chunks of 500 case by case)
    per_case = ["batch", str(cases), "-o", str(output), "--workers", "1", "--per-case"]
    assert runner.invoke(app, per_case).exit_code == 1
    monkeypatch.undo()
    with cases.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(SP_CASE) + "\n")
    result = runner.invoke(app, [*per_case, "--resume"])
    assert result.exit_code == 2 and "start over" in result.output
    # Another mode is another run: refused too.
    assert "start over" in runner.invoke(app, [*per_case[:-1], "--resume"]).output
    # Without --resume the partial run is simply started over.
    result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1"])
    assert result.exit_code == 0 and len(output.read_text().splitlines()) == 521


def test_resume_without_checkpoint_runs_from_the_start(tmp_path):
    cases = _cases(tmp_path / "in.jsonl", 20)
    summary = run_batch(cases, tmp_path / "out.jsonl", tmp_path / "err.jsonl", resume=True)
    assert summary.decided == 20 and len((tmp_path / "out.jsonl").read_text().splitlines()) == 20


# --------------------------------------------------------------------------- malformed input


def test_malformed_jsonl_lines_are_errors_and_the_run_continues(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(SP_CASE).encode()
    with path.open("wb") as handle:
        handle.write(good + b"\n")                                    # 1 ok
        handle.write(b"\x00\xff\xfe\x89PNG\r\n")                      # 2 binary garbage
        handle.write(b'{"as_of": "' + b"x" * (10 * 1024 * 1024) + b'"}\n')  # 3 a 10 MB line
        handle.write(good + b"\n")                                    # 4 ok
        handle.write(good[: len(good) // 2])                          # 5 truncated last line, no newline
    summary = run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    assert summary.decided == 2 and summary.errors == 3
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    errors = [json.loads(line) for line in (tmp_path / "err.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 4]
    assert [e["line"] for e in errors] == [2, 3, 5]
    reasons = [e["problems"][0]["reason"] for e in errors]
    assert "not UTF-8" in reasons[0]
    assert f"longer than {MAX_LINE_BYTES} bytes" in reasons[1]
    assert "not valid JSON" in reasons[2]


def test_latin1_csv_fails_only_its_non_utf8_rows(tmp_path):
    path = tmp_path / "excel.csv"
    header = "id;as_of;birth_date;employment;benefit_type;sjukpenning_days_used;allvarlig_sjukdom\n"
    rows = ["a1;2011-03-15;1975-06-02;arbetslos;sjukpenning;700;nej\n",
            "Åsa-2;2011-03-15;1975-06-02;arbetslos;sjukpenning;700;nej\n",
            "a3;2011-03-15;1975-06-02;arbetslos;sjukpenning;700;nej\n"]
    path.write_bytes((header + "".join(rows)).encode("latin-1"))
    summary = run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    assert summary.decided == 2 and summary.errors == 1
    error = json.loads((tmp_path / "err.jsonl").read_text(encoding="utf-8"))
    assert error["line"] == 3 and "not UTF-8" in error["problems"][0]["reason"]
    assert [json.loads(r)["id"] for r in (tmp_path / "out.jsonl").read_text().splitlines()] == ["a1", "a3"]


def test_checkpoint_is_replaced_atomically(tmp_path):
    # The checkpoint is written to a temp file and renamed: never a torn JSON file.
    cases = _cases(tmp_path / "in.jsonl", 1050)
    seen = []
    original = batch_module.replace_atomically

    def spy(path, text, **options):
        original(path, text, **options)
        seen.append(json.loads(path.read_text(encoding="utf-8"))["line"])

    batch_module.replace_atomically = spy
    try:
        run_batch(cases, tmp_path / "out.jsonl", tmp_path / "err.jsonl", per_case=True)
    finally:
        batch_module.replace_atomically = original
    assert seen == [CHUNK, 2 * CHUNK, 1050]
    assert not list(tmp_path.glob("*.tmp")) and not checkpoint_path(tmp_path / "out.jsonl").exists()
