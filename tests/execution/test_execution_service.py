"""The execution service through its real gRPC API, with a real NATS server and sandbox."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from ascent.events.v1 import learning_pb2
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.execution.v1 import execution_service_pb2_grpc as pb_grpc
from google.protobuf.message import Message

from services.common import events
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.events import ConsumerSpec, EventBus
from services.common.runtime import serve
from services.common.templates import STARTER_TEMPLATE
from services.execution.config import Settings
from services.execution.main import setup
from tests.support.nats_server import NatsServer, free_port
from tests.support.polling import wait_until


@pytest.fixture
async def execution(
    tmp_path: Path, nats_server: NatsServer
) -> AsyncIterator[tuple[pb_grpc.ExecutionServiceStub, CommonSettings]]:
    common = CommonSettings(nats_url=nats_server.url, data_dir=tmp_path)
    settings = Settings(grpc_port=free_port(), wall_seconds=5, cpu_seconds=5)
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve("execution", settings, setup, "services.execution.migrations", common, stop)
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}")
    await asyncio.wait_for(channel.channel_ready(), 60)
    yield pb_grpc.ExecutionServiceStub(channel), common
    await channel.close(grace=None)
    stop.set()
    await asyncio.wait_for(task, 30)


async def collect(
    stub: pb_grpc.ExecutionServiceStub,
    *,
    code: str,
    session_id: str = "",
    name: str = "",
    dataset_sha256: str = "",
    ephemeral: bool = False,
) -> tuple[list[pb.ExecuteResponse], pb.ExecuteResponse]:
    request = pb.ExecuteRequest(
        run_id=str(uuid.uuid4()),
        owner_id="o1",
        code=code,
        session_id=session_id,
        name=name,
        dataset_sha256=dataset_sha256,
        ephemeral=ephemeral,
    )
    items = [item async for item in stub.Execute(request)]
    assert items[-1].WhichOneof("item") == "result"
    return items[:-1], items[-1]


async def test_starter_template_streams_output_then_result_and_publishes_the_run(
    execution: tuple[pb_grpc.ExecutionServiceStub, CommonSettings],
) -> None:
    stub, common = execution
    received: list[learning_pb2.RunCompleted] = []

    async def on_run(subject: str, event: Message) -> None:
        assert isinstance(event, learning_pb2.RunCompleted)
        received.append(event)

    bus = EventBus(common.nats_url, producer="test")
    await bus.start()
    bus.consume(ConsumerSpec("test-runs", events.RUN_COMPLETED, on_run))

    # An ephemeral run (a dry run or validation) runs like any other but is never published;
    # events leave the outbox in order, so had it been recorded it would arrive first.
    _, check = await collect(stub, code=STARTER_TEMPLATE, session_id="s1", ephemeral=True)
    assert check.result.status == "ok"

    chunks, last = await collect(stub, code=STARTER_TEMPLATE, session_id="s1", name="Baseline")
    run = last.result
    output = "".join(c.output.text for c in chunks if c.WhichOneof("item") == "output")
    assert "ACCURACY:" in output
    assert run.status == "ok"
    assert not run.has_error
    assert run.outcome.model_type == "LogisticRegression"
    assert run.outcome.accuracy > 0.9
    assert run.session_id == "s1"
    assert run.name == "Baseline"

    await wait_until(lambda: received, timeout=10, what="the run-completed event")
    assert [e.run.id for e in received] == [run.id]
    assert received[0].meta.producer == "execution"
    assert received[0].run.outcome.accuracy == run.outcome.accuracy
    await bus.close()


async def test_uploaded_dataset_is_read_from_data_path(
    execution: tuple[pb_grpc.ExecutionServiceStub, CommonSettings],
) -> None:
    stub, common = execution
    rows = "\n".join(f"{i},{i % 3},{'a' if i % 2 else 'b'}" for i in range(30))
    sha = DatasetStore(common.datasets_dir).put(f"x,y,label\n{rows}\n".encode())
    _, last = await collect(stub, code=STARTER_TEMPLATE, dataset_sha256=sha)
    assert last.result.outcome.dataset_info_json
    assert '"rows":30' in last.result.outcome.dataset_info_json


async def test_learner_errors_come_back_as_runs_not_rpc_failures(
    execution: tuple[pb_grpc.ExecutionServiceStub, CommonSettings],
) -> None:
    stub, _ = execution
    _, last = await collect(stub, code="x = 1\nraise ValueError('bad value')\n")
    assert last.result.has_error
    assert last.result.error.type == "ValueError"
    assert last.result.error.message == "bad value"

    _, last = await collect(stub, code="while True:\n    pass\n")
    assert last.result.has_error
    assert last.result.status == "timeout"
    assert "time" in last.result.error.message.lower()
    # The message names the limit the run had (this fixture's 5 s), not a vague "too long".
    assert last.result.error.message.startswith("Stopped after 5 s (the limit)")


async def test_bad_requests_are_rejected_with_clear_statuses(
    execution: tuple[pb_grpc.ExecutionServiceStub, CommonSettings],
) -> None:
    stub, _ = execution
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await collect(stub, code="   ")
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await collect(stub, code="print(1)", dataset_sha256="0" * 64)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_cancel_stops_a_running_run(
    execution: tuple[pb_grpc.ExecutionServiceStub, CommonSettings],
) -> None:
    stub, _ = execution
    run_id = str(uuid.uuid4())
    stream = stub.Execute(
        pb.ExecuteRequest(
            run_id=run_id,
            owner_id="o1",
            code="import time\nprint('started', flush=True)\ntime.sleep(30)\n",
        )
    )
    items = []
    async for item in stream:
        items.append(item)
        if item.WhichOneof("item") == "output" and "started" in item.output.text:
            assert (await stub.Cancel(pb.CancelRequest(run_id=run_id))).found
    result = items[-1].result
    assert result.status == "cancelled"
    assert result.has_error
    assert re.fullmatch(r"Stopped by you after [0-9.]+ s\.", result.error.message)
