"""The login form: a name tapped among the volunteers, and a PIN typed on the keypad."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField
from wtforms.validators import InputRequired, Length, Regexp


class LoginForm(FlaskForm):
    user = RadioField(_l("Qui êtes-vous ?"), validators=[
        InputRequired(_l("Touchez votre prénom pour commencer."))], validate_choice=False)
    pin = PasswordField(_l("Code secret"), validators=[
        InputRequired(_l("Tapez votre code secret (4 à 6 chiffres).")),
        Length(min=4, max=6, message=_l("Le code secret a 4 à 6 chiffres.")),
        Regexp(r"^[0-9]+$", message=_l("Le code secret n'a que des chiffres.")),
    ])
