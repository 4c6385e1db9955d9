"""The demo data: the group's real catalogue as the seed text describes it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import BannerLot, Envelope, Location, Product, User
from kiosk.models.catalogue import Category, LocationKind
from kiosk.services.auth import create_user
from kiosk.services.catalogue import ensure_default_categories
from kiosk.services.envelopes import decide_split
from kiosk.services.setup import hold_the_first_start, mark_demo
from kiosk.services.stock import MoveSpec, record_moves

DEMO_USERS = (("Admin", "admin", "1234"), ("Tresoriere", "treasurer", "2345"),
              ("Vendeuse", "seller", "3456"))

LOCATIONS = (
    ("atelier", "Atelier de Fontaine d'Ouche", LocationKind.WORKSHOP, 0),
    ("ikea", "Stand IKEA Dijon", LocationKind.STALL, 0),
    ("musee", "Boutique du musée de la Vie bourguignonne", LocationKind.CONSIGNMENT, 1000),
)

LOTS = (
    ("VILLE-2010", "Ville de Dijon", "Calicots publicitaires de la ville", date(2010, 1, 15),
     6000),
    ("SNCF-2011", "SNCF", "Bâches du TGV Rhin-Rhône", date(2011, 1, 20), 4000),
    ("IKEA-2012", "IKEA", "Banderoles du magasin IKEA de Dijon", date(2012, 3, 1), 8000),
)

# sku, name, category, price in cents, banner per piece (cm²), lot, story, colour
PRODUCTS = (
    ("SAC-VILLE", "Sac cabas Ville de Dijon", Category.BAG, 1800, 6000, "VILLE-2010",
     "Cousu à Fontaine d'Ouche dans un calicot de la Ville de Dijon.", "#b83280"),
    ("POCH-VILLE", "Pochette Ville de Dijon", Category.POUCH, 750, 1200, "VILLE-2010",
     "Une pochette zippée, taillée dans un calicot de la ville.", "#d53f8c"),
    ("TROU-VILLE", "Trousse Ville de Dijon", Category.TOILETRY_KIT, 950, 1800, "VILLE-2010",
     "Trousse doublée, cousue dans un calicot de la ville.", "#805ad5"),
    ("TAB-ENF-VILLE", "Tablier enfant Ville de Dijon", Category.APRON, 900, 3500,
     "VILLE-2010", "Un petit tablier pour les enfants, dans un calicot de la ville.",
     "#6b46c1"),
    ("POCH-TGV", "Pochette TGV Rhin-Rhône", Category.POUCH, 800, 1200, "SNCF-2011",
     "Cousue à Fontaine d'Ouche dans une bâche du TGV Rhin-Rhône.", "#2b6cb0"),
    ("ETIQ-TGV", "Étiquette de valise TGV", Category.LUGGAGE_TAG, 400, 300, "SNCF-2011",
     "Une étiquette de valise dans une bâche du TGV Rhin-Rhône.", "#3182ce"),
    ("SAC-IKEA", "Sac bandoulière IKEA", Category.BAG, 1500, 5000, "IKEA-2012",
     "Cousu dans une banderole du magasin IKEA de Dijon.", "#c05621"),
    ("COURSES-IKEA", "Sac de courses IKEA", Category.BAG, 1200, 5500, "IKEA-2012",
     "Un grand sac de courses dans une banderole IKEA.", "#dd6b20"),
    ("TAB-IKEA", "Tablier IKEA", Category.APRON, 1400, 5000, "IKEA-2012",
     "Un tablier de cuisine taillé dans une banderole IKEA.", "#2f855a"),
    ("TROU-IKEA", "Trousse de toilette IKEA", Category.TOILETRY_KIT, 1000, 1800, "IKEA-2012",
     "Une trousse de toilette doublée, dans une banderole IKEA.", "#38a169"),
    ("LINGE-IKEA", "Sac à linge IKEA", Category.LAUNDRY_BAG, 1600, 7000, "IKEA-2012",
     "Un sac à linge solide, cousu dans une banderole IKEA.", "#276749"),
    ("ETIQ-IKEA", "Étiquette de valise IKEA", Category.LUGGAGE_TAG, 350, 300, "IKEA-2012",
     "Une étiquette de valise dans une banderole IKEA.", "#975a16"),
)

ENVELOPES = (("solidarite", "Solidarité"), ("loisirs", "Loisirs"))


def seed_demo(session: Session) -> bool:
    """Load the demo once; returns False (and changes nothing) if it is already there."""
    hold_the_first_start(session)  # (one start at a time, the web's and this one)
    if session.scalar(select(User.id).where(User.name == "Admin")) is not None:
        return False
    mark_demo(session)  # every page and paper says DÉMO
    ensure_default_categories(session)
    users = {name: create_user(session, name, role, pin) for name, role, pin in DEMO_USERS}
    locations = {code: Location(code=code, name=name, kind=kind, commission_bp=commission)
                 for code, name, kind, commission in LOCATIONS}
    lots = {code: BannerLot(code=code, partner=partner, description=desc, received_on=day,
                            area_dm2=area) for code, partner, desc, day, area in LOTS}
    envelopes = [Envelope(code=code, name=name) for code, name in ENVELOPES]
    session.add_all([*locations.values(), *lots.values(), *envelopes])
    products = []
    for sku, name, category, price, area, lot, story, colour in PRODUCTS:
        product = Product(sku=sku, name=name, category=category, price_cents=price,
                          banner_area_cm2=area, story=story, colour=colour)
        products.append((product, lot))
    session.add_all([p for p, _ in products])
    session.flush()

    admin = users["Admin"].id
    made = [MoveSpec(p.id, locations["atelier"].id, 20, "production",
                     banner_lot_id=lots[lot].id, note="stock de départ") for p, lot in products]
    record_moves(session, made, admin, "production", "démo")
    for code, qty in (("ikea", 8), ("musee", 4)):
        for p, _lot in products:
            group = f"demo-{code}-{p.sku}"
            record_moves(session, [
                MoveSpec(p.id, locations["atelier"].id, -qty, "transfer", group_ref=group),
                MoveSpec(p.id, locations[code].id, qty, "transfer", group_ref=group),
            ], admin, "transfer", group)
    decide_split(session, {"solidarite": 1, "loisirs": 1}, date(2012, 4, 1),
                 "Décidé en réunion du 2 avril 2012 : moitié solidarité, moitié loisirs.",
                 admin)
    return True
