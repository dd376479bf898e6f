"""Passwords: hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106's second
recommended set), never stored or logged as text, and refused when too weak."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: the shortest password taken (NCSC and NIST SP 800-63B ask at least 8; we ask more)
MIN_LENGTH = 12
_HASHER = PasswordHasher()


def weakness(password: str, login: str) -> str | None:
    """Why ``password`` is refused, or None: empty, shorter than :data:`MIN_LENGTH`, one
    character repeated, or the login itself."""
    if not password.strip():
        return "is empty"
    if len(password) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    if len(set(password)) < 4:
        return "has fewer than 4 different characters"
    if login.casefold() in password.casefold():
        return "contains the login"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its own salt)."""
    return _HASHER.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made of."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
