"""Correctness of runs: the seed template, data mounts, errors, figures, reports, streaming,
parallelism and cancellation."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path

import pytest
from ascent.execution.v1 import execution_service_pb2 as pb

from services.execution.sandbox import (
    Limits,
    OutputChunk,
    QueuePosition,
    SandboxError,
    SandboxPool,
    SandboxResult,
)
from services.execution.service import build_run
from tests.execution.sandbox_helpers import (
    SEED_TEMPLATE,
    collect,
    make_spec,
    run_code,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _dataset(tmp_path: Path) -> Path:
    rows = ["feat_a,feat_b,feat_c,label"]
    for i in range(120):
        rows.append(f"{i % 7},{(i * 3) % 11},{i % 5},{i % 2}")
    path = tmp_path / "uploaded.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


async def test_seed_template_without_dataset(pool: SandboxPool) -> None:
    result = await run_code(pool, SEED_TEMPLATE)
    assert result.status == "ok", result.stderr
    assert result.exit_code == 0 and result.error is None
    lines = result.stdout.splitlines()
    info = json.loads(lines[0].removeprefix("DATASET_INFO: "))
    assert info["rows"] == 150 and info["columns"] == 4  # iris fallback
    assert "MODEL_TYPE: LogisticRegression" in lines
    assert any(line.startswith("ACCURACY: 1.0000") for line in lines)
    assert any(line.startswith("CONFUSION_MATRIX: [[") for line in lines)
    assert "CLASSIFICATION_REPORT:" in result.stdout
    assert result.duration_ms > 0 and result.peak_memory_kb > 0


async def test_dataset_is_mounted_read_only(pool: SandboxPool, tmp_path: Path) -> None:
    dataset = _dataset(tmp_path)
    dataset.chmod(0o666)  # only the read-only mount stands in the way
    features = tmp_path / "features.csv"
    features.write_text("feat_a,feat_b\n1,2\n")
    code = (
        SEED_TEMPLATE
        + """
import os
print("WRITABLE", os.access("/data/uploaded.csv", os.W_OK))
try:
    open("/data/uploaded.csv", "a").write("hacked")
    print("APPEND ok")
except OSError as e:
    import errno
    print("APPEND", errno.errorcode[e.errno])
print("EXTRA", open("/data/test_features.csv").read().splitlines()[0])
print("DATA_DIR", sorted(os.listdir("/data")))
"""
    )
    result = await run_code(
        pool, code, dataset_path=str(dataset), input_files={"test_features.csv": str(features)}
    )
    assert result.status == "ok", result.stderr
    info = json.loads(result.stdout.splitlines()[0].removeprefix("DATASET_INFO: "))
    assert info == {"rows": 120, "columns": 3, "features": ["feat_a", "feat_b", "feat_c"]}
    assert "WRITABLE False" in result.stdout
    assert "APPEND EROFS" in result.stdout
    assert "EXTRA feat_a,feat_b" in result.stdout
    assert "DATA_DIR ['test_features.csv', 'uploaded.csv']" in result.stdout
    assert "hacked" not in dataset.read_text()


async def test_missing_dataset_is_a_clear_error(pool: SandboxPool, tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="not found"):
        await run_code(pool, "print(1)", dataset_path=str(tmp_path / "nope.csv"))
    with pytest.raises(SandboxError, match="invalid input file name"):
        await run_code(pool, "print(1)", input_files={"../x": str(_dataset(tmp_path))})


async def test_syntax_error_is_reported_cleanly(pool: SandboxPool) -> None:
    result = await run_code(pool, "print('hi')\nx = (1,\nprint(x)\n")
    assert result.status == "error"
    assert result.error is not None and result.error.type == "SyntaxError"
    assert "line 2" in result.error.message
    assert result.error.traceback[0].strip() == 'File "main.py", line 2'
    assert result.stdout == ""  # nothing ran


async def test_runtime_error_shows_only_learner_frames(pool: SandboxPool) -> None:
    code = """\
from sklearn.linear_model import LogisticRegression

