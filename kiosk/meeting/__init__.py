"""The group's meeting on a big screen (issue 30): what was sold, what each envelope holds,
what was spent, and the decisions, one screen at a time."""

from flask import Blueprint

bp = Blueprint("meeting", __name__)

from kiosk.meeting import routes  # noqa: E402,F401
