"""Flask app factory shared by the services: OpenAPI via flask-smorest, auth, errors, health.

Nothing happens at import time; a service's `create_app()` builds and wires everything.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, g, request
from flask_smorest import Api, Blueprint
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from shared.auth import InvalidToken, Principal, Role, TokenService
from shared.config import Settings
from shared.context import Trace, _current
from shared.errors import DomainError, Forbidden
from shared.metrics import install_http_metrics
from shared.storage.database import ping
from shared.web.errors import error_response, validation_details

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_ENDPOINTS = {"healthz", "readyz", "metrics", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "static"}
MAX_REQUEST_BYTES = 1024 * 1024


class ServiceApi(Api):
    """flask-smorest Api whose errors use the project's error format."""

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") or data.get("errors")
        status = error.code or 500
        details = validation_details(messages) if isinstance(messages, dict) else None
        return error_response(status, details=details, headers=data.get("headers"))


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:  # guarded by the before_request hook; this is a programming error
        raise RuntimeError("no authenticated principal on this request")
    return cast(Principal, principal)


def require_roles(*roles: Role) -> Callable[[F], F]:
    """403 unless the caller holds one of the roles."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_principal().has(*roles):
                wanted = ", ".join(role.value for role in roles)
                raise Forbidden(f"Perlu peran: {wanted}.", f"Requires role: {wanted}.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def _authenticate(tokens: TokenService) -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return error_response(401, headers={"WWW-Authenticate": 'Bearer realm="kinerja"'})
    try:
        g.principal = tokens.verify(token.strip())
    except InvalidToken as exc:
        return error_response(
            401,
            details=[
                {
                    "location": "headers",
                    "field": "Authorization",
                    "reason": f"Token tidak valid: {exc} / Invalid token: {exc}",
                }
            ],
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return None


def create_service_app(
    settings: Settings,
    *,
    title: str,
    engine: Engine,
    blueprints: Sequence[Blueprint],
    description: str = "",
    version: str = "1.0.0",
) -> Flask:
    app = Flask(f"kinerja.{settings.service}")
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = ServiceApi(app)
    tokens = TokenService.from_settings(settings)
    install_http_metrics(app, settings.service)

    @app.before_request
    def _trace_and_authenticate() -> Response | None:
        correlation_id = request.headers.get("X-Correlation-ID", "")[:200] or str(uuid.uuid4())
        g.trace_token = _current.set(Trace(correlation_id=correlation_id, causation_id=None))
        return _authenticate(tokens)

    @app.after_request
    def _echo_correlation(response: Response) -> Response:
        trace = _current.get()
        if trace is not None:
            response.headers["X-Correlation-ID"] = trace.correlation_id
        return response

    @app.teardown_request
    def _reset_trace(_exc: BaseException | None) -> None:
        token = g.pop("trace_token", None)
        if token is not None:
            _current.reset(token)

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        details = None
        if exc.field:
            details = [{"location": "json", "field": exc.field, "reason": f"{exc.message_id} / {exc.message_en}"}]
        return error_response(
            exc.status, exc.code, message_id=exc.message_id, message_en=exc.message_en, details=details
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(exc: Exception) -> Response:
        log.error("database unavailable: %s", exc)
        return error_response(503, headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return api.handle_http_exception(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service}

    @app.get("/readyz")
    def readyz() -> tuple[dict[str, str], int]:
        try:
            ping(engine)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("not ready: %s", exc)
            return {"status": "unavailable", "service": settings.service, "database": "unreachable"}, 503
        return {"status": "ready", "service": settings.service, "database": "ok"}, 200

    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return app