def train():
    model = LogisticRegression()
    model.fit([[1.0], [2.0]], [0, 1, 1])

print("before")
train()
"""
    result = await run_code(pool, code)
    assert result.status == "error" and result.exit_code == 1
    err = result.error
    assert err is not None and err.type == "ValueError"
    assert "inconsistent numbers of samples" in err.message
    assert len(err.traceback) == 2
    assert err.traceback[0].startswith('  File "main.py", line 8, in <module>')
    assert err.traceback[1].startswith('  File "main.py", line 5, in train')
    for text in (*err.traceback, result.stderr):
        assert "site-packages" not in text and "_ascent" not in text and "ascent_zygote" not in text
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.rstrip().endswith(f"ValueError: {err.message}")
    assert result.stdout == "before\n"


async def test_sys_exit_codes(pool: SandboxPool) -> None:
    ok = await run_code(pool, "import sys\nprint('bye')\nsys.exit(0)")
    assert (ok.status, ok.exit_code) == ("ok", 0)
    bad = await run_code(pool, "import sys\nsys.exit(3)")
    assert (bad.status, bad.exit_code) == ("error", 3)


async def test_figures_are_captured(pool: SandboxPool) -> None:
    code = """
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [3, 1, 2])
plt.title("shown")
plt.show()
fig, ax = plt.subplots()
ax.bar(["a", "b"], [1, 2])
print("done")
"""
    result = await run_code(pool, code)
    assert result.status == "ok", result.stderr
    assert len(result.figures) == 2
    assert all(f.startswith(b"\x89PNG\r\n\x1a\n") for f in result.figures)


async def test_ascent_report(pool: SandboxPool) -> None:
    code = """
