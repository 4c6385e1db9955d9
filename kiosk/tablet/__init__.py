"""What the tablet needs to be a till: versioned static files, the service worker that keeps
the sale screen working offline, and the kiosk authority's certificate (all public)."""

from flask import Blueprint

bp = Blueprint("tablet", __name__)

from kiosk.tablet import routes  # noqa: E402,F401
