"""The catalogue and the banner lots: created and edited by the coordinator, not journaled."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import N_, Conflict, InvalidInput, NotFound
from kiosk.extensions import db
from kiosk.models import BannerLot, Location, Product, ProductCategory
from kiosk.models.catalogue import Category, LocationKind
from kiosk.text import _
from kiosk.vocabulary import MAX_AREA_CM2, MAX_PRICE_CENTS

SKU_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_SIDE = 1200  # stored photos are shrunk to this size at most


@dataclass
class ProductData:
    """What the coordinator typed (or the API sent), already in the right types."""

    sku: str
    name: str
    category: str
    price_cents: int
    active: bool = True
    story: str = ""
    colour: str = "#2b6cb0"
    banner_area_cm2: int = 0
    # "Prix libre": price_cents is then the suggestion, min_price_cents the floor.
    free_price: bool = False
    min_price_cents: int = 0


def _clean_text(value: str, field: str, label: str, max_length: int,
                required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field, _("Écrivez %(what)s.", what=label))
    if len(value) > max_length:
        raise InvalidInput(field, _("%(what)s est trop long (%(n)s caractères au plus).",
                                    what=label.capitalize(), n=max_length))
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ord(ch) == 127 for ch in value):
        raise InvalidInput(field, _("%(what)s contient un caractère invisible : "
                                    "retapez-le.", what=label.capitalize()))
    return value


def validate_product(data: ProductData, category_codes: set[str]) -> ProductData:
    """`category_codes`: the categories a product may take (active_category_codes)."""
    sku = (data.sku or "").strip().upper()
    if not SKU_PATTERN.match(sku):
        raise InvalidInput("sku", _("La référence s'écrit en lettres sans accent, chiffres "
                                    "et tirets, 32 caractères au plus (par exemple SAC-IKEA)."))
    name = _clean_text(data.name, "name", _("le nom du produit"), 120)
    if data.category not in category_codes:
        raise InvalidInput("category", _("Choisissez une catégorie dans la liste."))
    if isinstance(data.price_cents, bool) or not isinstance(data.price_cents, int) \
            or not 0 <= data.price_cents <= MAX_PRICE_CENTS:
        raise InvalidInput("price_cents", _("Le prix doit être entre 0 et 10 000 €, "
                                            "par exemple 12,50."))
    story = _clean_text(data.story, "story", _("l'histoire"), 2000, required=False)
    colour = (data.colour or "#2b6cb0").strip()
    if not COLOUR_PATTERN.match(colour):
        raise InvalidInput("colour", _("La couleur s'écrit comme #2b6cb0."))
    if isinstance(data.banner_area_cm2, bool) or not isinstance(data.banner_area_cm2, int) \
            or not 0 <= data.banner_area_cm2 <= MAX_AREA_CM2:
        raise InvalidInput("banner_area_cm2", _("La surface de bâche par pièce est un nombre "
                                                "entier de cm², de 0 à 1 000 000."))
    minimum = data.min_price_cents if data.free_price else 0
    if isinstance(minimum, bool) or not isinstance(minimum, int) \
            or not 0 <= minimum <= data.price_cents:
        raise InvalidInput("min_price_cents", _("Le prix minimum va de 0 au prix suggéré."))
    return ProductData(sku, name, data.category, data.price_cents, bool(data.active), story,
                       colour.lower(), data.banner_area_cm2, bool(data.free_price), minimum)


def active_category_codes(session: Session) -> set[str]:
    return set(session.scalars(select(ProductCategory.code).where(
        ProductCategory.active.is_(True))))


def create_product(session: Session, data: ProductData) -> Product:
    data = validate_product(data, active_category_codes(session))
    if session.scalar(select(Product.id).where(Product.sku == data.sku)) is not None:
        raise Conflict("sku_taken", _("La référence %(sku)s existe déjà : choisissez-en une "
                                      "autre.", sku=data.sku))
    product = Product(**data.__dict__)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product_id: int, data: ProductData) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("unknown_product", _("Ce produit n'existe pas."))
    # a product keeps a category retired since; another one must be active
    data = validate_product(data, active_category_codes(session) | {product.category})
    if data.sku != product.sku and session.scalar(
            select(Product.id).where(Product.sku == data.sku)) is not None:
        raise Conflict("sku_taken", _("La référence %(sku)s existe déjà : choisissez-en une "
                                      "autre.", sku=data.sku))
    for key, value in data.__dict__.items():
        setattr(product, key, value)
    session.flush()
    return product


def photos_dir(instance_path: str) -> Path:
    folder = Path(instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_photo(session: Session, product: Product, raw: bytes, instance_path: str) -> str:
    """Check that `raw` is a real picture of a sensible size, shrink it, store it under
    instance/photos/ with a name of our own (never the uploader's), and link it."""
    from PIL import Image, UnidentifiedImageError  # imported by the first photo

    if not raw:
        raise InvalidInput("photo", _("Le fichier de la photo est vide."))
    if len(raw) > MAX_PHOTO_BYTES:
        raise InvalidInput("photo", _("La photo est trop lourde (5 Mo au plus)."))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in PHOTO_FORMATS:
            raise InvalidInput("photo", _("La photo doit être en JPEG, PNG ou WebP."))
        if width * height > MAX_PHOTO_PIXELS:
            raise InvalidInput("photo", _("La photo a trop de pixels."))
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            if image.mode not in ("RGB", "RGBA", "L"):
                image = image.convert("RGB")
            if kind == "JPEG" and image.mode == "RGBA":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format=kind)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise InvalidInput("photo", _("Ce fichier n'est pas une photo lisible : "
                                      "choisissez un JPEG, PNG ou WebP.")) from None
    name = f"{uuid.uuid4().hex}.{PHOTO_FORMATS[kind]}"
    (photos_dir(instance_path) / name).write_bytes(out.getvalue())
    product.photo = name
    session.flush()
    return name


