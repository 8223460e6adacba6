"""Bearer JWT authentication: subject = NIP, roles, tenant (instansi code).

Tokens are HS256-signed with JWT_SECRET and carry issuer, audience and expiry, all checked.
Keys rotate without logging anyone out: put the old key in JWT_PREVIOUS_SECRETS and the new one in
JWT_SECRET; tokens are minted with the new key and verified against the new key, then the old ones.
`python -m shared.auth mint ...` issues tokens for local use.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from shared.config import Settings


class Role(StrEnum):
    PEGAWAI = "pegawai"  # employee
    ATASAN = "atasan"  # pejabat penilai (appraising superior)
    ADMIN = "admin_instansi"  # pengelola kinerja / HR of an instansi
    AGENCY = "agency"  # subscribing agency (BKPSDM, BPKAD, Inspektorat, ...)


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    nip: str
    roles: frozenset[str]
    tenant: str
    name: str | None = None

    def has(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles)


class TokenService:
    ALGORITHM = "HS256"

    def __init__(self, secret: str, issuer: str, audience: str, previous_secrets: Sequence[str] = ()) -> None:
        if len(secret) < 32 or any(len(key) < 32 for key in previous_secrets):
            raise ValueError("JWT_SECRET and JWT_PREVIOUS_SECRETS must be at least 32 characters each")
        self._secret = secret
        self._verification_keys = (secret, *(key for key in previous_secrets if key != secret))
        self._issuer = issuer
        self._audience = audience

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenService:
        return cls(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience, settings.jwt_previous_secrets)

    def mint(self, nip: str, roles: list[str], tenant: str, *, name: str | None = None, ttl_s: int = 8 * 3600) -> str:
        unknown = set(roles) - {r.value for r in Role}
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        now = int(time.time())
        claims = {
            "sub": nip,
            "roles": sorted(roles),
            "tenant": tenant,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + ttl_s,
        }
        if name:
            claims["name"] = name
        return jwt.encode(claims, self._secret, algorithm=self.ALGORITHM)

    def verify(self, token: str) -> Principal:
        claims = self._decode(token)
        roles, tenant = claims.get("roles"), claims.get("tenant")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("claim 'roles' must be a list of strings")
        if not isinstance(tenant, str) or not tenant:
            raise InvalidToken("claim 'tenant' is required")
        return Principal(nip=str(claims["sub"]), roles=frozenset(roles), tenant=tenant, name=claims.get("name"))

    def _decode(self, token: str) -> dict[str, Any]:
        """Claims of a token signed by any accepted key; the other checks are the same for every key."""
        for key in self._verification_keys:
            try:
                return jwt.decode(
                    token,
                    key,
                    algorithms=[self.ALGORITHM],
                    audience=self._audience,
                    issuer=self._issuer,
                    options={"require": ["exp", "sub", "iss", "aud"]},
                )
            except jwt.InvalidSignatureError as exc:
                last: jwt.PyJWTError = exc  # try the next (older) key
            except jwt.PyJWTError as exc:
                raise InvalidToken(str(exc)) from exc
        raise InvalidToken(str(last))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.auth", description="Mint a JWT for local use.")
    sub = parser.add_subparsers(dest="command", required=True)
    mint = sub.add_parser("mint", help="print a bearer token")
    mint.add_argument("--nip", required=True)
    mint.add_argument("--roles", required=True, help="comma-separated: " + ", ".join(r.value for r in Role))
    mint.add_argument("--tenant", required=True, help="instansi code, e.g. 1671 (Kota Palembang)")
    mint.add_argument("--name")
    mint.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default 8 hours)")
    args = parser.parse_args(argv)
    tokens = TokenService.from_settings(Settings.from_env("auth"))
    print(tokens.mint(args.nip, args.roles.split(","), args.tenant, name=args.name, ttl_s=args.ttl))


if __name__ == "__main__":
    main()
