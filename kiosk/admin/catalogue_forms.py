"""Forms of the catalogue pages: products, banner lots, the label sheet."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kiosk.common.fields import DayField, WholeNumberField
from kiosk.vocabulary import MAX_AREA_CM2, NAME_MAX

AREA_WORDS = f"{MAX_AREA_CM2:,}".replace(",", "\u202f")  # 1 000 000, as French writes it


class MillimetresField(DecimalField):
    """A length in mm: a number with a comma or a point; "NaN", "sNaN" or "Infinity",
    which Decimal reads, are refused as not a number (they broke the range check)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Écrivez un nombre de millimètres, par exemple 63,5."))


class ProductForm(FlaskForm):
    sku = StringField(_l("Référence (sur l'étiquette)"), validators=[
        InputRequired(_l("Écrivez une référence, par exemple SAC-IKEA.")),
        Length(max=32, message=_l("La référence a 32 caractères au plus."))])
    name = StringField(_l("Nom"), validators=[
        InputRequired(_l("Écrivez le nom du produit.")),
        Length(max=NAME_MAX, message=_l("Le nom a %(max)d caractères au plus."))])
    category = SelectField(_l("Catégorie"))
    price = StringField(_l("Prix (€)"), validators=[
        InputRequired(_l("Écrivez le prix, par exemple 12,50."))])
    banner_area_cm2 = WholeNumberField(_l("Bâche utilisée par pièce (cm²)"), default=0,
                                   validators=[Optional(), NumberRange(
                                       0, MAX_AREA_CM2, _l("Un nombre de cm² de 0 à %(most)s.",
                                                           most=AREA_WORDS))])
    colour = StringField(_l("Couleur de la tuile"), default="#2b6cb0")
    # offered as swatches to touch (issue 27): nobody has to type "#2b6cb0"
    PALETTE = (("#2b6cb0", _l("Bleu")), ("#c05621", _l("Orange")), ("#2f855a", _l("Vert")),
               ("#6b46c1", _l("Violet")), ("#b83280", _l("Rose")), ("#975a16", _l("Brun")),
               ("#2c7a7b", _l("Bleu-vert")), ("#c53030", _l("Rouge")),
               ("#4a5568", _l("Gris")))
    story = TextAreaField(_l("Son histoire (page publique)"), validators=[
        Length(max=2000, message=_l("2000 caractères au plus."))])
    active = BooleanField(_l("En vente"), default=True)
    free_price = BooleanField(_l("Prix libre (le prix ci-dessus est alors suggéré)"),
                              default=False)
    min_price = StringField(_l("Prix minimum, pour un prix libre (€)"), default="0")
    photo = FileField(_l("Photo (JPEG, PNG ou WebP, 5 Mo au plus)"))


class LotForm(FlaskForm):
    code = StringField(_l("Code du lot"), validators=[
        InputRequired(_l("Écrivez un code, par exemple IKEA-2026."))])
    partner = StringField(_l("Donné par"), validators=[
        InputRequired(_l("Dites qui a donné les bâches."))])
    description = StringField(_l("Description"))
    received_on = DayField(_l("Reçu le"), validators=[
        InputRequired(_l("Indiquez la date de réception."))])
    area = StringField(_l("Surface (m²)"), validators=[
        InputRequired(_l("Écrivez la surface en m², par exemple 12,5."))])


class SheetForm(FlaskForm):
    cols = WholeNumberField(_l("Colonnes"), validators=[InputRequired(), NumberRange(1, 10)])
    rows = WholeNumberField(_l("Lignes"), validators=[InputRequired(), NumberRange(1, 30)])
    label_w = MillimetresField(_l("Largeur d'une étiquette (mm)"), places=2,
                           validators=[InputRequired(), NumberRange(10, 210)])
    label_h = MillimetresField(_l("Hauteur d'une étiquette (mm)"), places=2,
                           validators=[InputRequired(), NumberRange(10, 297)])
    margin_left = MillimetresField(_l("Marge de gauche (mm)"), places=2,
                               validators=[InputRequired(), NumberRange(0, 100)])
    margin_top = MillimetresField(_l("Marge du haut (mm)"), places=2,
                              validators=[InputRequired(), NumberRange(0, 100)])
    gap_x = MillimetresField(_l("Espace entre colonnes (mm)"), places=2,
                         validators=[InputRequired(), NumberRange(0, 100)])
    gap_y = MillimetresField(_l("Espace entre lignes (mm)"), places=2,
                         validators=[InputRequired(), NumberRange(0, 100)])
    offset_x = MillimetresField(_l("Décalage vers la droite (mm)"), places=2,
                            validators=[InputRequired(), NumberRange(-20, 20)])
    offset_y = MillimetresField(_l("Décalage vers le bas (mm)"), places=2,
                            validators=[InputRequired(), NumberRange(-20, 20)])
