"""Issue 24, hardening round three: what an attacker's pass broke, run again as the same
attacks (real servers, real databases, the app's own functions)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from werkzeug.security import check_password_hash

from kiosk import create_app
from kiosk.database import utcnow
from kiosk.extensions import db
from kiosk.ledger import journal
from kiosk.models import (
    CashSessionClosure,
    JournalEntry,
    Order,
    OrderPayment,
    Partner,
    Payment,
    StockMove,
    User,
)
from kiosk.services import setup
from kiosk.services.auth import create_user
from tests.closing_helpers import close_body, open_session, sales_day, sell
from tests.conftest import BACKEND, LiveServer, api_login, csrf_token, web_login
from tests.test_idle_unlock import unlock
from tests.test_login_security import _at_once, _login


def _locked(names) -> list[str]:
    db.session.rollback()
    return sorted(db.session.scalars(select(User.name).where(
        User.name.in_(names), User.locked_until.is_not(None))))


# --- item 2: the unlock counts like the login ---------------------------------------------

def test_unlock_from_a_locked_screen_is_slowed_like_the_login(demo, client):
    """5 wrong PINs each for 5 names from one sale screen locked all five (Admin too);
    now the third name wrong slows the device, and a slowed attempt checks nothing."""
    assert web_login(client, "Vendeuse", "3456").status_code == 302
    token = csrf_token(client, "/")
    for name in ("Extra1", "Extra2"):
        create_user(db.session, name, "seller", "4567")
    db.session.commit()
    statuses: list[int] = []
    for name in ("Admin", "Tresoriere", "Extra1", "Extra2", "Vendeuse"):
        for _ in range(5):
            statuses.append(unlock(client, name, "0000", {"X-CSRFToken": token}).status_code)
    slowed = unlock(client, "Admin", "0000", {"X-CSRFToken": token})
    assert slowed.status_code == 429 and slowed.get_json()["error"] == "slowed"
    # as at login: two names may be mistyped until they lock, the third name's first wrong
    # PIN slows the device, and nothing after it is checked (before: all five locked)
    assert _locked(["Admin", "Tresoriere", "Extra1", "Extra2", "Vendeuse"]) == [
        "Admin", "Tresoriere"]
    assert statuses[:10] == ([401] * 4 + [429]) * 2
    assert statuses[10:] == [401] + [429] * 14
    assert db.session.scalar(select(User.failed_pins).where(User.name == "Extra1")) == 1
    assert db.session.scalar(select(User.failed_pins).where(User.name == "Vendeuse")) == 0


# --- item 12: twenty names at once right after a right PIN --------------------------------

def test_twenty_names_at_once_after_a_right_pin_check_three(demo):
    names = [f"Benevole{i:02d}" for i in range(20)]
    for name in names:
        create_user(db.session, name, "seller", "4567")
    db.session.commit()
    with LiveServer(demo) as server:
        assert _login(server.url, "Vendeuse", "3456") == 200  # clears the device
        statuses = _at_once(server.url, [(name, "0000") for name in names])
    assert 500 not in statuses, statuses
    assert Counter(statuses) == {401: 3, 429: 17}, statuses
    db.session.rollback()
    counted = db.session.scalar(select(db.func.sum(User.failed_pins)).where(
        User.name.in_(names)))
    assert counted == 3


def test_a_slowed_device_still_lets_one_volunteer_mistype(demo):
    """The in-flight count is by name: one volunteer on one tablet sending twice at once
    is one name, never slowed."""
    with LiveServer(demo) as server:
        statuses = _at_once(server.url, [("Vendeuse", "0000")] * 3)
        assert Counter(statuses) == {401: 3}, statuses
        assert _login(server.url, "Vendeuse", "3456") == 200





# --- item 11: files others could read -----------------------------------------------------

def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_its_backups_and_the_instance_folder_are_the_kiosks_own(
        demo, app, runner, tmp_path):
    assert _mode(app.instance_path) == 0o700
    if BACKEND == "sqlite":
        database = db.engine.url.database
        assert _mode(database) == 0o600
        for companion in (database + "-wal", database + "-shm"):
            if os.path.exists(companion):
                assert _mode(companion) == 0o600
    target = tmp_path / "sauvegardes" / ("copie.sqlite3" if BACKEND == "sqlite" else "copie.dump")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600


def test_a_new_sqlite_database_is_never_readable_by_others(tmp_path):
    """Made 0600 before SQLite first opens it (an instance folder made wide is narrowed)."""
    wide = tmp_path / "instance"
    wide.mkdir(mode=0o755)
    os.chmod(wide, 0o755)
    database = tmp_path / "neuve.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "t"}, str(wide))
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    assert _mode(database) == 0o600 and _mode(wide) == 0o700
    for companion in (tmp_path / "neuve.sqlite3-wal", tmp_path / "neuve.sqlite3-shm"):
        if companion.exists():
            assert _mode(companion) == 0o600


# --- item 8: a damaged row is a verdict, in bounded time ----------------------------------

def _copy_row(table: str, overrides: dict) -> None:
    """A row written behind the app's back: a copy of the table's first row, changed."""
    columns = list(db.Model.metadata.tables[table].columns.keys())
    chosen = ", ".join(f":{c}" if c in overrides else c for c in columns)
    db.session.execute(text(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} FROM {table} "
        f"WHERE id = (SELECT min(id) FROM {table})"), overrides)
    db.session.commit()


def _timed_verdicts(runner, client) -> tuple[float, object, object, object]:
    started = time.monotonic()
    result = runner.invoke(args=["verify-journal"])
    headers = api_login(client, "Tresoriere", "2345")
    answer = client.get("/api/v1/journal/verify", headers=headers)
    web_login(client, "Tresoriere", "2345")
    page = client.get("/journal")
    return time.monotonic() - started, result, answer, page


def test_rows_nested_200000_deep_are_a_verdict_not_a_crash(demo, runner, client):
    db.session.execute(text("UPDATE journal_entries SET rows = :r WHERE seq = 3"),
                       {"r": "[" * 200_000 + "]" * 200_000})
    db.session.commit()
    seconds, result, answer, page = _timed_verdicts(runner, client)
    assert result.exit_code == 1, result.output
    assert "entrée n° 3" in result.output and "contenu illisible" in result.output
    assert answer.status_code == 200 and answer.get_json()["ok"] is False
    assert page.status_code == 200
    assert seconds < 30


def test_a_row_with_the_largest_id_is_a_verdict_in_bounded_time(demo, runner, client,
                                                                 seller_headers):
    """SQLite: a sale with id 9223372036854775000 made the check count up to it (killed
    after 90 s); PostgreSQL: a payment with id 2147483647 ended in a DataError."""
    sell(client, seller_headers, open_session(client, seller_headers),
         [{"sku": "SAC-VILLE", "qty": 1}], [{"method": "cash", "amount_cents": 2000}])
    if BACKEND == "sqlite":
        _copy_row("sales", {"id": 9223372036854775000, "year": 1999, "number": "1999-000001",
                            "client_id": "derriere-le-dos-de-l-application"})
        named = "sales n° 9223372036854775000 : ligne ajoutée hors de l'application"
    else:
        _copy_row("payments", {"id": 2147483647})
        named = "payments n° 2147483647 : ligne ajoutée hors de l'application"
    seconds, result, answer, page = _timed_verdicts(runner, client)
    assert result.exit_code == 1, result.output
    assert named in result.output
    assert answer.status_code == 200 and named in answer.get_json()["problems"]
    assert page.status_code == 200
    assert seconds < 30


# --- item 1: the first start runs once, on both databases ---------------------------------

class Browser:
    """One browser of its own (its cookies) on a live server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=60) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', self.get(path)).group(1)

    def post(self, path: str, form: dict) -> int:
        data = urllib.parse.urlencode(form).encode()
        try:
            with self.opener.open(self.url + path, data=data, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


MALLORY = {"group_name": "Les Doigts de Fée", "address": "3 place du Marché",
           "admin_name": "Admin", "pin": "918273", "pin_again": "918273",
           # names the demo uses too: the same codes, the same user name
           "workshop_name": "Atelier", "stall_name": "Stand", "shop_name": "",
           "envelope_1": "Solidarité", "share_1": "1", "envelope_2": "Loisirs",
           "share_2": "1", "envelope_3": "", "share_3": "", "envelope_4": "", "share_4": "",
           "decided_on": "2026-11-20"}


@pytest.mark.parametrize("first", ["demo", "real", "together"])
def test_two_first_starts_at_once_make_one_installation(app, first):
    """`GET /start` in one browser, `GET /start/real` in another, then both POST at the
    same instant (or one a moment before the other): one wins, the other is refused,
    never a 500 and never the demo's Admin (PIN 1234) inside the real installation."""
    with LiveServer(app) as server:
        demo_tab, real_tab = Browser(server.url), Browser(server.url)
        demo_token, real_token = demo_tab.token("/start"), real_tab.token("/start/real")
        statuses: dict[str, int] = {}
        ready = threading.Barrier(2)

        def start(kind: str) -> None:
            ready.wait()
            if first != "together" and kind != first:
                time.sleep(0.02)
            if kind == "demo":
                statuses[kind] = demo_tab.post("/start/demo", {"csrf_token": demo_token})
            else:
                statuses[kind] = real_tab.post("/start/real",
                                               {**MALLORY, "csrf_token": real_token})

        threads = [threading.Thread(target=start, args=(kind,)) for kind in ("demo", "real")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert 500 not in statuses.values(), statuses
    assert sorted(statuses.values()) in ([302, 303], [303, 409]), statuses
    db.session.rollback()
    users = {user.name: user for user in db.session.scalars(select(User))}
    if statuses["demo"] == 303:
        assert setup.is_demo(db.session)
        assert sorted(users) == ["Admin", "Tresoriere", "Vendeuse"]
        assert check_password_hash(users["Admin"].pin_hash, "1234")
    else:
        assert not setup.is_demo(db.session)
        assert sorted(users) == ["Admin"]
        assert check_password_hash(users["Admin"].pin_hash, "918273")
        assert not check_password_hash(users["Admin"].pin_hash, "1234")


# --- item 9: a copy of another history is refused without --force, whatever its length ----

def _restore(runner, *args):
    db.session.remove()
    result = runner.invoke(args=["restore", *args])
    db.session.remove()
    return result


def test_a_longer_copy_of_another_history_is_refused_without_force(
        client, runner, seller_headers, tmp_path):
    suffix = ".sqlite3" if BACKEND == "sqlite" else ".dump"
    start, longer = tmp_path / f"depart{suffix}", tmp_path / f"longue{suffix}"
    assert runner.invoke(args=["backup", str(start)]).exit_code == 0
    drawer = open_session(client, seller_headers, name="Une histoire")
    for _ in range(3):
        sell(client, seller_headers, drawer, [{"sku": "SAC-VILLE", "qty": 1}],
             [{"method": "cash", "amount_cents": 2000}])
    assert runner.invoke(args=["backup", str(longer)]).exit_code == 0
    assert _restore(runner, "--yes", "--force", str(start)).exit_code == 0
    # this database, earlier, leads to the longer copy: --yes is enough
    forward = _restore(runner, "--yes", str(longer))
    assert forward.exit_code == 0, forward.output
    assert _restore(runner, "--yes", "--force", str(start)).exit_code == 0
    # now another story is written here: the longer copy no longer follows from it
    drawer = open_session(client, seller_headers, name="Une autre histoire")
    sell(client, seller_headers, drawer, [{"sku": "ETIQ-TGV", "qty": 1}],
         [{"method": "card", "amount_cents": 400}])
    db.session.rollback()
    here = journal.head(db.session)
    refused = _restore(runner, "--yes", str(longer))
    assert refused.exit_code == 1, refused.output
    assert "ne vient pas de cette base" in refused.output
    assert "autre caisse" in refused.output and "--force" in refused.output
    assert journal.head(db.session) == here  # nothing was restored
    forced = _restore(runner, "--yes", "--force", str(longer))
    assert forced.exit_code == 0, forced.output
    assert journal.head(db.session) != here


# --- item 7: stripped seals and backdated entries do not pass for "before the seals" ------

def _strip_seals_and_backdate(app, payment_id: int) -> None:
    """The attack, with the app's own functions and without the key: change a payment,
    recompute every row digest and entry hash, date every entry before the key file, strip
    every seal, put the new hashes on the closures' printed lines (and redigest them) and
    move the head."""
    before_the_key = app.config["JOURNAL_SEALED_SINCE"] - timedelta(days=30)
    assert before_the_key < utcnow()
    db.session.execute(text("UPDATE payments SET amount_cents = amount_cents + 100 "
                            "WHERE id = :i"), {"i": payment_id})
    closures = CashSessionClosure.__table__
    renamed: dict[str, str] = {}
    prev = None
    for number, entry in enumerate(db.session.scalars(
            select(JournalEntry).order_by(JournalEntry.seq))):
        rows = json.loads(entry.rows)
        for item in rows:
            if item[0] == "payments" and item[1] == payment_id:
                item[2] = journal.row_digest("payments", dict(db.session.execute(
                    select(Payment.__table__).where(Payment.id == payment_id))
                    .mappings().one()))
            if item[0] == "cash_session_closures":
                printed = db.session.scalar(select(closures.c.journal_hash).where(
                    closures.c.id == item[1]))
                if printed in renamed:
                    db.session.execute(update(closures).where(closures.c.id == item[1])
                                       .values(journal_hash=renamed[printed]))
                item[2] = journal.row_digest("cash_session_closures", dict(
                    db.session.execute(select(closures).where(closures.c.id == item[1]))
                    .mappings().one()))
        entry.rows = journal._dumps(rows)
        entry.created_at = before_the_key + timedelta(seconds=number)
        entry.seal = None
        if prev is not None:
            entry.prev_hash = prev
        old_hash = entry.hash
        entry.hash = journal.entry_hash(entry.prev_hash, entry.seq, entry.created_at,
                                        entry.event, entry.ref, entry.user_id, entry.rows)
        renamed[old_hash] = prev = entry.hash
        db.session.flush()
    db.session.execute(text("UPDATE journal_head SET hash = :h"), {"h": prev})
    db.session.commit()


def test_stripped_seals_and_backdated_entries_are_flagged(app, client, runner, seller_headers,
                                                          treasurer_headers):
    drawer = sales_day(client, seller_headers, treasurer_headers)
    closed = client.post(f"/api/v1/cash-sessions/{drawer}/close", headers=treasurer_headers,
                         json=close_body())
    assert closed.status_code in (200, 201), closed.get_json()
    db.session.rollback()
    assert runner.invoke(args=["verify-journal"]).exit_code == 0
    # the key file made now, as on a real installation (the tests pass the key itself)
    app.config.setdefault("JOURNAL_SEALED_SINCE", utcnow())
    payment_id = db.session.scalar(select(func.min(Payment.id)))
    _strip_seals_and_backdate(app, payment_id)
    assert journal._stored_digest("payments", dict(db.session.execute(select(
        Payment.__table__).where(Payment.id == payment_id)).mappings().one())) is not None
    result = runner.invoke(args=["verify-journal"])
    assert result.exit_code == 1, result.output
    assert "sans sceau" in result.output and "écrites avant les sceaux" not in result.output
    answer = client.get("/api/v1/journal/verify", headers=treasurer_headers)
    assert answer.get_json()["ok"] is False


def test_an_upgraded_journal_then_stripped_of_its_seals_is_flagged(demo, app, runner):
    """An installation written before the seals, upgraded (its seals begin with a sealed
    entry): it verifies; strip that entry's seal too, or cut it, and it no longer does."""
    db.session.execute(text("UPDATE journal_entries SET seal = NULL"))
    db.session.commit()
    app.config["JOURNAL_SEALED_SINCE"] = utcnow() + timedelta(seconds=1)
    marker = journal.seal_the_entries_before(db.session.connection())
    db.session.commit()
    assert journal.seal_the_entries_before(db.session.connection()) is None  # once
    good = runner.invoke(args=["verify-journal"])
    assert good.exit_code == 0 and "écrites avant les sceaux" in good.output, good.output
    db.session.execute(text("DELETE FROM journal_entries WHERE seq = :s"), {"s": marker["seq"]})
    db.session.execute(text("UPDATE journal_head SET seq = :s, hash = :h"),
                       {"s": marker["seq"] - 1, "h": marker["prev_hash"]})
    db.session.commit()
    cut = runner.invoke(args=["verify-journal"])
    assert cut.exit_code == 1 and "aucune entrée scellée après elle" in cut.output, cut.output


# --- items 5 and 6: every form and query through the same bounded, ASCII-digit layer -----

def _order_rows() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Order, OrderPayment, Partner))