import ascent_report
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
iris = load_iris(as_frame=True)
X, y = iris.data, iris.target
pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=300)).fit(X, y)
pred = pipe.predict(X)
ascent_report.log_classification(y, pred)
ascent_report.model(pipe)
ascent_report.metrics(custom=np.float32(0.25), note="baseline")
ascent_report.predictions(pred[:10])
reg = ascent_report.log_regression(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
print("rmse", round(reg["rmse"], 4))
"""
    result = await run_code(pool, code)
    assert result.status == "ok", result.stderr
    report = result.report
    cls = report["classification"]
    assert set(cls) >= {
        "accuracy",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "precision_weighted",
        "recall_weighted",
        "f1_weighted",
        "confusion_matrix",
        "labels",
    }
    assert len(cls["confusion_matrix"]) == 3 and cls["labels"] == [0, 1, 2]
    assert report["confusion_matrix"] == cls["confusion_matrix"]
    metrics = report["metrics"]
    assert metrics["accuracy"] == pytest.approx(cls["accuracy"])
    assert metrics["f1"] == pytest.approx(cls["f1_macro"])
    assert metrics["custom"] == pytest.approx(0.25) and metrics["note"] == "baseline"
    assert metrics["rmse"] == pytest.approx(0.57735, abs=1e-4)
    assert report["regression"]["r2"] == pytest.approx(0.5)
    model = report["model"]
    assert model["type"] == "Pipeline" and model["is_pipeline"] and model["fitted"]
    assert model["final_estimator"] == "LogisticRegression"
    assert [s["type"] for s in model["steps"]] == ["StandardScaler", "LogisticRegression"]
    assert model["steps"][1]["params"]["C"] == 0.5
    assert model["feature_names"] == [
        "sepal length (cm)",
        "sepal width (cm)",
        "petal length (cm)",
        "petal width (cm)",
    ]
    json.dumps(report)  # JSON-safe all the way down
    assert result.predictions == [0] * 10
    assert "rmse 0.5774" in result.stdout


async def test_unused_report_is_empty(pool: SandboxPool) -> None:
    result = await run_code(pool, "print(1)")
    assert result.report == {} and result.predictions is None and result.figures == []


async def test_output_streams_while_running(pool: SandboxPool) -> None:
    code = (
        "import sys, time\nprint('first')\nprint('oops', file=sys.stderr)\n"
        "time.sleep(2)\nprint('second')\n"
    )
    seen: list[tuple[float, object]] = []
    async for item in pool.run(make_spec(code)):
        seen.append((time.monotonic(), item))
    first_at = next(t for t, i in seen if isinstance(i, OutputChunk) and "first" in i.text)
    end_at, result = seen[-1]
    assert isinstance(result, SandboxResult)
    assert end_at - first_at >= 1.0  # arrived before the run finished
    assert OutputChunk("stderr", "oops\n") in [i for _, i in seen]
    assert result.stdout == "first\nsecond\n" and result.stderr == "oops\n"


async def test_twenty_parallel_runs_are_not_mixed_up(pool: SandboxPool) -> None:
    async def one(i: int) -> tuple[int, SandboxResult]:
        code = (
            "import random, time\n"
            f"time.sleep(random.random() * 0.05)\nprint('I am {i}')\n"
            f"open('mine.txt', 'w').write('{i}')\nprint('file', open('mine.txt').read())\n"
            f"import ascent_report\nascent_report.predictions([{i}])\n"
        )
        _, result = await collect(pool, make_spec(code, owner=f"owner-{i % 3}"))
        return i, result

    results = await asyncio.gather(*(one(i) for i in range(20)))
    for i, result in results:
        assert result.status == "ok", result.stderr
        assert result.stdout == f"I am {i}\nfile {i}\n"
        assert result.predictions == [i]


async def test_cancel_running_and_queued(pool: SandboxPool) -> None:
    blockers = [
        make_spec("import time\nprint('started', flush=True)\ntime.sleep(120)") for _ in range(2)
    ]
    queued = make_spec("print('should not run')")
    streams = [pool.run(s) for s in blockers]
    for stream in streams:  # both workers busy
        async for item in stream:
            if isinstance(item, OutputChunk) and "started" in item.text:
                break
    queued_stream = pool.run(queued)
    first = await anext(queued_stream)
    assert first == QueuePosition(1)
    assert await pool.cancel(queued.run_id)
    result = await anext(queued_stream)
    assert isinstance(result, SandboxResult) and result.status == "cancelled"

    t0 = time.monotonic()
    for spec in blockers:
        assert await pool.cancel(spec.run_id)
    for stream in streams:
        results = [i async for i in stream]
        assert isinstance(results[-1], SandboxResult)
        assert results[-1].status == "cancelled" and results[-1].stdout == "started\n"
    assert time.monotonic() - t0 < 10
    assert not await pool.cancel(blockers[0].run_id)  # already finished
    assert not await pool.cancel("no-such-run")


async def test_abandoned_stream_cancels_its_run(pool: SandboxPool) -> None:
    spec = make_spec("import time\nprint('started', flush=True)\ntime.sleep(120)")
    stream = pool.run(spec)
    # What abandoning means for an async generator: closed before its end.
    assert isinstance(stream, AsyncGenerator)
    async for item in stream:
        if isinstance(item, OutputChunk):
            break
    await stream.aclose()
    for _ in range(100):
        if pool.stats()["busy"] == 0:
            break
        await asyncio.sleep(0.1)
    assert pool.stats()["busy"] == 0
    assert (await run_code(pool, "print('next')")).status == "ok"


async def test_stats(pool: SandboxPool) -> None:
    stats = pool.stats()
    assert stats["workers"] == 2 and stats["busy"] == 0 and stats["queued"] == 0
    assert stats["rss_kb"] > 50_000  # warm interpreters with the ML stack loaded


async def test_duplicate_run_id_rejected(pool: SandboxPool) -> None:
    spec = make_spec("import time\ntime.sleep(1)", limits=Limits(wall_seconds=5))
    stream = pool.run(spec)
    task = asyncio.ensure_future(collect_stream(stream))
    await asyncio.sleep(0.1)
    with pytest.raises(SandboxError, match="already"):
        pool.run(spec)
    assert (await task).status == "ok"


async def collect_stream(
    stream: AsyncIterator[OutputChunk | QueuePosition | SandboxResult],
) -> SandboxResult:
    last = None
    async for item in stream:
        last = item
    assert isinstance(last, SandboxResult)
    return last


async def test_worker_crash_is_survived(pool: SandboxPool) -> None:
    spec = make_spec("import time\nprint('started', flush=True)\ntime.sleep(120)")
    stream = pool.run(spec)
    async for item in stream:
        if isinstance(item, OutputChunk):
            break
    victim = next(w for w in pool._workers if w.job is not None and w.job.spec is spec)
    assert victim.proc is not None
    os.kill(victim.proc.pid, signal.SIGKILL)  # e.g. the OOM killer picking the zygote
    result = [i async for i in stream][-1]
    assert isinstance(result, SandboxResult) and result.status == "killed"
    for _ in range(600):  # a replacement worker warms up in the background
        if pool.stats()["workers"] == 2 and pool.stats()["busy"] == 0:
            break
        await asyncio.sleep(0.1)
    assert pool.stats()["workers"] == 2 and pool.stats()["busy"] == 0
    results = await asyncio.gather(*(run_code(pool, f"print({i})") for i in range(4)))
    assert [r.stdout for r in results] == ["0\n", "1\n", "2\n", "3\n"]


async def test_last_expression_dataframe_is_displayed_as_a_table(pool: SandboxPool) -> None:
    code = """
import pandas as pd
df = pd.DataFrame({"a": range(100), "b": ["<b>x</b>"] * 100, "c": [0.5] * 100})
df.head()
"""
    result = await run_code(pool, code)
    assert result.status == "ok", result.stderr
    shown = result.report["display"]
    assert shown["kind"] == "table" and shown["type_name"] == "DataFrame"
    table = shown["table"]
    assert table["columns"] == ["a", "b", "c"]
    assert table["index"] == ["0", "1", "2", "3", "4"]
    assert table["rows"][1] == ["1", "<b>x</b>", "0.5"]
    assert (table["total_rows"], table["total_columns"]) == (5, 3)
    run = build_run(pb.ExecuteRequest(run_id="r", code=code), result)
    assert run.display.kind == "table" and run.display.table.rows[1].cells[0] == "1"


async def test_last_expression_bounds_a_big_frame_and_a_series(pool: SandboxPool) -> None:
    code = "import pandas as pd\npd.DataFrame({f'c{i}': range(1000) for i in range(80)})"
    table = (await run_code(pool, code)).report["display"]["table"]
    assert len(table["rows"]) == 50 and len(table["columns"]) == 50
    assert (table["total_rows"], table["total_columns"]) == (1000, 80)
    series = await run_code(pool, "import pandas as pd\npd.Series([1.5, 2.0], name='s')")
    shown = series.report["display"]
    assert shown["kind"] == "table" and shown["type_name"] == "Series"
    assert shown["table"]["columns"] == ["s"] and shown["table"]["rows"] == [["1.5"], ["2.0"]]


async def test_last_expression_scalar_is_its_repr(pool: SandboxPool) -> None:
    result = await run_code(pool, "x = 40\nx + 2")
    assert result.report["display"] == {"kind": "text", "type_name": "int", "text": "42"}
    result = await run_code(pool, "'a' * 100_000")
    assert len(result.report["display"]["text"]) == 20_000


async def test_none_a_statement_or_a_semicolon_last_displays_nothing(pool: SandboxPool) -> None:
    for code in ("print('hi')", "x = 1", "for i in range(2):\n    i", "x = 5\nx;", "None"):
        result = await run_code(pool, code)
        assert result.status == "ok", (code, result.stderr)
        assert "display" not in result.report, code
        run = build_run(pb.ExecuteRequest(run_id="r", code=code), result)
        assert not run.HasField("display"), code


async def test_last_expression_error_is_the_learners_traceback(pool: SandboxPool) -> None:
    result = await run_code(pool, "x = 1\n1 / 0")
    assert result.status == "error" and result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert any("line 2" in frame for frame in result.error.traceback)
    assert "display" not in result.report
