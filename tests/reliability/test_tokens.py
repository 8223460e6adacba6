"""Tokens: signature, expiry, issuer, audience and claims are checked; keys rotate without logging anyone out."""

from __future__ import annotations

import dataclasses
import time

import jwt
import pytest

from shared.auth import InvalidToken, TokenService
from shared.config import Settings

OLD, NEW, STRANGER = "o" * 40, "n" * 40, "s" * 40
NIP = "198503302010011002"


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": NIP,
        "roles": ["pegawai"],
        "tenant": "1671",
        "iss": "kinerja",
        "aud": "kinerja-api",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_a_key_rotation_keeps_old_tokens_valid_and_mints_with_the_new_key() -> None:
    before = TokenService(OLD, "kinerja", "kinerja-api")
    token_before = before.mint(NIP, ["pegawai"], "1671")
    after = TokenService(NEW, "kinerja", "kinerja-api", previous_secrets=[OLD])
    assert after.verify(token_before).nip == NIP  # nobody logged out by the rotation
    token_after = after.mint(NIP, ["pegawai"], "1671")
    assert jwt.get_unverified_header(token_after)["alg"] == "HS256"
    assert after.verify(token_after).nip == NIP
    with pytest.raises(InvalidToken):
        before.verify(token_after)  # minted with the new key only
    retired = TokenService(NEW, "kinerja", "kinerja-api")  # the old key dropped after the tokens' lifetime
    with pytest.raises(InvalidToken, match="Signature"):
        retired.verify(token_before)


def test_previous_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", NEW)
    monkeypatch.setenv("JWT_PREVIOUS_SECRETS", f" {OLD} ,{STRANGER},")
    settings = Settings.from_env("planning")
    assert settings.jwt_previous_secrets == (OLD, STRANGER)
    tokens = TokenService.from_settings(settings)
    assert tokens.verify(TokenService(STRANGER, "kinerja", "kinerja-api").mint(NIP, ["atasan"], "1671")).has
    monkeypatch.setenv("JWT_PREVIOUS_SECRETS", "too-short")
    with pytest.raises(ValueError, match="32 characters"):
        TokenService.from_settings(Settings.from_env("planning"))


@pytest.mark.parametrize(
    ("key", "claims", "why"),
    [
        (STRANGER, _claims(), "Signature"),
        (NEW, _claims(exp=int(time.time()) - 3600), "expired"),
        (NEW, _claims(iss="someone-else"), "(?i)issuer"),
        (NEW, _claims(aud="another-api"), "(?i)audience"),
        (NEW, _claims(exp=None), "exp"),
        (NEW, _claims(sub=None), "sub"),
        (NEW, _claims(roles="admin_instansi"), "roles"),
        (NEW, _claims(tenant=""), "tenant"),
    ],
)
def test_every_claim_and_the_signature_are_checked_with_every_accepted_key(key: str, claims: dict, why: str) -> None:
    tokens = TokenService(NEW, "kinerja", "kinerja-api", previous_secrets=[OLD])
    with pytest.raises(InvalidToken, match=why):
        tokens.verify(jwt.encode(claims, key, algorithm="HS256"))
    if key == NEW:  # the same claims signed with the previous key are refused for the same reason
        with pytest.raises(InvalidToken, match=why):
            tokens.verify(jwt.encode(claims, OLD, algorithm="HS256"))


def test_unsigned_and_other_algorithm_tokens_are_refused() -> None:
    tokens = TokenService(NEW, "kinerja", "kinerja-api")
    with pytest.raises(InvalidToken):
        tokens.verify(jwt.encode(_claims(), None, algorithm="none"))
    with pytest.raises(InvalidToken):
        tokens.verify(jwt.encode(_claims(), NEW * 2, algorithm="HS512"))


def test_settings_without_previous_secrets_accept_only_the_current_key() -> None:
    settings = dataclasses.replace(Settings.from_env("planning"), jwt_secret=NEW)
    assert settings.jwt_previous_secrets == ()
    with pytest.raises(InvalidToken):
        TokenService.from_settings(settings).verify(TokenService(OLD, "kinerja", "kinerja-api").mint(NIP, [], "1671"))