def test_odd_numbers_in_order_forms_are_a_4xx_and_change_nothing(client, demo,
                                                                 treasurer_headers):
    order = client.post("/api/v1/orders", headers=treasurer_headers, json={
        "partner": {"name": "SNCF Voyageurs"},
        "lines": [{"sku": "POCH-TGV", "qty": 1, "unit_price_cents": 750}]}).get_json()
    assert web_login(client, "Tresoriere", "2345").status_code == 302
    token = csrf_token(client, "/orders")
    before = _order_rows()
    line = {"line-0-sku": "POCH-VILLE", "line-0-qty": "2"}
    for fields in ({**line, "line-0-qty": "²"}, {**line, "line-0-qty": "５"},
                   {**line, "partner": "²"}, {**line, "partner": "５"},
                   {**line, "partner": "99999999999999999999"},
                   {**line, "partner": "2147483648"}, {**line, "partner": "9223372036854775808"}):
        answer = client.post("/orders/new", data={"csrf_token": token, "partner_name": "",
                                                  **fields})
        assert answer.status_code == 400, (fields, answer.status_code)
        assert _order_rows() == before, fields
    for received_on in ("0001-01-01", "２０２６-01-01", "2019-12-31", "20260101"):
        answer = client.post(f"/orders/{order['id']}/payments", data={
            "csrf_token": token, "method": "transfer", "amount": "1", "received_on": received_on})
        assert answer.status_code < 500, received_on
        assert _order_rows() == before, received_on
    api = client.post(f"/api/v1/orders/{order['id']}/payments", headers=treasurer_headers,
                      json={"method": "transfer", "amount_cents": 100,
                            "received_on": "0001-01-01"})
    assert api.status_code == 400 and _order_rows() == before


