"""Declaring an API route once: URL, role, strict body, and its OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from kiosk.api import bp
from kiosk.common.errors import ApiError
from kiosk.common.login import authenticated_by_token
from kiosk.database import begin_write
from kiosk.extensions import csrf, db
from kiosk.models.people import Role


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
                    raise ApiError(401, "unauthorized", _(
                        "Connectez-vous d'abord : POST /api/v1/login, puis le jeton."))
                if method != "GET" and not authenticated_by_token():
                    csrf.protect()  # the pages call the API with their cookie
                if not current_user.has_role(role):
                    raise ApiError(403, "forbidden",
                                   _("Votre rôle ne permet pas cette action."))
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


def _describe(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    messages = {
        "missing": _("est obligatoire"),
        "extra_forbidden": _("n'est pas un champ connu"),
        "int_type": _("doit être un nombre entier (sans guillemets ni virgule)"),
        "int_parsing": _("doit être un nombre entier"),
        "string_type": _("doit être un texte entre guillemets"),
        "bool_type": _("doit valoir true ou false"),
        "list_type": _("doit être une liste"),
        "dict_type": _("doit être un objet"),
        "model_type": _("doit être un objet"),
        "uuid_type": _("doit être un UUID"),
        "uuid_parsing": _("doit être un UUID"),
        "string_too_short": _("ne doit pas être vide"),
        "string_too_long": _("est trop long (%(n)s caractères au plus)",
                             n=ctx.get("max_length", "")),
        "greater_than_equal": _("doit valoir au moins %(n)s", n=ctx.get("ge", "")),
        "less_than_equal": _("doit valoir au plus %(n)s", n=ctx.get("le", "")),
        "too_short": _("doit avoir au moins %(n)s élément(s)", n=ctx.get("min_length", "")),
        "too_long": _("a trop d'éléments (%(n)s au plus)", n=ctx.get("max_length", "")),
        "string_pattern_mismatch": _("n'a pas la forme attendue"),
        "literal_error": _("doit être l'une de ces valeurs : %(v)s", v=ctx.get("expected", "")),
        "enum": _("doit être l'une de ces valeurs : %(v)s", v=ctx.get("expected", "")),
        "json_invalid": _("n'est pas du JSON valide"),
        "date_from_datetime_parsing": _("doit être une date AAAA-MM-JJ"),
        "date_parsing": _("doit être une date AAAA-MM-JJ"),
        "date_type": _("doit être une date AAAA-MM-JJ"),
        "datetime_type": _("doit être une date et une heure, par exemple "
                           "2026-12-01T14:30:00+01:00"),
        "datetime_parsing": _("doit être une date et une heure, par exemple "
                              "2026-12-01T14:30:00+01:00"),
        "datetime_from_date_parsing": _("doit être une date et une heure, par exemple "
                                        "2026-12-01T14:30:00+01:00"),
        "timezone_aware": _("doit dire son fuseau horaire, par exemple "
                            "2026-12-01T14:30:00+01:00"),
    }
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return messages.get(kind, error.get("msg", ""))


def invalid(exc: ValidationError) -> ApiError:
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or _("le corps")
        problems.append({"field": where, "message": _describe(error)})
    first = problems[0]
    message = _("%(field)s : %(problem)s.", field=first["field"], problem=first["message"])
    return ApiError(400, "invalid", message, fields=problems)
