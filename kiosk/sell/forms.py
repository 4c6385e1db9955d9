"""Forms of the sell area (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length


class OpenSessionForm(FlaskForm):
    location = RadioField(_l("Où vendez-vous ?"), validators=[DataRequired()])
    name = StringField(_l("Nom de la caisse"), validators=[DataRequired(), Length(max=120)])


class RefundForm(FlaskForm):
    reason = StringField(_l("Pourquoi ?"), validators=[DataRequired(), Length(max=500)])