def test_huge_or_odd_ids_in_forms_and_queries_are_never_a_5xx(client, demo):
    assert web_login(client, "Admin", "1234").status_code == 302
    token = csrf_token(client, "/admin/")
    for token_id in ("9223372036854775808", "2147483648", "99999999999999999999", "²", "５"):
        answer = client.post("/admin/tokens/revoke", data={"csrf_token": token,
                                                           "revoke-token_id": token_id})
        assert answer.status_code == 400, token_id
    for job in ("²", "99999999999999999999", "2147483648", "５"):
        answer = client.get(f"/stock/labels/progress?job={job}")
        assert answer.status_code == 404, job
    for query in ("/sell?session=2147483648", "/sell?session=²", "/sell?session=５",
                  "/stock/made/done?sku=SAC-VILLE&qty=²", "/sessions/cash-book?year=²",
                  "/sessions/cash-book?year=２０２６", "/reports?from=0001-01-01",
                  "/reports?from=２０２６-01-01"):
        assert client.get(query).status_code < 500, query


def test_a_partner_named_again_in_another_case_of_a_non_ascii_letter_is_a_409(
        client, demo, treasurer_headers):
    for first, again in (("Éole Couture", "Éole Couture"), ("ÉCOLE DU RAIL", "école du rail"),
                         ("Ça Roule", "ça roule")):
        assert client.post("/api/v1/partners", headers=treasurer_headers,
                           json={"name": first}).status_code == 201
        answer = client.post("/api/v1/partners", headers=treasurer_headers, json={"name": again})
        assert answer.status_code == 409, (again, answer.get_json())
        assert answer.get_json()["error"] == "partner_exists"


