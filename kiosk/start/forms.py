"""The form of "Commencer pour de vrai"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from kiosk.common.fields import DayField, WholeNumberField
from kiosk.vocabulary import MAX_SHARE

ENVELOPE_ROWS = 4


class RealStartForm(FlaskForm):
    group_name = StringField(_l("Nom du groupe (en haut de chaque ticket)"),
                             validators=[InputRequired(_l("Écrivez le nom du groupe."))])
    address = StringField(_l("Adresse"), validators=[InputRequired(_l("Écrivez l'adresse."))])
    admin_name = StringField(_l("Votre prénom (la première coordinatrice)"),
                             validators=[InputRequired(_l("Écrivez votre prénom."))])
    pin = PasswordField(_l("Votre code secret (4 à 6 chiffres)"),
                        validators=[InputRequired(_l("Choisissez un code secret."))])
    pin_again = PasswordField(_l("Le même code, encore une fois"),
                              validators=[InputRequired(_l("Tapez le code une seconde fois."))])
    workshop_name = StringField(_l("L'atelier"), default="Atelier")
    stall_name = StringField(_l("Le stand où vous vendez"),
                             validators=[InputRequired(_l("Écrivez le nom du stand."))])
    shop_name = StringField(_l("Un dépôt-vente (s'il y en a un)"))
    decided_on = DayField(_l("Date de la réunion qui a décidé la répartition"),
                           validators=[InputRequired(_l("Donnez la date de la réunion."))])
    # Issue 30: the group's own rule; empty, no spend needs a decision (the default)
    spend_decision_above = WholeNumberField(
        _l("Une dépense de plus de combien d'euros doit être décidée en réunion ? "
           "(vide : aucune)"), validators=[Optional(), NumberRange(0, 10000)])


# The envelopes: a name and a share per row (Solidarité 1, Loisirs 1 means half each).
for _i in range(1, ENVELOPE_ROWS + 1):
    setattr(RealStartForm, f"envelope_{_i}", StringField(_l("Enveloppe %(n)s", n=_i)))
    setattr(RealStartForm, f"share_{_i}", WholeNumberField(
        _l("Part de l'enveloppe %(n)s", n=_i), validators=[Optional(), NumberRange(0, MAX_SHARE)]))


class EmptyDemoForm(FlaskForm):
    confirm = BooleanField(_l("J'ai compris : toutes les ventes, le stock et les personnes "
                              "de la démo seront effacés."),
                           validators=[InputRequired(_l("Cochez la case pour confirmer."))])
