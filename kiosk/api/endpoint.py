"""Declaring an API route once: URL, role, strict body, and its OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from kiosk.api import bp
from kiosk.common.errors import ApiError
from kiosk.common.login import authenticated_by_token
from kiosk.database import begin_write
from kiosk.errors import N_
from kiosk.extensions import csrf, db
from kiosk.ledger.money import format_money
from kiosk.models.people import Role
from kiosk.text import is_digits


@dataclass
class EndpointDoc:
    rule: str
    method: str
    summary: str
    role: Role | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict[int, str] = field(default_factory=dict)
    produces: str = "application/json"


REGISTRY: list[EndpointDoc] = []


def endpoint(rule: str, method: str = "GET", *, summary: str, role: Role | None = Role.SELLER,
             body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
             responses: dict[int, str] | None = None,
             produces: str = "application/json", write: bool = False) -> Callable:
    """Register `view` under /api/v1`rule`. `role=None` makes it public.

    `write=True`: the view's work is one write_transaction with nothing slow before it;
    that transaction begins before the caller is authenticated (see begin_write).

    The view receives `data=` (the parsed body) and/or `query=` (the parsed query string)
    when those models are given; any input that does not fit is a 400 before it runs.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if write and ("Authorization" in request.headers or request.cookies):
                begin_write(db.session)  # (a stranger's request takes no write lock)
            if role is not None:
                if not current_user.is_authenticated:
                    raise ApiError(401, "unauthorized", not_logged_in_message())
                if method != "GET" and not authenticated_by_token():
                    csrf.protect()  # the pages call the API with their cookie
                if not current_user.has_role(role):
                    raise ApiError(403, "forbidden", _(
                        "Votre rôle ne permet pas cette action : demandez à la trésorière "
                        "ou à la coordinatrice de la faire."))
            if body is not None:
                kwargs["data"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            return view(**kwargs)

        bp.add_url_rule(rule, endpoint=f"{view.__name__}", view_func=wrapper,
                        methods=[method])
        REGISTRY.append(EndpointDoc(rule, method, summary, role, body, query,
                                    responses or {}, produces))
        return wrapper

    return decorator


def not_logged_in_message() -> str:
    """A program without a token is told how to get one; the tablet whose login ended (a
    day passed, her PIN was reset) is told, in her words, to log in again."""
    if "Authorization" in request.headers or not request.cookies:
        return _("Connectez-vous d'abord : POST /api/v1/login, puis le jeton.")
    return _("Votre connexion a pris fin : rien n'a été enregistré. Touchez « Quitter », "
             "reconnectez-vous avec votre prénom et votre code, puis recommencez.")


def parse_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       _("Envoyez du JSON (Content-Type: application/json)."))
    try:
        return model.model_validate_json(request.get_data() or b"")
    except ValidationError as exc:
        raise invalid(exc) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    values: dict[str, Any] = {}
    for key in request.args:
        items = request.args.getlist(key)
        annotation = model.model_fields.get(key)
        many = annotation is not None and "list" in str(annotation.annotation)
        values[key] = items if many else items[-1]
    try:
        # Query strings are text: lax mode converts "12" to 12 there, and only there.
        return model.model_validate(values, strict=False)
    except ValidationError as exc:
        raise invalid(exc) from None


# What a volunteer calls each field of a body, by its name (the last part of its path
# that is not a list index). A field not named here keeps its technical name.
FIELD_WORDS = {
    "amount_cents": N_("Le montant"), "donation_cents": N_("Le don"),
    "unit_price_cents": N_("Le prix"), "price_cents": N_("Le prix"),
    "card_total_cents": N_("Le total du terminal de carte"),
    "commission_cents": N_("La commission"), "paid_cents": N_("Le montant payé"),
    "qty": N_("La quantité"), "sku": N_("Le code de l'article"), "lines": N_("Les articles"),
    "payments": N_("Les paiements"), "method": N_("Le moyen de paiement"),
    "reason": N_("La raison"), "name": N_("Le nom"), "label": N_("Le libellé"),
    "note": N_("La note"), "location": N_("Le lieu"), "client_id": N_("Le numéro de vente"),
    "cash_session_id": N_("La caisse"), "opening_float": N_("Le fond de caisse"),
    "counted": N_("Le comptage"), "cheques": N_("Les chèques"), "pin": N_("Le code secret"),
    "user": N_("Le prénom"), "period": N_("La période"), "category": N_("La catégorie"),
    "from": N_("L'enveloppe de départ"), "to": N_("L'enveloppe d'arrivée"),
    "entry_date": N_("La date"),
}


