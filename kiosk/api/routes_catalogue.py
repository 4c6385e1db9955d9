"""API routes: catalogue (locations and products)."""

from __future__ import annotations

from typing import Annotated

from flask import jsonify
from pydantic import Field

from kiosk.api.endpoint import endpoint
from kiosk.api.schemas import Body, Name, PriceCents, Sku
from kiosk.database import write_transaction
from kiosk.extensions import db
from kiosk.models.people import Role
from kiosk.services import catalogue
from kiosk.services.stock import stock_table
from kiosk.vocabulary import MAX_AREA_CM2

# Any category of the database (an admin adds her own): the service checks it exists.
CategoryName = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,16}$")]


class ProductBody(Body):
    sku: Sku
    name: Name
    category: CategoryName
    price_cents: PriceCents
    active: bool = True
    story: Annotated[str, Field(max_length=2000)] = ""
    colour: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#2b6cb0"
    banner_area_cm2: Annotated[int, Field(ge=0, le=MAX_AREA_CM2)] = 0
    free_price: bool = False  # "prix libre": price_cents is the suggestion
    min_price_cents: PriceCents = 0


def product_json(product, stock: dict[str, int] | None = None) -> dict:
    return {"sku": product.sku, "name": product.name, "category": product.category,
            "price_cents": product.price_cents, "active": product.active,
            "story": product.story, "colour": product.colour,
            "banner_area_cm2": product.banner_area_cm2, "free_price": product.free_price,
            "min_price_cents": product.min_price_cents, "stock": stock or {}}


@endpoint("/locations", summary="Where stock can be: workshop, stalls, consignment shops")
def list_locations():
    return jsonify([{"code": loc.code, "name": loc.name, "kind": loc.kind}
                    for loc in catalogue.locations(db.session)])


@endpoint("/products", summary="The catalogue, with the stock at each location")
def list_products():
    table = stock_table(db.session, include_inactive=True)
    return jsonify([product_json(p, {loc.code: table.at(p.id, loc.id)
                                     for loc in table.locations}) for p in table.products])


@endpoint("/products", "POST", summary="Add a product to the catalogue", role=Role.ADMIN,
          body=ProductBody, responses={201: "the product"})
def create_product(data: ProductBody):
    with write_transaction(db.session):
        product = catalogue.create_product(db.session, catalogue.ProductData(**data.model_dump()))
        body = product_json(product)
    return jsonify(body), 201