# --- Banner lots ---------------------------------------------------------------------------

def create_lot(session: Session, code: str, partner: str, received_on: date | None,
               area_m2_text: str | float | int, description: str = "") -> BannerLot:
    code = (code or "").strip().upper()
    if not SKU_PATTERN.match(code):
        raise InvalidInput("code", _("Le code du lot s'écrit en lettres sans accent, "
                                     "chiffres et tirets (par exemple IKEA-2026)."))
    partner = _clean_text(partner, "partner", _("qui a donné les bâches"), 120)
    description = _clean_text(description, "description", _("la description"), 500,
                              required=False)
    if received_on is None:
        raise InvalidInput("received_on", _("Indiquez la date de réception."))
    area_dm2 = parse_area_m2(area_m2_text)
    if session.scalar(select(BannerLot.id).where(BannerLot.code == code)) is not None:
        raise Conflict("lot_taken", _("Le lot %(code)s existe déjà.", code=code))
    lot = BannerLot(code=code, partner=partner, description=description,
                    received_on=received_on, area_dm2=area_dm2)
    session.add(lot)
    session.flush()
    return lot


def parse_area_m2(text: str | float | int) -> int:
    """`12,5` m² → 1250 dm² (the lots store square decimetres)."""
    cleaned = str(text).strip().replace("m²", "").replace("m2", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,2})?", cleaned):
        raise InvalidInput("area", _("La surface est un nombre de m², par exemple 12,5."))
    units, _sep, decimals = cleaned.partition(".")
    return int(units) * 100 + int((decimals + "00")[:2])


def lots(session: Session) -> list[BannerLot]:
    return list(session.scalars(select(BannerLot).order_by(BannerLot.received_on.desc(),
                                                           BannerLot.code)))


def products(session: Session, active_only: bool = True) -> list[Product]:
    stmt = select(Product).order_by(Product.category, Product.name)
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    return list(session.scalars(stmt))


def locations(session: Session) -> list[Location]:
    return list(session.scalars(select(Location).where(Location.active.is_(True))
                                .order_by(Location.id)))


# The names of the categories every installation starts with, for the translations: a
# category's name is data (in French); these have an English one.
DEFAULT_CATEGORIES = [(Category.BAG, N_("Sac")), (Category.APRON, N_("Tablier")),
                      (Category.POUCH, N_("Pochette")),
                      (Category.TOILETRY_KIT, N_("Trousse de toilette")),
                      (Category.LAUNDRY_BAG, N_("Sac à linge")),
                      (Category.LUGGAGE_TAG, N_("Étiquette de valise")),
                      (Category.OTHER, N_("Autre"))]


def ensure_default_categories(session: Session) -> None:
    """The starting categories, where none is there yet (the migration writes them; an
    emptied database gets them back)."""
    if session.scalar(select(ProductCategory.code).limit(1)) is None:
        session.add_all(ProductCategory(code=str(code), name=name, active=True, position=i)
                        for i, (code, name) in enumerate(DEFAULT_CATEGORIES))
        session.flush()


def categories(session: Session | None = None, active_only: bool = False
               ) -> list[ProductCategory]:
    stmt = select(ProductCategory).order_by(ProductCategory.position, ProductCategory.name)
    if active_only:
        stmt = stmt.where(ProductCategory.active.is_(True))
    return list((session or db.session).scalars(stmt))  # (pages pass none: the request's)


def category_labels(session: Session | None = None, active_only: bool = False
                    ) -> dict[str, str]:
    """Code → name, in the reader's language where the name has a translation."""
    return {c.code: _(c.name) for c in categories(session, active_only)}


def _category_code(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", name)
                  .encode("ascii", "ignore").decode().lower()).strip("_")[:12] or "cat"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:12]}_{n}"
    return code


def add_category(session: Session, name: str) -> ProductCategory:
    """A new category, named as the coordinator writes it ("Porte-clés")."""
    name = _clean_text(name, "name", _("le nom de la catégorie"), 120)
    existing = categories(session)
    if any(c.name.casefold() == name.casefold() for c in existing):
        raise Conflict("category_exists", _("La catégorie « %(name)s » existe déjà.",
                                            name=name))
    category = ProductCategory(code=_category_code(name, {c.code for c in existing}),
                               name=name, active=True,
                               position=max((c.position for c in existing), default=0) + 1)
    session.add(category)
    session.flush()
    return category


def update_category(session: Session, code: str, name: str, active: bool) -> ProductCategory:
    category = session.get(ProductCategory, code)
    if category is None:
        raise NotFound("category", _("Cette catégorie n'existe pas."))
    name = _clean_text(name, "name", _("le nom de la catégorie"), 120)
    if any(c.name.casefold() == name.casefold() and c.code != code
           for c in categories(session)):
        raise Conflict("category_exists", _("La catégorie « %(name)s » existe déjà.",
                                            name=name))
    category.name, category.active = name, bool(active)
    session.flush()
    return category


def location_kind_labels() -> dict[str, str]:
    return {LocationKind.WORKSHOP: _("atelier"), LocationKind.STALL: _("stand"),
            LocationKind.CONSIGNMENT: _("dépôt-vente")}