def _field_word(loc: tuple) -> str:
    names = [str(part) for part in loc if not isinstance(part, int)]
    if not names:
        return _("La demande")
    if is_digits(names[-1], 6) and len(names) > 1:  # a count of one denomination
        return _("Le nombre de billets ou pièces de %(value)s",
                 value=format_money(int(names[-1]), _locale()))
    word = FIELD_WORDS.get(names[-1])
    return _(word) if word else names[-1]


def _locale() -> str:
    return "en_GB" if str(get_locale()).startswith("en") else "fr_FR"


def _limit(field: str, value: Any) -> str:
    """A limit as the volunteer reads it: euros for an amount in cents."""
    if field.endswith("_cents") and isinstance(value, int):
        return format_money(value, _locale())
    return str(value)


def _describe(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    names = [str(part) for part in error["loc"] if not isinstance(part, int)]
    field = names[-1] if names else ""
    messages = {
        "missing": _("à remplir"),
        "extra_forbidden": _("ce champ n'est pas connu"),
        "int_type": _("un nombre entier est attendu (sans guillemets ni virgule)"),
        "int_parsing": _("un nombre entier est attendu"),
        "string_type": _("un texte entre guillemets est attendu"),
        "bool_type": _("true ou false est attendu"),
        "list_type": _("une liste est attendue"),
        "dict_type": _("un objet est attendu"),
        "model_type": _("un objet est attendu"),
        "uuid_type": _("un UUID est attendu"),
        "uuid_parsing": _("un UUID est attendu"),
        "string_too_short": _("c'est vide, à remplir"),
        "string_too_long": _("c'est trop long, %(n)s caractères au plus",
                             n=ctx.get("max_length", "")),
        "greater_than_equal": _("c'est trop peu, %(n)s au moins",
                                n=_limit(field, ctx.get("ge", ""))),
        "less_than_equal": _("c'est trop, %(n)s au plus", n=_limit(field, ctx.get("le", ""))),
        "too_short": _("il en faut au moins %(n)s", n=ctx.get("min_length", "")),
        "too_long": _("il y en a trop, %(n)s au plus", n=ctx.get("max_length", "")),
        "string_pattern_mismatch": _("la forme n'est pas celle attendue"),
        "literal_error": _("une de ces valeurs est attendue : %(v)s",
                           v=ctx.get("expected", "")),
        "enum": _("une de ces valeurs est attendue : %(v)s", v=ctx.get("expected", "")),
        "json_invalid": _("ce n'est pas du JSON valide"),
        "date_from_datetime_parsing": _("une date AAAA-MM-JJ est attendue"),
        "date_parsing": _("une date AAAA-MM-JJ est attendue"),
        "date_type": _("une date AAAA-MM-JJ est attendue"),
        "datetime_type": _("une date et une heure sont attendues, par exemple "
                           "2026-12-01T14:30:00+01:00"),
        "datetime_parsing": _("une date et une heure sont attendues, par exemple "
                              "2026-12-01T14:30:00+01:00"),
        "datetime_from_date_parsing": _("une date et une heure sont attendues, par exemple "
                                        "2026-12-01T14:30:00+01:00"),
        "timezone_aware": _("le fuseau horaire manque, par exemple "
                            "2026-12-01T14:30:00+01:00"),
    }
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return messages.get(kind, error.get("msg", ""))


def invalid(exc: ValidationError) -> ApiError:
    """A 400 whose message a volunteer can read on the screen: what is wrong, in her
    words, and what to do; `fields` keeps each problem's technical path for programs."""
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or _("le corps")
        problems.append({"field": where, "message": _describe(error),
                         "what": _field_word(tuple(error["loc"]))})
    first = problems[0]
    message = _("%(what)s : %(problem)s. Corrigez ce qui a été tapé, puis recommencez.",
                what=first.pop("what"), problem=first["message"])
    for problem in problems[1:]:
        problem.pop("what")
    return ApiError(400, "invalid", message, fields=problems)
