"""Forms of the sell area (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from kiosk.common.fields import IdListField, TextField
from kiosk.vocabulary import NAME_MAX, NOTE_MAX


class OpenSessionForm(FlaskForm):
    """Where, the drawer's name, who holds the stall (`team`); the float's counters are read
    by read_counts (`dDENOMINATION`), as every count."""

    location = RadioField(_l("Où vendez-vous ?"), validators=[DataRequired()])
    name = StringField(_l("Nom de la caisse"), validators=[DataRequired(),
                                                           Length(max=NAME_MAX)])
    team = IdListField()


class TeamForm(FlaskForm):
    """A volunteer tapped on the team page: she arrives (`join`) or leaves."""

    action = TextField()
    team = IdListField()


class RefundForm(FlaskForm):
    """Why, and from which drawer; the quantities are the `qty-SKU` boxes (read_counts)."""

    reason = StringField(_l("Pourquoi ?"), validators=[DataRequired(), Length(max=NOTE_MAX)])
    drawer = TextField()
