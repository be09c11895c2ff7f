"""The simulator behind its loopback HTTP/1.1 server: real sockets, real connection faults."""

from __future__ import annotations

import asyncio
import http.client
import struct
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from kling_edit.testing import (
    SAMPLE_VIDEO,
    Faults,
    RouteFaults,
    Simulator,
    running_server,
    serve,
)

pytest_plugins = ["pytester"]

API = "/kling/v1/videos/multi-elements"
AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(submit_seconds=0.0, job_seconds=0.0)


@pytest.fixture
def base_url(sim: Simulator) -> Iterator[str]:
    with running_server(sim) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=5.0) as http:
        yield http


def _session(client: httpx.Client) -> str:
    response = client.post(f"{API}/init-selection", json={"video_id": "v"})
    session: str = response.json()["data"]["session_id"]
    return session


def _create(client: httpx.Client, **fields: Any) -> httpx.Response:
    body = {"session_id": _session(client), "edit_mode": "removal", "prompt": "x", **fields}
    return client.post(API, json=body)


def test_listens_on_loopback_only(base_url: str) -> None:
    assert urlsplit(base_url).hostname == "127.0.0.1"


def test_file_urls_point_back_at_the_server(client: httpx.Client, base_url: str) -> None:
    init = client.post(f"{API}/init-selection", json={"video_id": "v"}).json()["data"]
    video = client.get(init["normalized_video"])
    assert (init["normalized_video"].startswith(base_url), video.content) == (
        True,
        SAMPLE_VIDEO.read_bytes(),
    )


def test_error_envelope_over_the_wire(client: httpx.Client) -> None:
    response = client.post(
        f"{API}/init-selection", json={"video_id": "v"}, headers={"Authorization": ""}
    )
    assert (response.status_code, response.json()["code"], "X-Request-Id" in response.headers) == (
        401,
        1001,
        True,
    )


def test_paths_without_kling_prefix(client: httpx.Client) -> None:
    assert client.get("/v1/videos/multi-elements").json()["data"] == []


def test_connections_are_kept_alive(base_url: str) -> None:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    statuses = []
    sockets = []
    for _ in range(3):
        connection.request("GET", API, headers=AUTH)
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        sockets.append(connection.sock)
    connection.close()
    assert (statuses, len(set(map(id, sockets)))) == ([200, 200, 200], 1)


def test_drop_closes_the_connection_unanswered(sim: Simulator, client: httpx.Client) -> None:
    sim.faults = Faults({"create": RouteFaults(rate_drop=1.0)})
    with pytest.raises(httpx.RemoteProtocolError):
        _create(client)
    assert sim.tasks == ()


def test_lost_response_after_processing(sim: Simulator, client: httpx.Client) -> None:
    sim.faults = Faults({"create": RouteFaults(rate_lost_response=1.0)})
    with pytest.raises(httpx.RemoteProtocolError):
        _create(client, external_task_id="lost-over-tcp")
    sim.faults = Faults()
    task = client.get(f"{API}/lost-over-tcp").json()["data"]
    assert task["task_id"] == sim.tasks[0].task_id


def test_timeout_hangs_until_the_client_gives_up(sim: Simulator, client: httpx.Client) -> None:
    sim.faults = Faults({"list": RouteFaults(rate_timeout=1.0, hang_seconds=5.0)})
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        client.get(API, timeout=0.2)
    assert time.perf_counter() - started < 2.0


def test_rate_limit_over_the_wire(sim: Simulator, client: httpx.Client) -> None:
    sim.faults = Faults({"*": RouteFaults(rate_429=1.0, retry_after=2)})
    response = client.get(API)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")


def test_latency_over_the_wire(sim: Simulator, client: httpx.Client) -> None:
    sim.faults = Faults({"list": RouteFaults(latency=0.1)})
    started = time.perf_counter()
    client.get(API)
    assert time.perf_counter() - started >= 0.1


def test_large_result_streams(client: httpx.Client) -> None:
    size = 64 * 1024 * 1024
    sim = Simulator(submit_seconds=0.0, job_seconds=0.0, result_size_bytes=size)
    sample = SAMPLE_VIDEO.read_bytes()
    with running_server(sim) as url, httpx.Client(base_url=url, headers=AUTH) as http:
        task = _create(http).json()["data"]
        result = http.get(f"{API}/{task['task_id']}").json()["data"]["task_result"]["videos"][0]
        with http.stream("GET", result["url"]) as response:
            stream = response.iter_raw(1024 * 1024)
            head = next(stream)
            total = len(head) + sum(len(chunk) for chunk in stream)
    header = struct.pack(">I4s", size - len(sample), b"free")
    assert (int(response.headers["content-length"]), total, head[len(sample) :][:8]) == (
        size,
        size,
        header,
    )


def test_ticker_delivers_callbacks_without_requests() -> None:
    delivered: list[str] = []
    sim = Simulator(
        submit_seconds=0.05,
        job_seconds=0.15,
        callback_sender=lambda url, task: delivered.append(task["task_status"]),
    )
    with running_server(sim) as url, httpx.Client(base_url=url, headers=AUTH) as http:
        _create(http, callback_url="https://hooks.example/k")
        deadline = time.monotonic() + 3.0
        while len(delivered) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert delivered == ["submitted", "processing", "succeed"]


async def test_many_concurrent_clients(base_url: str, sim: Simulator) -> None:
    # 100 jobs, each on its own connection. (httpx's async pool, not the server, slows down
    # past a few hundred queued requests: raw sockets get 1000 concurrent answers in ~1 s.)
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=30.0) as http:

        async def job(number: int) -> int:
            init = await http.post(f"{API}/init-selection", json={"video_id": f"v{number}"})
            body = {"session_id": init.json()["data"]["session_id"], "edit_mode": "removal"}
            created = await http.post(API, json={**body, "prompt": "x"})
            task = await http.get(f"{API}/{created.json()['data']['task_id']}")
            return task.status_code

        statuses = await asyncio.gather(*(job(n) for n in range(100)))
    assert (statuses.count(200), len(sim.tasks)) == (100, 100)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.2", "::"])
def test_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError, match=r"only listens on 127\.0\.0\.1"):
        serve(host=host)


class _Stop(Exception):
    pass


def test_serve_reports_its_url_and_closes_on_exit() -> None:
    seen: list[str] = []

    def ready(url: str) -> None:
        seen.append(url)
        raise _Stop

    with pytest.raises(_Stop):
        serve(port=0, on_ready=ready)
    [url] = seen
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_pytest_plugin_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # Load the plugin by module, as the pytest11 entry point does once the package is installed.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        """
        import httpx

        def test_fixtures(kling_simulator, kling_simulator_url):
            response = httpx.get(
                kling_simulator_url + "/kling/v1/videos/multi-elements",
                headers={"Authorization": "Bearer k"},
            )
            assert response.json()["code"] == 0
            assert kling_simulator.requests == {"list": 1}

        def test_client_fixture(kling_client, kling_simulator):
            session = kling_client.sessions.init(video_url="https://example.com/clip.mp4")
            assert set(kling_simulator.sessions) == {session.session_id}
        """
    )
    result = pytester.runpytest_inprocess("-p", "kling_edit.testing.pytest_plugin")
    result.assert_outcomes(passed=2)
