"""A person's notification preferences: language, and channels per category."""

from __future__ import annotations

from typing import Any

from services.notifications.adapters import directory
from services.notifications.domain.facts import CATEGORIES
from services.notifications.service_layer.handlers import DEFAULT_CHANNELS, channels_for
from shared.auth import Principal
from shared.storage.unit_of_work import UnitOfWork


def _view(pref: dict[str, Any] | None, person: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "language": (pref or {}).get("language") or "id",
        "channels": {category: list(channels_for(pref, category)) for category in CATEGORIES},
        "email": (person or {}).get("email"),
    }


def get(uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
    with uow:
        return _view(
            directory.preference(uow.session, principal.tenant, principal.nip),
            directory.person(uow.session, principal.tenant, principal.nip),
        )


def update(uow: UnitOfWork, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Only what is given changes; a category left out keeps its channels (default: all)."""
    with uow:
        current = directory.preference(uow.session, principal.tenant, principal.nip)
        language = data.get("language") or (current or {}).get("language") or "id"
        channels = dict((current or {}).get("channels") or {})
        for category, chosen in (data.get("channels") or {}).items():
            channels[category] = [c for c in DEFAULT_CHANNELS if c in chosen]
        directory.save_preference(uow.session, principal.tenant, principal.nip, language, channels)
        uow.commit()
    return get(uow, principal)