def test_account_numbers_are_ascii_digits(client, demo, treasurer_headers):
    from kiosk.services.paheko_accounts import accounts

    assert web_login(client, "Tresoriere", "2345").status_code == 302
    token = csrf_token(client, "/exports")
    for key, value in (("paheko_account_cash", "５３０"), ("paheko_account_sales", "²²²"),
                       ("paheko_account_cash", "５")):
        answer = client.post("/exports/accounts", data={"csrf_token": token, key: value},
                             follow_redirects=True)
        assert "fait de chiffres" in answer.get_data(as_text=True), value
    db.session.rollback()
    assert accounts(db.session)["paheko_account_cash"] == "530"
    assert accounts(db.session)["paheko_account_sales"] == "701"
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    spend = {"csrf_token": csrf_token(client, "/envelopes"), "envelope": "solidarite",
             "amount": "1,00", "label": "Fil", "entry_date": "2026-12-20", "confirm": "1"}
    for charge in ("³³", "６０６"):
        answer = client.post("/envelopes/spend", data={**spend, "charge_account": charge})
        assert answer.status_code == 400, charge
    for day in ("0001-01-01", "２０２６-12-20"):
        answer = client.post("/envelopes/spend", data={**spend, "entry_date": day})
        assert answer.status_code == 400, day
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == entries


