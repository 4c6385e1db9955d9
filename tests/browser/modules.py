"""A blank page beside the kiosk's static/ folder, for testing its JavaScript modules alone.

No app and no database: the page at / is empty, /static/… are the files the kiosk serves,
under the kiosk's own security headers (CSP script-src 'self'), so a module that loads here
loads on the tablet.

    with static_server() as server:
        page.goto(server.url + "/")
        page.evaluate("async () => (await import('/static/js/cart.js')).MAX_QTY")
"""

from __future__ import annotations

from werkzeug.middleware.shared_data import SharedDataMiddleware

from kiosk.common.pages import SECURITY_HEADERS
from kiosk.paths import static_dir
from tests.conftest import LiveServer

BLANK = b"<!doctype html><html lang='fr'><meta charset='utf-8'><title>modules</title></html>"


def _blank_page(environ, start_response):
    if environ["PATH_INFO"] != "/":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              *SECURITY_HEADERS.items()])
    return [BLANK]


def _with_headers(app):
    """Every answer with the kiosk's security headers, as kiosk/common/pages.py gives them."""
    def wrapped(environ, start_response):
        def start(status, headers, exc_info=None):
            names = {name.lower() for name, _ in headers}
            extra = [(k, v) for k, v in SECURITY_HEADERS.items() if k.lower() not in names]
            return start_response(status, [*headers, *extra], exc_info)
        return app(environ, start)
    return wrapped


def static_server() -> LiveServer:
    """The blank page and static/, on a loopback port (use it with `with`)."""
    app = SharedDataMiddleware(_blank_page, {"/static": str(static_dir())})
    return LiveServer(_with_headers(app))


def import_module(page, path: str, body: str):
    """Run `body` (JavaScript, ending in a return) with the module's exports as `m`."""
    return page.evaluate(f"async () => {{ const m = await import({path!r}); {body} }}")
