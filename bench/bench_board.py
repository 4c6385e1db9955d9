"""Light enough for a small board: the kiosk against a floor, in one run.

`python -m bench.bench_board` (also part of `make bench`). SQLite, waitress, loopback only.
The floor is the least a Flask app of this stack costs: a bare Flask + Flask-SQLAlchemy app
(bench/board_floor.py) that answers one query, measured the same way in the same run.

1. Cold start: a new Python process imports the app, builds it and answers one request
   (the kiosk: `/login` on a seeded database; the floor: one SELECT), wall time from the
   process' spawn to its exit; the median of KIOSK_BENCH_STARTS (7) alternated runs, with
   bytecode caches as on the box (compiled first; PYTHONDONTWRITEBYTECODE is dropped).
   Where the kiosk's start goes: the ten largest imports by `python -X importtime`.
2. Resident memory: each served by waitress (`python -m kiosk.serve`; the floor by
   waitress too, same threads), 200 sales posted over HTTP (the floor: 200 INSERT +
   COMMIT), then the server's VmRSS from /proc; then once more after the sale screen
   (/sell, as a logged-in browser asks it) is served too, which the floor has no match for.
3. A sale over HTTP through waitress against the floor's INSERT + COMMIT route in the same
   server process (bench/board_floor.py mounts it into the kiosk): median of 300 each,
   alternated. Then the part of each that is SQLite's own work (in-process, cProfile's
   time inside sqlite3's C calls, 300 each): the floor plus the sale's extra SQLite time
   is the least a sale could take with no Python work of its own.
4. The sale screen in Chromium (Debian's /usr/bin/chromium through Playwright): `/sell`
   cold (empty cache) and warm (a reload), requests and bytes as CDP counts them
   (Network.loadingFinished's encodedDataLength: headers and body as they came on the wire).
   Twice: on 127.0.0.1, where Chromium asks for brotli as it does over HTTPS (the stall's
   default), then as http://kiosk.lan mapped to the loopback, plain HTTP to another host,
   where Chromium asks only gzip.
5. The journal at KIOSK_BENCH_HISTORY sales (10000,100000,1000000 by default; the million
   takes minutes to seed and each whole check several more: `KIOSK_BENCH_HISTORY=10000,100000`
   for a quicker run): `/journal` as the treasurer (median of 5, after the first),
   `/api/v1/journal/verify`, and `flask verify-journal`'s time and peak memory (its
   process' ru_maxrss), the database seeded by `flask seed-demo --sales N`.

Targets (issue 29): cold start ratio <= 2.5; memory ratio <= 1.5; sale/floor <= 1.5;
`/sell` cold <= 8 requests and <= 20 KB, warm <= 1 KB; `/journal` < 1 s and flat with the
history.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTS = int(os.environ.get("KIOSK_BENCH_STARTS", "7"))
HISTORY = [int(n) for n in os.environ.get("KIOSK_BENCH_HISTORY", "10000,100000,1000000").split(",")
           if n.strip()]
SALES = 200
LATENCY_ROUNDS = int(os.environ.get("KIOSK_BENCH_ROUNDS", "300"))
CHROMIUM = os.environ.get("KIOSK_BENCH_CHROMIUM", "/usr/bin/chromium")
SKUS = ("POCH-TGV", "ETIQ-TGV", "SAC-IKEA", "TAB-IKEA", "TROU-IKEA", "ETIQ-IKEA")
FLOOR = ROOT / "bench" / "board_floor.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str) -> dict[str, str]:
    """As the box runs: bytecode caches written and used (pip writes them at install, or
    the first start does), whatever this shell says (PYTHONDONTWRITEBYTECODE)."""
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "KIOSK_DATABASE_URL": url, "KIOSK_SECRET_KEY": "bench",
            "KIOSK_PRINTER": "none", "PYTHONPATH": str(ROOT)}


def _flask(env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "kiosk", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"flask {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


def _call(conn: http.client.HTTPConnection, method: str, path: str, body=None,
          token: str | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=sent)
    response = conn.getresponse()
    return response.status, response.read()


def _wait_port(process: subprocess.Popen, port: int) -> None:
    for _ in range(600):
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"the server stopped: {said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- 1. cold start -------------------------------------------------------------------------

KIOSK_START = """
from kiosk import create_app
app = create_app()
answer = app.test_client().get("/login")
assert answer.status_code == 200, answer.status_code
"""


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_start(env: dict[str, str], floor_env: dict[str, str]) -> dict:
    kiosk, floor = [], []
    for _ in range(STARTS):
        kiosk.append(_timed([sys.executable, "-c", KIOSK_START], env))
        floor.append(_timed([sys.executable, str(FLOOR), "start"], floor_env))
    result = {"kiosk_s": statistics.median(kiosk), "floor_s": statistics.median(floor)}
    result["ratio"] = result["kiosk_s"] / result["floor_s"]
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", KIOSK_START], env=env,
                          cwd=ROOT, capture_output=True, text=True, check=True)
    result["largest_imports"] = _largest_imports(done.stderr)
    return result


def _largest_imports(report: str, count: int = 10) -> list[tuple[str, float]]:
    """Third-party packages by their own import time (all their modules' self times)."""
    totals: dict[str, int] = {}
    for line in report.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            top = match[2].split(".")[0]
            totals[top] = totals.get(top, 0) + int(match[1])
    ordered = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [(name, round(us / 1000, 1)) for name, us in ordered]


# -- 2. memory after a day of sales, 3. the sale against its floor over HTTP --------------

def _serve(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(argv, env={**env, "KIOSK_PORT": str(port)}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_port(process, port)
    return process, port


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _login(conn, user: str = "Vendeuse", pin: str = "3456") -> str:
    status, body = _call(conn, "POST", "/api/v1/login", {"user": user, "pin": pin})
    if status != 200:
        raise RuntimeError(f"login: {status} {body!r}")
    return json.loads(body)["token"]


def drawer(location: str) -> dict:
    """The bench's drawer: enough float for the change of a 1,000 € note on the first sale
    (the drawer's rule)."""
    return {"name": "Banc d'essai", "location": location,
            "opening_float": {"50000": 4, "1000": 3}}


def _open_drawer(conn, location: str = "ikea") -> int:
    token = _login(conn, "Tresoriere", "2345")
    status, body = _call(conn, "POST", "/api/v1/cash-sessions", drawer(location), token)
    if status != 201:
        raise RuntimeError(f"opening the drawer: {status} {body!r}")
    return json.loads(body)["id"]


def _sale(session_id: int, number: int) -> dict:
    lines = [{"sku": SKUS[(number + k) % len(SKUS)], "qty": 1 + (number + k) % 2}
             for k in range(1 + number % 3)]
    return {"client_id": str(uuid.uuid4()), "cash_session_id": session_id, "lines": lines,
            "payments": [{"method": "cash", "amount_cents": 100_000}]}


def memory(env: dict[str, str], floor_env: dict[str, str]) -> dict:
    server, port = _serve([sys.executable, "-m", "kiosk.serve"], env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        session_id = _open_drawer(conn)
        token = _login(conn)
        for number in range(SALES):
            status, body = _call(conn, "POST", "/api/v1/sales", _sale(session_id, number), token)
            if status != 201:
                raise RuntimeError(f"sale: {status} {body!r}")
        conn.close()
        kiosk = _rss_kb(server.pid)
        browser = _web_session(port, "Vendeuse", "3456")  # then the tablet opens /sell
        with browser.open(f"http://127.0.0.1:{port}/sell", timeout=60) as answer:
            if answer.status != 200 or b"data-checkout" not in answer.read():
                raise RuntimeError("/sell did not show the sale screen")
        with_screen = _rss_kb(server.pid)
    finally:
        _stop(server)
    server, port = _serve([sys.executable, str(FLOOR), "serve"], floor_env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(SALES):
            status, body = _call(conn, "POST", "/bench/floor")
            if status != 200:
                raise RuntimeError(f"floor: {status} {body!r}")
        conn.close()
        floor = _rss_kb(server.pid)
    finally:
        _stop(server)
    return {"kiosk_mb": kiosk / 1024, "floor_mb": floor / 1024, "ratio": kiosk / floor,
            "with_screen_mb": with_screen / 1024, "with_screen_ratio": with_screen / floor}


def sale_latency(env: dict[str, str]) -> dict:
    """The kiosk served by waitress, with the floor's route mounted in the same process."""
    server, port = _serve([sys.executable, str(FLOOR), "kiosk"], env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        session_id = _open_drawer(conn, "atelier")
        token = _login(conn)
        sales, floors = [], []
        for number in range(LATENCY_ROUNDS + 20):
            sale = _sale(session_id, number)
            started = time.perf_counter()
            status, body = _call(conn, "POST", "/api/v1/sales", sale, token)
            elapsed = time.perf_counter() - started
            if status != 201:
                raise RuntimeError(f"sale: {status} {body!r}")
            started = time.perf_counter()
            status, body = _call(conn, "POST", "/bench/floor", token=token)
            floor_elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"floor: {status} {body!r}")
            if number >= 20:  # the first ones warm the caches
                sales.append(elapsed * 1000)
                floors.append(floor_elapsed * 1000)
        conn.close()
    finally:
        _stop(server)
    result = {"sale_ms": statistics.median(sales), "floor_ms": statistics.median(floors)}
    result["ratio"] = result["sale_ms"] / result["floor_ms"]
    return result


def sale_bound(tmp: Path) -> dict:
    """SQLite's own time in a sale and in the floor (bench/board_floor.py `bound`), on a
    database of their own: what is left of a sale with no Python work of its own."""
    env = _env(f"sqlite:///{tmp / 'bound.sqlite3'}")
    _flask(env, "init-db")
    _flask(env, "seed-demo")
    done = subprocess.run([sys.executable, str(FLOOR), "bound"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"bound: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- 4. the sale screen in Chromium ---------------------------------------------------------

LAN_HOST = "kiosk.lan"  # (Chromium maps it to the loopback: plain HTTP, not localhost)


def sale_screen(env: dict[str, str], host: str = "127.0.0.1") -> dict | None:
    if not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}): the sale screen is not measured.")
        return None
    from playwright.sync_api import sync_playwright

    server, port = _serve([sys.executable, "-m", "kiosk.serve"], env)
    base = f"http://{host}:{port}"
    args = [] if host == "127.0.0.1" else [f"--host-resolver-rules=MAP {host} 127.0.0.1"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
            # No service worker: over plain HTTP on the stall's Wi-Fi a tablet has none, and
            # its cache would answer instead of the network.
            context = browser.new_context(base_url=base, service_workers="block")
            page = context.new_page()
            _web_login(page)
            page.goto("/sell")
            if page.locator("[data-checkout]").count() == 0:  # no drawer yet: open one
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                _open_drawer(conn)
                conn.close()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.clearBrowserCache")
            cold = _count(page, cdp, "/sell")
            warm = _count(page, cdp, "/sell")
            browser.close()
    finally:
        _stop(server)
    return {"cold_requests": cold[0], "cold_bytes": cold[1], "warm_requests": warm[0],
            "warm_bytes": warm[1], "cold_list": cold[2]}


def _web_login(page) -> None:
    """The login form as a volunteer uses it: her name, the PIN on the keypad, OK."""
    page.goto("/login")
    page.get_by_role("radio", name="Vendeuse", exact=True).check()
    for digit in "3456":
        page.locator(f'.keypad [data-key="{digit}"]').click()
    with page.expect_navigation():
        page.get_by_role("button", name="OK").click()


def _count(page, cdp, path: str) -> tuple[int, int, list]:
    requests: dict[str, str] = {}
    sizes: dict[str, int] = {}

    def sent(event):
        requests[event["requestId"]] = event["request"]["url"]

    def finished(event):
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    def failed(event):
        sizes.setdefault(event["requestId"], 0)

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    page.goto(path, wait_until="networkidle")
    page.wait_for_timeout(500)
    cdp.remove_listener("Network.requestWillBeSent", sent)
    cdp.remove_listener("Network.loadingFinished", finished)
    cdp.remove_listener("Network.loadingFailed", failed)
    listed = [(requests[rid].split("/", 3)[-1][:60], sizes.get(rid, 0)) for rid in requests]
    return len(requests), sum(sizes.values()), listed


# -- 5. the journal at a long history -------------------------------------------------------

PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def _web_session(port: int, user: str, pin: str):
    """A browser's cookies: the login form (its CSRF token), then the pages."""
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login", timeout=60) as answer:
        token = re.search(r'name="csrf-token" content="([^"]+)"', answer.read().decode())[1]
    form = urllib.parse.urlencode({"csrf_token": token, "user": user, "pin": pin}).encode()
    with opener.open(f"{base}/login", data=form, timeout=60) as answer:
        if "/login" in answer.url:
            raise RuntimeError("web login refused")
    return opener


def journal(history: int, tmp: Path) -> dict:
    url = f"sqlite:///{tmp / f'journal-{history}.sqlite3'}"
    env = _env(url)
    _flask(env, "init-db")
    started = time.perf_counter()
    _flask(env, "seed-demo", "--sales", str(history))
    seeded = time.perf_counter() - started
    server, port = _serve([sys.executable, "-m", "kiosk.serve"], env)
    try:
        browser = _web_session(port, "Tresoriere", "2345")
        times = []
        for _ in range(6):
            started = time.perf_counter()
            with browser.open(f"http://127.0.0.1:{port}/journal", timeout=3600) as answer:
                body = answer.read().decode()
                if answer.status != 200 or "/login" in answer.url:
                    raise RuntimeError(f"/journal: {answer.status} {answer.url}")
            times.append(time.perf_counter() - started)
        page_ms = statistics.median(times[1:]) * 1000
        first_ms = times[0] * 1000
        progress = re.search(r"en cours : (\d+)", body)
        started = time.perf_counter()  # the background check, until the page shows it done
        while "data-journal-progress" in body and time.perf_counter() - started < 7200:
            time.sleep(1)
            with browser.open(f"http://127.0.0.1:{port}/journal", timeout=60) as answer:
                body = answer.read().decode()
        background_s = time.perf_counter() - started + times[0] + sum(times[1:])
        if "Journal intact" not in body:
            raise RuntimeError("the background check did not find the journal intact")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        token = _login(conn, "Tresoriere", "2345")
        started = time.perf_counter()
        status, _body = _call(conn, "GET", "/api/v1/journal/verify", token=token)
        api_s = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"/api/v1/journal/verify: {status}")
        conn.close()
    finally:
        _stop(server)
    # verify-journal in a process of its own, whose peak resident memory a small parent reads
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "flask", "--app",
                           "kiosk", "verify-journal"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=7200)
    verify_s = time.perf_counter() - started
    out = done.stdout
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024
    return {"sales": history, "seed_s": seeded, "page_first_ms": first_ms, "page_ms": page_ms,
            "page_progress": progress[1] if progress else None, "background_s": background_s,
            "api_verify_s": api_s, "verify_s": verify_s,
            "verify_peak_mb": peak,
            "verdict": out.strip().splitlines()[-1] if out.strip() else ""}


def main() -> None:
    only = set(sys.argv[1:]) or {"start", "memory", "sale", "screen", "journal"}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = _env(f"sqlite:///{tmp / 'board.sqlite3'}")
        floor_env = {**env, "KIOSK_DATABASE_URL": f"sqlite:///{tmp / 'floor.sqlite3'}"}
        subprocess.run([sys.executable, "-m", "compileall", "-q", "kiosk", "printer", "bench"],
                        cwd=ROOT, env=env, check=True)
        _flask(env, "init-db")
        _flask(env, "seed-demo")
        rows = []
        if "start" in only:
            start = cold_start(env, floor_env)
            print(f"cold start: kiosk {start['kiosk_s']:.2f} s, floor {start['floor_s']:.2f} s, "
                  f"ratio {start['ratio']:.2f} (target <= 2.5)", flush=True)
            print("  largest imports (ms, self): " + ", ".join(
                f"{name} {ms}" for name, ms in start["largest_imports"]), flush=True)
            rows.append(("cold start (import, build, answer /login)",
                         f"{start['kiosk_s']:.2f} s", f"{start['floor_s']:.2f} s",
                         start["ratio"], "≤ 2.5"))
        if "memory" in only:
            mem = memory(env, floor_env)
            print(f"memory after {SALES} sales: kiosk {mem['kiosk_mb']:.0f} MB, floor "
                  f"{mem['floor_mb']:.0f} MB, ratio {mem['ratio']:.2f} (target <= 1.5); "
                  f"once the sale screen is served too: {mem['with_screen_mb']:.0f} MB, "
                  f"ratio {mem['with_screen_ratio']:.2f}", flush=True)
            rows.append((f"resident memory after {SALES} sales", f"{mem['kiosk_mb']:.0f} MB",
                         f"{mem['floor_mb']:.0f} MB", mem["ratio"], "≤ 1.5"))
            rows.append(("the same, once /sell is served too", f"{mem['with_screen_mb']:.0f} MB",
                         f"{mem['floor_mb']:.0f} MB", mem["with_screen_ratio"], "—"))
        if "sale" in only:
            sale = sale_latency(env)
            print(f"sale over HTTP (waitress): {sale['sale_ms']:.2f} ms, floor "
                  f"{sale['floor_ms']:.2f} ms, ratio {sale['ratio']:.2f} (target <= 1.5)",
                  flush=True)
            rows.append(("a sale over HTTP (waitress), median", f"{sale['sale_ms']:.1f} ms",
                         f"{sale['floor_ms']:.1f} ms", sale["ratio"], "≤ 1.5"))
            inside = sale_bound(tmp)
            least = sale["floor_ms"] + inside["sale_sqlite_ms"] - inside["floor_sqlite_ms"]
            print(f"  inside SQLite (in-process, sqlite3's C calls): a sale "
                  f"{inside['sale_sqlite_ms']:.2f} ms, the floor "
                  f"{inside['floor_sqlite_ms']:.2f} ms; a sale with no Python work of its "
                  f"own would take at least {least:.2f} ms over HTTP: ratio "
                  f"{least / sale['floor_ms']:.2f}", flush=True)
        for host, how in (("127.0.0.1", "brotli, as over HTTPS"),
                          (LAN_HOST, "plain HTTP to another host: gzip")):
            screen = sale_screen(env, host) if "screen" in only else None
            if screen:
                print(f"/sell on {host} ({how}) cold: {screen['cold_requests']} requests, "
                      f"{screen['cold_bytes']} B; warm: {screen['warm_requests']} requests, "
                      f"{screen['warm_bytes']} B (targets <= 8, <= 20 KB; warm <= 1 KB)",
                      flush=True)
                for url, size in screen["cold_list"]:
                    print(f"    {size:>7} B  /{url}")
        if "journal" in only:
            for history in HISTORY:
                result = journal(history, tmp)
                peak = f"{result['verify_peak_mb']:.0f} MB"
                print(f"journal at {history} sales (seeded in {result['seed_s']:.0f} s): "
                      f"/journal first {result['page_first_ms']:.0f} ms, then "
                      f"{result['page_ms']:.0f} ms, its background check done in "
                      f"{result['background_s']:.0f} s; /api/v1/journal/verify "
                      f"{result['api_verify_s']:.1f} s (the whole check; the page showed "
                      f"the background check at {result['page_progress']} %); verify-journal "
                      f"{result['verify_s']:.1f} s, peak {peak}; {result['verdict']}",
                      flush=True)
        if rows:
            print("\n| figure | kiosk | floor | ratio | target |")
            print("| --- | --- | --- | --- | --- |")
            for name, kiosk, floor, ratio, target in rows:
                print(f"| {name} | {kiosk} | {floor} | {ratio:.2f} | {target} |")


if __name__ == "__main__":
    main()