def test_page_forms_read_numbers_and_days_in_ascii_digits_only(client, demo):
    assert web_login(client, "Admin", "1234").status_code == 302
    made = {"csrf_token": csrf_token(client, "/stock/made"), "sku": "SAC-VILLE", "lot": "",
            "order": ""}
    db.session.rollback()
    moves = db.session.scalar(select(func.count()).select_from(StockMove))
    for qty in ("５", "²", "99999999999999999999"):
        answer = client.post("/stock/made", data={**made, "qty": qty})
        assert answer.status_code == 400, qty
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StockMove)) == moves


def test_numbers_and_days_are_read_by_the_shared_layer_only():
    """No page reads a number or a day its own way again: str.isdigit()/isdecimal() (which
    say yes to "²" and "５"), `type=int` in a query, date.fromisoformat on typed text,
    WTForms' IntegerField or DateField: kiosk/common/input.py, kiosk/common/fields.py and
    kiosk/text.py (is_digits) are where those live."""
    from pathlib import Path

    import kiosk

    root = Path(kiosk.__file__).parent
    shared = {"common/input.py", "common/fields.py", "text.py",
              "services/clock.py"}  # (clock.py: the tablet's time header, issue 24 item 4)
    pattern = re.compile(r"\.isdigit\(\)|\.isdecimal\(\)|type=int\b|\bIntegerField\(|"
                         r"\bDateField\(|date\.fromisoformat\((?!h\.label)")
    found = [f"{path.relative_to(root)}:{number}: {line.strip()}"
             for path in sorted(root.rglob("*.py"))
             if "migrations" not in path.parts and str(path.relative_to(root)) not in shared
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if pattern.search(line) and not line.lstrip().startswith("#")]
    assert found == []
