"""Link tokens and verification codes.

A token is `secrets.token_urlsafe(32)` (256 random bits) handed out once in a link; the database keeps only
its SHA-256 digest, so a copy of the database cannot be turned back into working links. Verification codes
are public (printed on receipts), unguessable and easy to type: 80 random bits in base32 (16 characters).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

TOKEN_BYTES = 32
CODE_BYTES = 10
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
_CODE_SHAPE = re.compile(r"[A-Z2-7]{1,32}")


def new_token() -> tuple[str, str]:
    """A fresh token and its hash: (the text for the link, the digest to store)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """SHA-256 hex digest of a token (what the database stores and looks up)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def looks_like_token(raw: str) -> bool:
    """Cheap shape check, so that junk in a URL never reaches the database."""
    return bool(_TOKEN_SHAPE.fullmatch(raw or ""))


def new_verification_code() -> str:
    """16 base32 characters (A-Z, 2-7): 80 random bits."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")


def normalise_code(text: str) -> str:
    """Accept a code as people type it: any case, with spaces or dashes; "" for anything that is not a code
    (so that junk such as a NUL character, which PostgreSQL refuses, never reaches the database)."""
    code = re.sub(r"[\s-]", "", text or "").upper()[:32]
    return code if _CODE_SHAPE.fullmatch(code) else ""
