"""The HTTP side shared by every service: app factory, error format, authentication, health."""

from shared.web.app import ServiceApi, create_service_app, current_principal, require_roles

__all__ = ["ServiceApi", "create_service_app", "current_principal", "require_roles"]
