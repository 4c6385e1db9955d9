"""Role checks, done on the server for every page and API route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from kiosk.models.people import Role


def role_required(role: Role | str) -> Callable:
    """The volunteer must be logged in (401) and hold `role` or a higher one (403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = Role(role)  # read by the OpenAPI generator and tests
        return wrapper

    return decorator


seller_required = role_required(Role.SELLER)
treasurer_required = role_required(Role.TREASURER)
admin_required = role_required(Role.ADMIN)
