"""What the group makes, where it goes, and the banners it is sewn from."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.database import UTCDateTime, utcnow
from kiosk.extensions import db


class LocationKind(StrEnum):
    WORKSHOP = "workshop"
    STALL = "stall"
    CONSIGNMENT = "consignment"


class Category(StrEnum):
    """The categories every installation starts with (rows of ProductCategory, migration
    s15a00000002); an admin adds her own (a group that starts sewing key rings)."""

    BAG = "bag"
    APRON = "apron"
    POUCH = "pouch"
    TOILETRY_KIT = "toiletry_kit"
    LAUNDRY_BAG = "laundry_bag"
    LUGGAGE_TAG = "luggage_tag"
    OTHER = "other"


class ProductCategory(db.Model):
    """A kind of product the coordinator manages: its code is what products carry."""

    __tablename__ = "product_categories"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # as written, in French
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class Location(db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    # Consignment: the share the shop keeps, in basis points (1000 = 10 %).
    commission_bp: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(16), index=True)
    price_cents: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    story: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#2b6cb0")
    photo: Mapped[str | None] = mapped_column(String(255))
    # Banner used by one piece, in square centimetres, for the impact report.
    banner_area_cm2: Mapped[int] = mapped_column(default=0)
    # "Prix libre": the customer pays what she wants, at least the minimum; price_cents is
    # then the suggested price (the button on the sale screen).
    free_price: Mapped[bool] = mapped_column(default=False, server_default=false())
    min_price_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BannerLot(db.Model):
    """Advertising banners received from a partner, from which pieces are sewn."""

    __tablename__ = "banner_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    partner: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    received_on: Mapped[date]
    area_dm2: Mapped[int] = mapped_column(default=0)  # square decimetres: 100 = 1 m²
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
