"""Forms of the stock pages. The product grids have one field per product, so the pages
read those fields themselves; these forms carry the CSRF token and the fixed fields."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kiosk.common.fields import TextField, WholeNumberField
from kiosk.vocabulary import MAX_QTY, NAME_MAX


class MadeForm(FlaskForm):
    sku = HiddenField()
    qty = WholeNumberField(_l("Combien ?"), default=1, validators=[
        InputRequired(_l("Dites combien de pièces vous avez cousues.")),
        NumberRange(1, MAX_QTY, _l("Le nombre de pièces va de %(min)s à %(max)s."))])
    lot = SelectField(_l("Dans quel lot de bâches ?"), validators=[Optional()])
    # Issue 19: pieces sewn for a partner's order (its lot unless another is chosen).
    order = SelectField(_l("Pour une commande ?"), validators=[Optional()])


class TakeForm(FlaskForm):
    sku = HiddenField()
    qty = WholeNumberField(_l("Combien ?"), default=1, validators=[
        InputRequired(_l("Dites combien de pièces vous emportez.")),
        NumberRange(1, MAX_QTY, _l("Le nombre de pièces va de %(min)s à %(max)s."))])
    source = SelectField(_l("D'où ?"))
    target = SelectField(_l("Vers où ?"))


class CountForm(FlaskForm):
    """The counted quantities come as `qty-SKU` fields; `step` is preview or save."""

    location = HiddenField()
    step = HiddenField(default="preview")


class ConsignmentForm(FlaskForm):
    location = SelectField(_l("Quelle boutique ?"))
    period = StringField(_l("Quelle période ?"), validators=[
        InputRequired(_l("Dites quelle période ce relevé couvre, par exemple « mai 2026 »."
                         )), Length(max=NAME_MAX)])
    commission_percent = StringField(_l("Commission gardée par la boutique (%)"),
                                     validators=[Optional()])
    paid = StringField(_l("Montant versé par la boutique (€)"), validators=[Optional()])
    confirm = TextField()  # "1": more pieces than the shop holds on deposit, confirmed


class LabelPrintForm(FlaskForm):
    sku = HiddenField(validators=[InputRequired()])
    copies = WholeNumberField(validators=[InputRequired(), NumberRange(1, MAX_QTY)])


class BringBackForm(FlaskForm):
    source = HiddenField(validators=[InputRequired()])
