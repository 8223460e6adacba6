"""Preferences (each person), deliveries and campaigns (admin of the instansi), webhooks (agency)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications.domain.templates import TemplateSet
from services.notifications.entrypoints import schemas
from services.notifications.service_layer import campaigns, deliveries, preferences, webhooks
from shared.auth import Role
from shared.storage.unit_of_work import UnitOfWork
from shared.web import current_principal, require_roles

PEOPLE = (Role.PEGAWAI, Role.ATASAN, Role.ADMIN)


def preferences_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "preferences",
        __name__,
        url_prefix="/api/v1/preferences",
        description="Your language and your channels per category of notice.",
    )

    @bp.route("")
    class Preferences(MethodView):
        @bp.response(200, schemas.PreferencesOut)
        @require_roles(*PEOPLE)
        def get(self) -> dict[str, Any]:
            """Your preferences (defaults: Bahasa Indonesia, in-app and e-mail for everything)."""
            return preferences.get(uow(), current_principal())

        @bp.arguments(schemas.PreferencesIn)
        @bp.response(200, schemas.PreferencesOut)
        @require_roles(*PEOPLE)
        def put(self, data: dict[str, Any]) -> dict[str, Any]:
            """Change your language and/or channels; categories left out keep theirs."""
            return preferences.update(uow(), current_principal(), data)

    return bp


def deliveries_blueprint(uow: Callable[[], UnitOfWork]) -> Blueprint:
    bp = Blueprint(
        "deliveries",
        __name__,
        url_prefix="/api/v1/deliveries",
        description="Admin: e-mail and webhook deliveries of your instansi, failures and re-sending.",
    )

    @bp.route("")
    @bp.arguments(schemas.DeliveryQuery, location="query")
    @bp.response(200, schemas.DeliveryOut(many=True))
    @require_roles(Role.ADMIN)
    def search(query: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliveries, newest first (e.g. `?status=failed`)."""
        return deliveries.search(uow(), current_principal(), query)

    @bp.route("/<delivery_id>")
    @bp.response(200, schemas.DeliveryOut)
    @require_roles(Role.ADMIN)
    def one(delivery_id: str) -> dict[str, Any]:
        """One delivery with every attempt."""
        return deliveries.get(uow(), current_principal(), delivery_id)

    @bp.route("/<delivery_id>/resend", methods=["POST"])
    @bp.response(200, schemas.DeliveryOut)
    @require_roles(Role.ADMIN)
    def resend(delivery_id: str) -> dict[str, Any]:
        """Send a failed delivery again (due at once, with a fresh attempt budget)."""
        return deliveries.resend(uow(), current_principal(), delivery_id)

    return bp


def campaigns_blueprint(uow: Callable[[], UnitOfWork], templates: TemplateSet) -> Blueprint:
    bp = Blueprint(
        "campaigns",
        __name__,
        url_prefix="/api/v1/campaigns",
        description="Admin: sosialisasi campaigns — draft, publish to a target, read the reach.",
    )

    @bp.route("")
    class Campaigns(MethodView):
        @bp.arguments(schemas.PageQuery, location="query")
        @bp.response(200, schemas.CampaignOut(many=True))
        @require_roles(Role.ADMIN)
        def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
            """Your instansi's campaigns, newest first."""
            return campaigns.listing(uow(), current_principal(), query["limit"], query["offset"])

        @bp.arguments(schemas.CampaignIn)
        @bp.response(201, schemas.CampaignOut)
        @require_roles(Role.ADMIN)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Draft a campaign (workshops and seminars need event_at and place)."""
            return campaigns.create(uow(), current_principal(), data)

    @bp.route("/<campaign_id>")
    @bp.response(200, schemas.CampaignOut)
    @require_roles(Role.ADMIN)
    def one(campaign_id: str) -> dict[str, Any]:
        """One campaign."""
        return campaigns.get(uow(), current_principal(), campaign_id)

    @bp.route("/<campaign_id>/publish", methods=["POST"])
    @bp.response(200, schemas.CampaignOut)
    @require_roles(Role.ADMIN)
    def publish(campaign_id: str) -> dict[str, Any]:
        """Publish: a notice to every active person of the target (and e-mail where they want it)."""
        return campaigns.publish(uow(), current_principal(), campaign_id, templates)

    @bp.route("/<campaign_id>/reach")
    @bp.response(200, schemas.ReachOut)
    @require_roles(Role.ADMIN)
    def reach(campaign_id: str) -> dict[str, Any]:
        """Targeted, delivered (in-app, e-mail), read — in total and per unit."""
        return campaigns.reach(uow(), current_principal(), campaign_id)

    return bp


def webhooks_blueprint(uow: Callable[[], UnitOfWork], *, allow_http_localhost: bool) -> Blueprint:
    bp = Blueprint(
        "webhooks",
        __name__,
        url_prefix="/api/v1/webhooks",
        description="Agency: signed webhook subscriptions for your instansi's events.",
    )

    @bp.route("")
    class Subscriptions(MethodView):
        @bp.response(200, schemas.WebhookOut(many=True))
        @require_roles(Role.AGENCY)
        def get(self) -> list[dict[str, Any]]:
            """Your subscriptions (secrets are never shown again)."""
            return webhooks.listing(uow(), current_principal())

        @bp.arguments(schemas.WebhookIn)
        @bp.response(201, schemas.WebhookWithSecretOut)
        @require_roles(Role.AGENCY)
        def post(self, data: dict[str, Any]) -> dict[str, Any]:
            """Register an HTTPS endpoint for some event types; the signing secret is in this response only."""
            return webhooks.register(uow(), current_principal(), data, allow_http_localhost=allow_http_localhost)

    @bp.route("/<subscription_id>")
    class Subscription(MethodView):
        @bp.response(200, schemas.WebhookOut)
        @require_roles(Role.AGENCY)
        def get(self, subscription_id: str) -> dict[str, Any]:
            """One of your subscriptions."""
            return webhooks.get(uow(), current_principal(), subscription_id)

        @bp.response(204)
        @require_roles(Role.AGENCY)
        def delete(self, subscription_id: str) -> None:
            """Deactivate: nothing more is delivered (the delivery log stays)."""
            webhooks.deactivate(uow(), current_principal(), subscription_id)

    @bp.route("/<subscription_id>/rotate-secret", methods=["POST"])
    @bp.response(200, schemas.WebhookWithSecretOut)
    @require_roles(Role.AGENCY)
    def rotate(subscription_id: str) -> dict[str, Any]:
        """A new signing secret, shown once; the old one stops signing at once."""
        return webhooks.rotate_secret(uow(), current_principal(), subscription_id)

    @bp.route("/<subscription_id>/deliveries")
    @bp.arguments(schemas.WebhookDeliveryQuery, location="query")
    @bp.response(200, schemas.DeliveryOut(many=True))
    @require_roles(Role.AGENCY)
    def log(query: dict[str, Any], subscription_id: str) -> list[dict[str, Any]]:
        """Deliveries to this subscription with every attempt, newest first."""
        return webhooks.deliveries(
            uow(), current_principal(), subscription_id, query.get("status"), query["limit"], query["offset"]
        )

    @bp.route("/<subscription_id>/deliveries/<delivery_id>/redeliver", methods=["POST"])
    @bp.response(200, schemas.DeliveryOut)
    @require_roles(Role.AGENCY)
    def redeliver(subscription_id: str, delivery_id: str) -> dict[str, Any]:
        """Queue a delivery again (e.g. after fixing your endpoint)."""
        return webhooks.redeliver(uow(), current_principal(), subscription_id, delivery_id)

    return bp
