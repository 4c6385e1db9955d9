"""The home page (what this volunteer needs first, then one large tile per thing she may
do), the illustrated guide; and the server's clock
against the tablet's, measured on every request that carries the tablet's time and shown
on every page when it is wrong (kiosk/services/clock.py)."""

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from kiosk.extensions import db
from kiosk.main.guide import GUIDE
from kiosk.main.replica import replica_notice
from kiosk.services import clock
from kiosk.services import home as home_service

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    first = home_service.first_things(db.session, treasurer=current_user.has_role("treasurer"),
                                      admin=current_user.has_role("admin"))

    notice = replica_notice() if current_user.has_role("treasurer") else None
    return render_template("main/home.html", first=first, replica_notice=notice)


@bp.route("/aide")
def guide():
    """Public: a volunteer who cannot log in yet may read how it goes."""
    return render_template("main/guide.html", guide=GUIDE)


@bp.before_app_request
def _read_the_tablets_clock() -> None:
    """A logged-in tablet's time, which may correct the kiosk's clock; an anonymous one
    counts for nothing (anybody on the Wi-Fi could send any time)."""
    tablet = clock.parse_tablet_time(request.headers.get(clock.TABLET_TIME_HEADER))
    if tablet is not None and current_user.is_authenticated:
        clock.record_reading(db.session, tablet, current_user.id)


def clock_message(status: clock.ClockStatus) -> str:
    """The warning every screen shows, in plain words; empty when the clock is right."""
    if not status.blocked:
        return ""
    when = _("EEEE d MMMM yyyy 'à' HH:mm")  # a Babel pattern: the day, the date, the time
    server = format_datetime(status.server, when)
    if status.problem == "tablet_differs":
        tablet = format_datetime(status.tablet, when)
        text = _("Attention : l'horloge du serveur dit %(server)s, la tablette dit %(tablet)s. "
                 "Les ventes seraient datées à la mauvaise heure.", server=server,
                 tablet=tablet)
    else:
        last = format_datetime(status.last_event, when)
        text = _("Attention : l'horloge du serveur dit %(server)s, plus tôt que la dernière "
                 "opération enregistrée (%(last)s). Elle a sans doute perdu l'heure.",
                 server=server, last=last)
    return text + " " + _("Ouvrir une caisse est bloqué jusqu'à ce que la coordinatrice "
                          "règle l'heure (Réglages, Heure du serveur).")


@bp.app_context_processor
def _clock_warning() -> dict:
    if request.blueprint == "api" or request.endpoint in (None, "static"):
        return {}
    try:
        status = clock.status(db.session)
    except SQLAlchemyError:  # an error page about the database itself still renders
        return {}
    return {"clock_warning": clock_message(status),
            "clock_page": url_for("admin.clock_page")
            if current_user.is_authenticated and current_user.has_role("admin") else None}


@bp.route("/clock")
def clock_check():
    """The tablet's page script asks (with its time in the header): is the clock right?"""
    status = clock.status(db.session)
    return jsonify({"ok": not status.blocked, "problem": status.problem,
                    "difference_seconds": status.difference_seconds,
                    "message": clock_message(status)})
