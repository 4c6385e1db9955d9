"""Forms of the admin pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from kiosk.common.fields import TextField, choice_id
from kiosk.vocabulary import NAME_MAX


class UserForm(FlaskForm):
    name = StringField(_l("Prénom (ou prénom et nom)"), validators=[
        InputRequired(_l("Écrivez le prénom de la personne.")),
        Length(max=NAME_MAX, message=_l("Le prénom est trop long (%(max)d caractères au "
                                           "plus)."))])
    role = SelectField(_l("Rôle"), choices=[
        ("seller", _l("Vendeuse : vend et imprime")),
        ("treasurer", _l("Trésorière : ferme la caisse, enveloppes, exports")),
        ("admin", _l("Coordinatrice : catalogue, personnes, réglages"))])
    pin = PasswordField(_l("Code secret (4 à 6 chiffres)"), validators=[
        InputRequired(_l("Choisissez un code secret de 4 à 6 chiffres.")),
        Regexp(r"^[0-9]{4,6}$", message=_l("Le code secret a 4 à 6 chiffres, rien d'autre."))])


class TokenForm(FlaskForm):
    user_id = SelectField(_l("Pour qui ?"), coerce=choice_id)
    label = StringField(_l("À quoi sert-il ?"), validators=[
        Length(max=NAME_MAX, message=_l("%(max)d caractères au plus."))])


class RevokeForm(FlaskForm):
    token_id = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]+$")])


ROLE_CHOICES = UserForm.role.kwargs["choices"]


class PinResetForm(FlaskForm):
    pin = PasswordField(_l("Nouveau code secret (4 à 6 chiffres)"), render_kw={
        "inputmode": "numeric", "autocomplete": "new-password", "maxlength": 6}, validators=[
        InputRequired(_l("Choisissez un code secret de 4 à 6 chiffres.")),
        Regexp(r"^[0-9]{4,6}$", message=_l("Le code secret a 4 à 6 chiffres, rien d'autre."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=ROLE_CHOICES)


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[InputRequired(), Regexp(r"^[01]$")])


class ClockForm(FlaskForm):
    """The clock page's buttons: keep the server's time, follow the tablet's, or set the
    server's; `tablet_time` is the tablet's clock in milliseconds (read by
    services.clock.parse_tablet_time, as the tablets' header)."""

    action = TextField()
    tablet_time = TextField()
