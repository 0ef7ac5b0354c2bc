"""Tokens: a Bearer token is an app installed in a portal, with the scopes it was granted.

The seed's tokens are kept as sha256 digests (`token_key`): state files, snapshots and the admin API then hold
no token anyone could use against the mock, or paste elsewhere.
"""

from __future__ import annotations

import hashlib

from ..exceptions import ExpiredToken, Unauthorized
from .base import BackendBase
from .records import Principal


class Tokens(BackendBase):
    def authenticate(self, token: str) -> Principal:
        """A Bearer token to its principal. Unknown tokens are the default app when accept_any_token is on."""
        principal = self.tokens.get(token_key(token)) if self.tokens else None
        if principal is None:
            if not self.settings.accept_any_token:
                raise Unauthorized(note="auth: the token is not one of the seed's tokens (accept_any_token=false)")
            if not token or " " in token:  # "Bearer Bearer pat-...", a common mistake: HubSpot rejects it
                raise Unauthorized(note="auth: a token has no spaces; is the word Bearer doubled?")
            return Principal(self.settings.default_portal_id, self.settings.default_app_id)
        if principal.expired:
            raise ExpiredToken("The OAuth token used to make this call expired.")
        return principal


def token_key(token: str) -> str:
    """How a token is kept: its digest, never the token."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()
