"""A network receipt printer for tests: a TCP server on 127.0.0.1 that keeps each
connection's bytes as one job, and can refuse connections, hang, or run out of paper like a
real one (answering the paper status query DLE EOT 4 as an Epson printer does, and the
printer status DLE EOT 1 the kiosk asks after each job to know it was printed)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

STATUS = {"ok": 0x12, "low": 0x1E, "out": 0x7E}  # DLE EOT 4 answers (fixed bits 0x12)
ONLINE = 0x16  # DLE EOT 1 answer: fixed bits 0x12, drawer pin low, online


class PrinterEmulator:
    """`with PrinterEmulator() as printer: ... printer.url, printer.jobs`

    refuse(): nothing listens any more (connections refused); resume(): listens again
    on the same port; hang(): accepts connections but never reads (the sender's writes
    stall once the small receive buffer is full).

    `paper` is "ok", "low" or "out" (what DLE EOT 4 answers), or None for a printer that
    never answers a status query. Out of paper it still takes the bytes, as real ones do,
    but prints nothing: such jobs land in `lost`, not in `jobs`.

    `confirms` (True): answers DLE EOT 1 after a job, as a real printer does; False for a
    printer that reads the job and says nothing (the kiosk then cannot call it printed).
    """


    RCVBUF = 4096  # small, so that a printer that stops reading stalls the sender soon

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.jobs: list[bytes] = []
        self.lost: list[bytes] = []
        self.paper: str | None = "ok"
        self.status_queries = 0
        self.confirms = True
        self.confirmations = 0
        self.connections = 0
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._hanging = False
        self._held: list[socket.socket] = []
        self._closed = False

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    # life cycle
    def start(self) -> PrinterEmulator:
        self._listen()
        return self

    def stop(self) -> None:
        self._closed = True
        self._stop_listening()
        for sock in self._held:
            sock.close()
        self._held.clear()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # behaviours
    def refuse(self) -> None:
        self._stop_listening()

    def resume(self) -> None:
        self._hanging = False
        for sock in self._held:
            sock.close()
        self._held.clear()
        if self._listener is None:
            self._listen()

    def hang(self) -> None:
        self._hanging = True
        if self._listener is None:
            self._listen()

    def wait_for_jobs(self, n: int, timeout: float = 5) -> list[bytes]:
        """Waits until at least n jobs arrived; AssertionError when they did not."""
        with self._lock:
            ok = self._lock.wait_for(lambda: len(self.jobs) >= n, timeout)
            if not ok:
                raise AssertionError(f"expected {n} print job(s), got {len(self.jobs)}")
            return list(self.jobs)

    # internals
    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.RCVBUF)
        for attempt in range(50):  # the same port again after refuse()
            try:
                sock.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if attempt == 49:
                    raise
                time.sleep(0.05)
        sock.listen(16)
        self.port = sock.getsockname()[1]
        self._listener = sock
        self._thread = threading.Thread(target=self._accept_loop, args=(sock,), daemon=True)
        self._thread.start()

    def _stop_listening(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            self.connections += 1
            if self._hanging:
                self._held.append(conn)
                continue
            threading.Thread(target=self._read_job, args=(conn,), daemon=True).start()

    def _read_job(self, conn: socket.socket) -> None:
        buf = bytearray()
        with conn:
            conn.settimeout(30)
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                if not buf and data.startswith(b"\x10\x04\x04"):  # a paper status query
                    self.status_queries += 1
                    if self.paper is not None:
                        conn.sendall(bytes([STATUS[self.paper]]))
                    data = data[3:]
                    if not data:
                        continue
                buf.extend(data)
                if buf.endswith(b"\x10\x04\x01"):  # "printed?" after a job
                    del buf[-3:]
                    self.confirmations += 1
                    if self.confirms:
                        conn.sendall(bytes([ONLINE]))
        job = bytes(buf)
        if job:  # a bare connect (a status probe) is not a job
            with self._lock:
                (self.lost if self.paper == "out" else self.jobs).append(job)
                self._lock.notify_all()
