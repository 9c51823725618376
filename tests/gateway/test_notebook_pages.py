"""Notebook page routes: each serves the whole page, or only its fragment for HTMX.

No peer service runs in tests/gateway (see conftest): the parts that need one answer with a
clear "unavailable" fragment, which these tests check too. tests/browser covers the same
routes against the whole stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import nats
import nbformat as _nbformat
import pytest
from ascent.events.v1 import learning_pb2
from ascent.types.v1 import run_pb2

from gateway.live import page_stream
from services.common import events
from tests.gateway.conftest import GatewayUnderTest, browser_login
from tests.support.polling import wait_until

# nbformat ships no annotations: its calls are typed as Any here rather than ignored one by one.
nbformat: Any = _nbformat

HX = {"HX-Request": "true"}


async def notebook(
    gateway: GatewayUnderTest, username: str
) -> tuple[httpx.AsyncClient, str, dict[str, str]]:
    client = gateway.new_client()
    csrf = await browser_login(client, username)
    landing = await client.get("/notebook")
    notebook_id = landing.headers["location"].rsplit("/", 1)[1]
    return client, notebook_id, {"X-CSRF-Token": csrf}


def is_fragment(text: str) -> bool:
    return "<html" not in text and "<!doctype" not in text.lower()


async def test_page_and_fragment(gateway: GatewayUnderTest) -> None:
    client, nid, _ = await notebook(gateway, "page-ada")
    async with contextlib.aclosing(client):
        full = await client.get(f"/notebook/{nid}")
        assert full.status_code == 200
        assert "<html" in full.text
        # Layout of the seed: editor, upload, run, console; Dashboard, Runs and AI tabs.
        for marker in ('id="editor"', 'id="dataset-file"', 'id="run-btn"', 'id="output"'):
            assert marker in full.text
        for tab in ("tab-dashboard", "tab-runs", "tab-ai"):
            assert f'id="{tab}"' in full.text
        assert "load_iris" in full.text
        assert 'id="template-iris"' in full.text and 'id="template-regression"' in full.text
        # The Iris fallback is summarised on the dashboard from the first visit.
        assert 'id="summary-rows">150<' in full.text
        fragment = await client.get(f"/notebook/{nid}", headers=HX)
        assert fragment.status_code == 200
        assert is_fragment(fragment.text)
        assert 'id="run-form"' in fragment.text


async def test_save_code_fragment_and_csrf(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-bob")
    async with contextlib.aclosing(client):
        saved = await client.put(
            f"/notebook/{nid}/code", data={"code": "print('kept')\n"}, headers={**HX, **csrf}
        )
        assert saved.status_code == 200
        assert is_fragment(saved.text) and "Saved" in saved.text
        page = await client.get(f"/notebook/{nid}")
        assert "print(&#39;kept&#39;)" in page.text
        forged = await client.put(f"/notebook/{nid}/code", data={"code": "x"}, headers=HX)
        assert forged.status_code == 403
        full = await client.put(f"/notebook/{nid}/code", data={"code": "y = 1\n"}, headers=csrf)
        assert full.status_code == 200 and "<html" in full.text


def semicolon_cp1252_csv() -> bytes:
    rows = ["café;size;label", *[f"{i};{i * 2};{'oui' if i % 2 else 'non'}" for i in range(6)]]
    return "\n".join(rows).encode("cp1252")


async def test_upload_normalises_and_previews(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-cleo")
    async with contextlib.aclosing(client):
        response = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("fr.csv", semicolon_cp1252_csv(), "text/csv")},
            data={"target": "café"},
            headers={**HX, **csrf},
        )
        assert response.status_code == 200, response.text
        assert response.headers["HX-Trigger"] == "dataset-changed"
        assert is_fragment(response.text)
        assert 'table class="preview"' in response.text
        assert "cp1252" in response.text and "semicolon" in response.text
        # The chosen target is now the last column, as the starter code expects.
        download = await client.get(f"/notebook/{nid}/dataset.csv")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert download.content.decode("utf-8").splitlines()[0] == "size,label,café"

        retarget = await client.post(
            f"/notebook/{nid}/dataset/target", data={"target": "label"}, headers={**HX, **csrf}
        )
        assert retarget.status_code == 200
        assert "<option selected>label</option>" in retarget.text
        download = await client.get(f"/notebook/{nid}/dataset.csv")
        assert download.content.decode("utf-8").splitlines()[0] == "size,café,label"

        dashboard = await client.get(f"/notebook/{nid}/dashboard", headers=HX)
        assert dashboard.status_code == 200 and is_fragment(dashboard.text)
        assert 'id="summary-rows">6<' in dashboard.text
        assert "data-histograms" in dashboard.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"only\n1\n2\n", "at least 2 columns"),
        (b"1,2\n3,4\n5,6\n", "header"),
        (b"a,b\n1,2\n", "at least 2 data rows"),
        (b"\x89PNG\x00\x00", "binary"),
        # Every row longer than the header: pandas would quietly make an index of the extras.
        (b"a,b\n1,2,3,4\n5,6,7,8\n9,1,2,3\n", "Line 2 has more values than the header"),
        (b"a,b\n1,2\n1,2,3,4\n5,6\n", "Expected 2 fields in line 3, saw 4"),
    ],
)
async def test_bad_csv_fragment(gateway: GatewayUnderTest, content: bytes, message: str) -> None:
    client, nid, csrf = await notebook(gateway, f"bad-{abs(hash(content)) % 10_000}")
    async with contextlib.aclosing(client):
        response = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("x.csv", content, "text/csv")},
            headers={**HX, **csrf},
        )
        assert response.status_code == 400
        assert is_fragment(response.text)
        assert 'id="upload-error"' in response.text
        assert message in response.text
        assert "Traceback" not in response.text
        missing = await client.get(f"/notebook/{nid}/dataset.csv")
        assert missing.status_code == 404


async def test_unknown_target_is_refused(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-dan")
    async with contextlib.aclosing(client):
        response = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("x.csv", b"a,b\n1,2\n3,4\n", "text/csv")},
            data={"target": "zzz"},
            headers={**HX, **csrf},
        )
        assert response.status_code == 400
        assert "not a column" in response.text
        no_dataset = await client.post(
            f"/notebook/{nid}/dataset/target", data={"target": "a"}, headers={**HX, **csrf}
        )
        assert no_dataset.status_code == 422
        assert "Upload a CSV first" in no_dataset.text


async def test_fragments_that_need_services_say_so(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-eve")
    async with contextlib.aclosing(client):
        runs = await client.get(f"/notebook/{nid}/runs", headers=HX)
        assert runs.status_code == 200 and is_fragment(runs.text)
        assert "leaderboard" in runs.text.lower()

        detail = await client.get(f"/notebook/{nid}/runs/some-run", headers=HX)
        assert detail.status_code == 503 and is_fragment(detail.text)

        compare = await client.get(f"/notebook/{nid}/compare", headers=HX)
        assert compare.status_code == 400
        assert "two different runs" in compare.text

        improve = await client.post(f"/notebook/{nid}/improve", headers={**HX, **csrf})
        assert improve.status_code in (422, 503)
        assert is_fragment(improve.text) and "alert" in improve.text

        dashboard = await client.get(f"/notebook/{nid}/dashboard", headers=HX)
        assert dashboard.status_code == 200
        assert "Run your code" in dashboard.text
        full = await client.get(f"/notebook/{nid}/dashboard")
        assert "<html" in full.text


def sse_events(text: str) -> list[tuple[str, str]]:
    found = []
    for block in text.split("\n\n"):
        event = re.search(r"^event: (.+)$", block, re.M)
        data = "\n".join(re.findall(r"^data: ?(.*)$", block, re.M))
        if event:
            found.append((event.group(1), data))
    return found


async def test_streamed_run_reports_a_clean_failure(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-fay")
    async with contextlib.aclosing(client):
        response = await client.post(
            f"/notebook/{nid}/run/stream", data={"code": "print(1)"}, headers={**HX, **csrf}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        received = sse_events(response.text)
        assert [name for name, _ in received] == ["failed"]
        assert "execution" in received[0][1] and "alert" in received[0][1]
        other = await client.post(
            "/notebook/not-mine/run/stream", data={"code": "print(1)"}, headers={**HX, **csrf}
        )
        assert other.status_code == 404


async def test_rating_and_verdict_go_to_the_coach(gateway: GatewayUnderTest) -> None:
    """Thumbs and accept are coach.Rate calls (no coach runs here: a clean 503 fragment);
    bad values never reach it. tests/integration checks the recommender learns from them."""
    client, nid, csrf = await notebook(gateway, "page-gus")
    async with contextlib.aclosing(client):
        for path, data in [
            ("rating", {"proposal_id": "p-1", "rating": "meh"}),
            ("rating", {"proposal_id": "", "rating": "up"}),
            ("verdict", {"proposal_id": "p-1", "verdict": "maybe"}),
        ]:
            bad = await client.post(f"/notebook/{nid}/{path}", data=data, headers={**HX, **csrf})
            assert bad.status_code == 400, (path, data, bad.text)
        for path, data in [
            ("rating", {"proposal_id": "p-1", "rating": "up"}),
            ("verdict", {"proposal_id": "p-1", "verdict": "accepted"}),
        ]:
            down = await client.post(f"/notebook/{nid}/{path}", data=data, headers={**HX, **csrf})
            assert down.status_code == 503, down.text
            assert is_fragment(down.text) and "coach" in down.text
        other = await client.post(
            "/notebook/not-mine/rating",
            data={"proposal_id": "p-1", "rating": "up"},
            headers={**HX, **csrf},
        )
        assert other.status_code == 404


async def test_ipynb_export_and_import(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-hal")
    async with contextlib.aclosing(client):
        exported = await client.get(f"/notebook/{nid}/export.ipynb")
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        book = nbformat.reads(exported.text, as_version=4)
        nbformat.validate(book)
        assert any("load_iris" in cell.source for cell in book.cells if cell.cell_type == "code")

        upload = nbformat.v4.new_notebook()
        upload.cells = [
            nbformat.v4.new_markdown_cell("# mine"),
            nbformat.v4.new_code_cell("%matplotlib inline\nx = 41"),
            nbformat.v4.new_code_cell("print(x + 1)"),
        ]
        imported = await client.post(
            f"/notebook/{nid}/import",
            files={"file": ("mine.ipynb", nbformat.writes(upload).encode(), "application/json")},
            headers={**HX, **csrf},
        )
        # First what the file holds and a confirmation: nothing is replaced yet.
        assert imported.status_code == 200
        assert "HX-Redirect" not in imported.headers
        assert is_fragment(imported.text)
        assert "mine.ipynb" in imported.text and "“mine”" in imported.text
        assert "2 code cells and 1 markdown cell (kept as comments)" in imported.text
        assert "This replaces the code in the editor" in imported.text
        before = await client.get(f"/notebook/{nid}")
        assert "x = 41" not in before.text
        confirm = re.search(r'<textarea name="code" hidden>\n(.*?)</textarea>', imported.text, re.S)
        assert confirm is not None
        # A browser posts a textarea with CRLF line endings: stored with the learner's \n.
        code = html.unescape(confirm.group(1)).replace("\n", "\r\n")
        confirmed = await client.post(
            f"/notebook/{nid}/import/confirm",
            data={"code": code, "title": "mine"},
            headers={**HX, **csrf},
        )
        assert confirmed.status_code == 200
        assert confirmed.headers["HX-Redirect"] == f"/notebook/{nid}"
        page = await client.get(f"/notebook/{nid}")
        assert "# # mine\n\n# %matplotlib inline\nx = 41\n\nprint(x + 1)" in page.text
        assert "<title>mine · Ascent</title>" in page.text
        reexported = await client.get(f"/notebook/{nid}/export.ipynb")
        assert "\\r\\n" not in reexported.text and "\r" not in reexported.text

        broken = await client.post(
            f"/notebook/{nid}/import",
            files={"file": ("x.ipynb", io.BytesIO(b"not json"), "application/json")},
            headers={**HX, **csrf},
        )
        assert broken.status_code == 400
        assert "Jupyter notebook" in broken.text


async def test_live_events_reach_the_learners_page(gateway: GatewayUnderTest) -> None:
    client, nid, _ = await notebook(gateway, "page-ivy")
    await client.aclose()
    hub = gateway.gw.live
    assert hub is not None
    owner = await owner_of(gateway, nid)

    async def connected() -> bool:
        return False

    stream = page_stream(hub, owner, nid, connected, lifetime=10, heartbeat=5)
    assert (await anext(stream)).startswith("retry:")
    pending = asyncio.ensure_future(anext(stream))
    await wait_subscribed(hub)
    nc = await nats.connect(gateway.common.nats_url)
    try:
        for session_id in ("another-session", nid):
            run = run_pb2.Run(id=f"run-{session_id}", session_id=session_id, owner_id=owner)
            run.name = "Baseline"
            message = learning_pb2.RunCompleted(meta=events.new_meta("test"), run=run)
            await nc.publish(events.RUN_COMPLETED, message.SerializeToString())
        await nc.flush()
        received = await asyncio.wait_for(pending, timeout=10)
    finally:
        await nc.close()
        await stream.aclose()
    name, data = sse_events(received)[0]
    assert name == "run"
    payload: dict[str, Any] = json.loads(data)
    # Only this page's session: the other session's run was filtered out.
    assert payload["sessionId"] == nid and payload["runId"] == f"run-{nid}"


async def owner_of(gateway: GatewayUnderTest, notebook_id: str) -> str:
    from gateway.notebook.repository import NotebookRepository

    def read(session: Any) -> str:
        found = NotebookRepository(session).get_notebook(notebook_id)
        assert found is not None
        return found.owner_id

    return await gateway.gw.work(read)


async def wait_subscribed(hub: Any) -> None:
    await wait_until(lambda: hub._subscriptions, timeout=5, what="the live hub to subscribe")


async def test_stop_cancels_only_the_learners_own_run(
    gateway: GatewayUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, nid, csrf = await notebook(gateway, "page-stop")
    other, _, other_csrf = await notebook(gateway, "page-stop-other")
    async with contextlib.aclosing(client), contextlib.aclosing(other):
        page = await client.get(f"/notebook/{nid}")
        # The limits sit beside Run (the execution defaults) and Stop waits, hidden, for a run.
        assert "Limits: 30 s · 1 GB memory" in page.text
        assert f'data-stop="/notebook/{nid}/run/stop"' in page.text

        cancelled: list[str] = []

        async def cancel(run_id: str) -> bool:
            cancelled.append(run_id)
            return True

        monkeypatch.setattr(gateway.gw.clients, "cancel", cancel)
        owner = await owner_of(gateway, nid)
        gateway.gw.active_runs[(owner, nid)] = {"run-in-flight"}
        try:
            # Someone else cannot stop it: the notebook answers as missing.
            foreign = await other.post(f"/notebook/{nid}/run/stop", headers={**HX, **other_csrf})
            assert foreign.status_code == 404
            assert cancelled == []
            stopped = await client.post(f"/notebook/{nid}/run/stop", headers={**HX, **csrf})
            assert stopped.status_code == 204
            assert stopped.headers["X-Ascent-Stopped"] == "1"
            assert cancelled == ["run-in-flight"]
        finally:
            gateway.gw.active_runs.clear()
        idle = await client.post(f"/notebook/{nid}/run/stop", headers={**HX, **csrf})
        assert idle.status_code == 204 and idle.headers["X-Ascent-Stopped"] == "0"


async def test_a_file_over_the_limit_leaves_the_dropzone_in_place(
    make_gateway: Callable[..., Any],
) -> None:
    async with make_gateway(max_upload_bytes=2 * 1024 * 1024) as gateway:
        await _over_the_limit(gateway)


async def _over_the_limit(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-big")
    async with contextlib.aclosing(client):
        page = await client.get(f"/notebook/{nid}")
        assert 'id="upload-alert"' in page.text
        # The dropzone states the limits it enforces.
        assert "≤ 2 MB" in page.text
        big = b"a,b\n" + b"1,2\n" * (gateway.settings.max_upload_bytes // 4 + 20_000)
        refused = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("big.csv", big, "text/csv")},
            headers={**HX, **csrf},
        )
        assert refused.status_code == 413
        assert "larger than 2 MB" in refused.text
        # The message goes to the slot beside the form, not over the form (#dataset) itself.
        assert refused.headers["HX-Retarget"] == "#upload-alert"
        assert refused.headers["HX-Reswap"] == "innerHTML"
        assert "dropzone" not in refused.text


async def test_code_is_stored_as_typed_not_with_crlf(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-crlf")
    async with contextlib.aclosing(client):
        # The editor's autosave is a multipart form: browsers send its newlines as CRLF.
        saved = await client.put(
            f"/notebook/{nid}/code",
            files={"code": (None, "a = 1\r\nb = 2\r\n")},
            headers={**HX, **csrf},
        )
        assert saved.status_code == 200
        exported = await client.get(f"/notebook/{nid}/export.ipynb")
        book = nbformat.reads(exported.text, as_version=4)
        sources = [cell.source for cell in book.cells if cell.cell_type == "code"]
        assert sources == ["a = 1\nb = 2\n"]


def test_ipynb_import_summary_keeps_markdown_and_the_title() -> None:
    from gateway.notebook.presentation import from_ipynb

    book = nbformat.v4.new_notebook()
    book.cells = [
        nbformat.v4.new_markdown_cell("## Titanic survival\n\nFirst we *load* the data."),
        nbformat.v4.new_code_cell("import pandas as pd\r\ndf = pd.read_csv('t.csv')"),
        nbformat.v4.new_raw_cell("ignored"),
        nbformat.v4.new_markdown_cell("Then a model."),
        nbformat.v4.new_code_cell("!pip install x\nprint(df.shape)"),
    ]
    imported = from_ipynb(nbformat.writes(book).encode(), 10_000)
    assert (imported.code_cells, imported.markdown_cells) == (2, 2)
    assert imported.title == "Titanic survival"
    assert imported.code == (
        "# ## Titanic survival\n#\n# First we *load* the data.\n\n"
        "import pandas as pd\ndf = pd.read_csv('t.csv')\n\n"
        "# Then a model.\n\n"
        "# !pip install x\nprint(df.shape)\n"
    )
    book.metadata["title"] = "From the metadata"
    assert from_ipynb(nbformat.writes(book).encode(), 10_000).title == "From the metadata"
