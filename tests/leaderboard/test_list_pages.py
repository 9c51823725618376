"""Issue 18 §3: five runs that each printed ~990 KB made a session unreadable ("Received
message larger than max (4951585 vs. 4194304)"). ListRuns now answers with pages of
summaries bounded in size, and GetRun with one whole run — read here by a client with
gRPC's default 4 MiB receive limit, on a real server over the real table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from ascent.leaderboard.v1 import leaderboard_service_pb2 as lb
from ascent.leaderboard.v1 import leaderboard_service_pb2_grpc as lb_grpc
from ascent.types.v1 import run_pb2

from services.common.db import Database
from services.common.rpc import bind, create_server
from services.leaderboard import service
from services.leaderboard.config import Settings
from services.leaderboard.servicer import LeaderboardServicer

BOARD = "session-big"
OUTPUT = "line of output\n" * 66_000  # 990,000 characters, as in the issue


def big_run(index: int) -> run_pb2.Run:
    run = run_pb2.Run(
        id=f"big-{index}",
        session_id=BOARD,
        owner_id="learner",
        name=f"Run {index}",
        code="print('line of output\\n' * 66_000)",
        stdout=OUTPUT + f"end of run {index}\n",
        status="ok",
        notices=["a notice"],
    )
    run.outcome.accuracy = 0.5 + index / 100
    run.created_at.FromSeconds(1_700_000_000 + index)
    return run


@pytest.fixture
async def stub(db: Database) -> AsyncIterator[lb_grpc.LeaderboardServiceStub]:
    with db.session() as session:
        for index in range(5):
            service.record_run(session, big_run(index))
    server = create_server()
    lb_grpc.add_LeaderboardServiceServicer_to_server(LeaderboardServicer(db, Settings()), server)
    port = bind(server, "127.0.0.1", 0)
    await server.start()
    try:
        # gRPC's defaults: the 4 MiB receive limit the gateway had.
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield lb_grpc.LeaderboardServiceStub(channel)
    finally:
        await server.stop(None)


async def test_five_runs_of_990_kb_list_as_summaries(stub: lb_grpc.LeaderboardServiceStub) -> None:
    listed = await stub.ListRuns(lb.ListRunsRequest(session_id=BOARD), timeout=20)
    assert [r.id for r in listed.runs] == [f"big-{i}" for i in (4, 3, 2, 1, 0)]
    assert listed.total == 5 and listed.next_offset == 0
    for run in listed.runs:
        assert run.summary and len(run.stdout) == service.SUMMARY_OUTPUT_CHARS
        assert run.stdout.endswith(f"end of run {run.id[-1]}\n")
        assert list(run.notices) == ["a notice"]
    whole = await stub.GetRun(lb.GetRunRequest(run_id="big-2"), timeout=20)
    assert whole.run.stdout == OUTPUT + "end of run 2\n" and not whole.run.summary


async def test_pages_follow_limit_and_offset(stub: lb_grpc.LeaderboardServiceStub) -> None:
    first = await stub.ListRuns(lb.ListRunsRequest(session_id=BOARD, limit=2), timeout=20)
    assert [r.id for r in first.runs] == ["big-4", "big-3"] and first.next_offset == 2
    last = await stub.ListRuns(lb.ListRunsRequest(session_id=BOARD, limit=2, offset=4), timeout=20)
    assert [r.id for r in last.runs] == ["big-0"] and last.next_offset == 0
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListRuns(lb.ListRunsRequest(session_id=BOARD, offset=-1), timeout=20)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_page_stops_before_its_byte_budget(db: Database) -> None:
    # Runs whose code alone is large (a 256 KB program is allowed): a page of 100 of them
    # would be 25 MB; it ends at the budget and says where the next one starts.
    with db.session() as session:
        for index in range(12):
            run = big_run(index)
            run.id, run.session_id, run.code = f"code-{index}", "session-code", "#" * 250_000
            service.record_run(session, run)
        page = service.list_page(session, "session-code")
    assert 0 < len(page.runs) < 12 and page.next_offset == len(page.runs)
    assert page.ByteSize() <= service.LIST_BUDGET_BYTES
