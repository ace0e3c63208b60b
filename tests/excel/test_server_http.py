"""`xlportfolio serve`'s app on a real uvicorn server (127.0.0.1, a free port), called over
HTTP: the token at the door, and replies that never cross between concurrent requests.

The concurrency test tags every request by how many intake requests its workbook holds (1 to
100), sends them all at once and checks that each reply's message counts its own rows, that it
carries exactly one message, and, for every tenth request, that its actions are exactly those of
the same request sent alone. Before each request had its own xlwings App, 23 of 100 replies
carried another request's message."""
# ruff: noqa: F811 - test_server's fixtures are imported by name and requested as parameters
import copy
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from tests.excel.test_server import CALL, TOKEN, book_payload, demo, make_app  # noqa: E402,F401 - fixtures
from xlportfolio.excel import server  # noqa: E402

REQUESTS = 100
TAG = re.compile(r"(\d+) requests? checked")


@pytest.fixture(scope="module")
def base_url():
    """The app served by uvicorn in a thread of this process, on a port the OS picked."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    assert server.ensure_remote_engine()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(make_app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(30)
    sock.close()
    mp.undo()


@pytest.fixture(scope="module")
def http(base_url):
    with httpx.Client(base_url=base_url, timeout=httpx.Timeout(180, connect=30),
                      limits=httpx.Limits(max_connections=32)) as client:
        yield client


def with_intake_rows(payload, n):
    """The payload with only the first `n` intake requests: its tag."""
    out = copy.deepcopy(payload)
    intake = next(s for s in out["sheets"] if s["name"] == "Intake")
    intake["values"] = intake["values"][:n + 1]
    last = re.sub(r"\d+$", str(n + 1), intake["used_range_address"])
    intake["used_range_address"] = last
    for table in intake["tables"]:
        table.update(range_address=last, data_body_range_address=re.sub(r"^([A-Z]+)\d+", r"\g<1>2", last),
                     row_count=n + 1)
    return out


def test_the_server_over_http(http, demo):
    payload = book_payload(demo[0])
    assert http.post(CALL + "xlp_validate", json=payload).status_code == 401
    response = http.post(CALL + "xlp_validate", json=payload, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    alert = response.json()["actions"][-1]
    assert alert["func"] == "alert" and alert["args"][0].startswith("100 requests checked")
    assert http.get("/taskpane").status_code == 200  # Office loads the pages without a token


def test_concurrent_replies_never_cross(http, demo):
    base = book_payload(demo[0])
    bodies = [with_intake_rows(base, n) for n in range(1, REQUESTS + 1)]
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def call(body):
        return http.post(CALL + "xlp_validate", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=32) as pool:
        replies = list(pool.map(call, bodies))
    crossed = []
    for n, reply in enumerate(replies, 1):
        assert reply.status_code == 200, reply.text
        messages = [a["args"][0] for a in reply.json()["actions"] if a["func"] == "alert"]
        tags = [int(m.group(1)) for m in map(TAG.match, messages) if m]
        if tags != [n]:
            crossed.append((n, tags))
    assert crossed == [], f"{len(crossed)} of {REQUESTS} replies are not their own: {crossed[:5]}"
    for n in range(10, REQUESTS + 1, 10):
        assert call(bodies[n - 1]).json() == replies[n - 1].json()
