"""The server killed while tablets sell (SIGKILL: no clean-up, as when the laptop's power
goes): started again on the same database, every sale a tablet was told about is there,
unchanged; a tablet that got no answer sends the same sale again and it is recorded once;
numbers stay gapless and the journal verifies."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import Sale

pytestmark = pytest.mark.slow

TABLETS = 4
SKUS = ("SAC-IKEA", "ETIQ-TGV", "POCH-TGV", "TAB-IKEA")

# Every way a connection cut mid-request shows in the client: refused or reset (OSError:
# URLError, ConnectionResetError, RemoteDisconnected, timeouts), a broken answer
# (HTTPException: IncompleteRead, BadStatusLine…), or a truncated JSON body (ValueError).
CUT = (OSError, http.client.HTTPException, ValueError)


class NoAnswer(Exception):
    """The request left; no whole answer came back (the tablet will send it again)."""


class ServerProcess:
    """`python -m kiosk.serve` (waitress, as `make run`) in a process of its own."""

    new_session = False  # True: a process group of its own (the server and its children)

    def __init__(self, database_url: str, workdir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "KIOSK_DATABASE_URL": database_url,
                    "KIOSK_PORT": str(self.port), "KIOSK_SECRET_KEY": "tests",
                    "KIOSK_PRINTER": "none"}
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "kiosk.serve"], env=self.env,
                                        cwd=self.workdir, stdout=log, stderr=log,
                                        start_new_session=self.new_session)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=1).close()
                return
            except CUT:
                time.sleep(0.1)
        raise AssertionError("the server did not start: "
                             + (self.workdir / "server.log").read_text(errors="replace"))

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def call(self, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
        """The status and JSON body of a whole answer; NoAnswer when the cut took it."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + "/api/v1" + path, method="POST",
                                         data=json.dumps(body).encode(), headers=headers)
        try:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:  # (an OSError too: a whole 4xx/5xx)
                return error.code, json.loads(error.read() or b"{}")
        except CUT as cut:
            raise NoAnswer(f"{cut.__class__.__name__}: {cut}") from cut


def test_a_killed_server_loses_no_acknowledged_sale(demo, database_url, tmp_path):
    db.session.rollback()  # the test's own session holds no lock while the server runs
    server = ServerProcess(database_url, tmp_path)
    server.start()
    try:
        status, body = server.call("/login", {"user": "Vendeuse", "pin": "3456"})
        assert status == 200, body
        token = body["token"]
        status, body = server.call("/cash-sessions", {
            "name": "Vente IKEA", "location": "ikea", "opening_float": {"10000": 20}}, token)
        assert status == 201, body
        session_id = body["id"]

        acknowledged: dict[str, tuple[str, int]] = {}  # client_id → (number, total)
        unanswered: list[dict] = []  # sent, no answer: the tablet will send them again
        lock = threading.Lock()

        def tablet(n: int) -> None:
            for i in range(10_000):
                sale = {"client_id": str(uuid.uuid4()), "cash_session_id": session_id,
                        "lines": [{"sku": SKUS[(n + i) % len(SKUS)], "qty": 1 + i % 2}],
                        "payments": [{"method": "cash", "amount_cents": 10_000}]}
                try:
                    status, answer = server.call("/sales", sale, token)
                except NoAnswer:  # the server is gone mid-request
                    with lock:
                        unanswered.append(sale)
                    return
                assert status == 201, answer
                with lock:
                    acknowledged[sale["client_id"]] = (answer["number"],
                                                       answer["total_cents"])

        tablets = [threading.Thread(target=tablet, args=(n,)) for n in range(TABLETS)]
        for thread in tablets:
            thread.start()
        time.sleep(1.5)
        server.kill()  # no clean-up: what was acknowledged must already be on disk
        for thread in tablets:
            thread.join(15)
        assert not any(thread.is_alive() for thread in tablets)
        assert len(acknowledged) >= 20 and len(unanswered) == TABLETS

        server.start()  # the same database, as after the power comes back
        for sale in unanswered:  # the tablets send again what got no answer
            status, answer = server.call("/sales", sale, token)
            assert status in (200, 201), answer  # 200: it had been recorded before the cut
    finally:
        server.stop()

    db.session.rollback()
    recorded = {sale.client_id: sale for sale in db.session.scalars(select(Sale))}
    assert len(recorded) == len(acknowledged) + len(unanswered)  # nothing sold twice
    for client_id, (number, total) in acknowledged.items():
        assert (recorded[client_id].number, recorded[client_id].total_cents) == (
            number, total)
    seqs = sorted(sale.seq for sale in recorded.values())
    assert seqs == list(range(1, len(seqs) + 1))  # gapless after the restart too
    verdict = journal.verify(db.session)
    assert verdict.ok, verdict.problems


# What a tablet may read when the power goes mid-answer: nothing at all, half a status
# line, fewer bytes than announced, or every announced byte of a cut JSON body.
CUT_ANSWERS = {
    "closed before answering": b"",
    "half a status line": b"HTTP/1.1 20",
    "short body": b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{\"id\": 1",
    "truncated json": b"HTTP/1.1 201 Created\r\nContent-Length: 8\r\n\r\n{\"id\": 1",
}


@pytest.mark.parametrize("answer", CUT_ANSWERS.values(), ids=CUT_ANSWERS.keys())
def test_every_cut_answer_counts_as_no_answer(answer, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def cut_server() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer)

        thread = threading.Thread(target=cut_server, daemon=True)
        thread.start()
        server = ServerProcess("sqlite://", tmp_path)
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(NoAnswer):
            server.call("/sales", {"client_id": "x"})
        thread.join(5)


def test_a_server_gone_is_no_answer_either(tmp_path):
    server = ServerProcess("sqlite://", tmp_path)  # its port: free, nobody listens
    with pytest.raises(NoAnswer):
        server.call("/sales", {"client_id": "x"})
