"""Encryption at rest, keyed hashes and masking for personal data.

A beneficiary's resident ID number, phone and address are personal information under the
Personal Information Protection Law (PIPL art. 28 counts ID numbers as sensitive), so a
plain database dump must show none of them:

- ``encrypt`` / ``decrypt`` / ``rotate``: Fernet (AES-128-CBC + HMAC-SHA256) under
  ``settings.FIELD_ENCRYPTION_KEYS``, newest first. The first key encrypts, every key
  decrypts, so a key is rotated by prepending a new one, deploying, and running
  ``manage.py rotate_field_keys``; the old key is removed only after that run reports
  nothing left to rotate.
- ``keyed_hash``: HMAC-SHA256 of a normalised value for equality look-ups that encrypted
  columns cannot answer (the same ID number registered by two agencies; a reviewer related
  to a beneficiary). Fernet tokens are randomised, so only a hash can be compared.
- ``mask``: what a screen shows when the whole value is not needed (``510***********1234``).

The hash key is ``settings.IDENTITY_HASH_KEY``. Without it the key is derived from
``SECRET_KEY``, which is enough for development but wrong for production: rotating
``SECRET_KEY`` (routine after a leak) would silently change every hash and break every
look-up against the stored ones. Production must set ``IDENTITY_HASH_KEY`` to its own long
random secret and never change it without re-hashing. It is a different secret from the
Fernet keys on purpose: the hash must stay stable across encryption-key rotation.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import unicodedata

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

# Every Fernet token starts with the version byte 0x80 and a 64-bit timestamp whose high
# bytes are zero until the year 2106; in url-safe base64 that reads "gAAAAA".
TOKEN_PREFIX = "gAAAAA"
# Version (1) + timestamp (8) + IV (16) + HMAC (32) around a ciphertext of whole AES blocks.
_TOKEN_OVERHEAD_BYTES = 57
_AES_BLOCK_BYTES = 16

# Fixed labels: changing one changes every hash derived from it and breaks stored look-ups.
_FALLBACK_HASH_KEY_LABEL = b"safetynet.core.crypto.keyed_hash.fallback-key.v1"
_PURPOSE_LABEL = b"safetynet.core.crypto.keyed_hash.purpose.v1:"

# Below this many hidden characters a mask gives too much away (an 8-character value with
# 3 + 4 kept would show 7 of 8), so the whole value is hidden instead.
MIN_MASKED_CHARACTERS = 4
MASK_CHARACTER = "*"


class DecryptionError(Exception):
    """No key in ``FIELD_ENCRYPTION_KEYS`` opens the token (wrong, removed or missing key,
    or a damaged value). Never carries the token or any part of the plaintext."""


@functools.cache
def _multi_fernet() -> MultiFernet:
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [])
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


@functools.cache
def _primary_fernet() -> Fernet:
    # MultiFernet keeps its keys private; the first one is the one that encrypts.
    _multi_fernet()  # the same clear error when no key is configured
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    return Fernet(key.encode() if isinstance(key, str) else key)


@functools.cache
def _hash_key() -> bytes:
    key = getattr(settings, "IDENTITY_HASH_KEY", None)
    if key:
        return key.encode() if isinstance(key, str) else bytes(key)
    # Development fallback; see the module docstring for why production must not rely on it.
    return hmac.new(settings.SECRET_KEY.encode(), _FALLBACK_HASH_KEY_LABEL, hashlib.sha256).digest()


@functools.cache
def _purpose_key(purpose: str) -> bytes:
    # A sub-key per purpose, so the hash of an ID number can never be matched against the
    # hash of a phone number that happens to have the same digits.
    return hmac.new(_hash_key(), _PURPOSE_LABEL + purpose.encode(), hashlib.sha256).digest()


@receiver(setting_changed)
def _clear_caches(*, setting: str, **kwargs: object) -> None:
    # Tests swap keys with override_settings; the cached objects must follow.
    if setting in {"FIELD_ENCRYPTION_KEYS", "IDENTITY_HASH_KEY", "SECRET_KEY"}:
        _multi_fernet.cache_clear()
        _primary_fernet.cache_clear()
        _hash_key.cache_clear()
        _purpose_key.cache_clear()


def encrypt(text: str) -> str:
    """The Fernet token of ``text`` under the newest key; ``""`` stays ``""``.

    Tokens are randomised: the same text encrypts differently every time.
    """
    if text == "":
        return ""
    return _multi_fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text inside ``token``, tried against every configured key; ``""`` stays ``""``.

    Raises ``DecryptionError`` when no key opens it.
    """
    if token == "":
        return ""
    try:
        return _multi_fernet().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError(
            "No key in FIELD_ENCRYPTION_KEYS decrypts this value; was a key removed before rotate_field_keys ran?"
        ) from exc


def rotate(token: str) -> str:
    """``token`` re-encrypted under the newest key (always a fresh token); ``""`` stays ``""``.

    Raises ``DecryptionError`` when no key opens it.
    """
    if token == "":
        return ""
    try:
        return _multi_fernet().rotate(token.encode()).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("No key in FIELD_ENCRYPTION_KEYS decrypts this value, so it cannot be rotated.") from exc


def is_current(token: str) -> bool:
    """Whether ``token`` was made with the newest key, i.e. needs no rotation.

    Checks the signature only, without decrypting.
    """
    try:
        _primary_fernet().extract_timestamp(token.encode())
    except (InvalidToken, UnicodeError):
        return False
    return True


def looks_like_token(value: str) -> bool:
    """Whether ``value`` has the shape of a Fernet token (prefix, alphabet, length).

    Says nothing about which key made it: ``decrypt`` decides that. Used to tell stored
    tokens from plain text written before a column was encrypted, and to avoid encrypting
    a token twice.
    """
    if not value.startswith(TOKEN_PREFIX):
        return False
    try:
        raw = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (ValueError, binascii.Error):
        return False
    ciphertext_bytes = len(raw) - _TOKEN_OVERHEAD_BYTES
    return ciphertext_bytes >= _AES_BLOCK_BYTES and ciphertext_bytes % _AES_BLOCK_BYTES == 0


def normalise_for_hash(value: str) -> str:
    """The form of ``value`` that is hashed: NFKC, surrounding whitespace removed, upper case.

    NFKC folds the full-width digits and letters a Chinese input method produces
    ("５１０１２９…") into ASCII, so the same number typed two ways hashes the same;
    upper case makes a final check character "x" equal "X". Anything more specific to one
    kind of value (spaces inside a phone number) is for the caller to canonicalise first.
    """
    return unicodedata.normalize("NFKC", value).strip().upper()


def keyed_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of the normalised ``value`` under the sub-key for ``purpose``.

    Equal values (after ``normalise_for_hash``) give equal hashes for the same purpose and
    hash key; different purposes never match. Raises ``ValueError`` for a blank value or
    purpose: a hash of "" would make every record without an ID number a duplicate of
    every other.
    """
    if not purpose:
        raise ValueError("keyed_hash needs a purpose, such as 'resident-id'.")
    normalised = normalise_for_hash(value)
    if not normalised:
        raise ValueError("keyed_hash refuses a blank value.")
    return hmac.new(_purpose_key(purpose), normalised.encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """``value`` with all but the first ``keep_start`` and last ``keep_end`` characters
    replaced by ``*``, keeping its length: ``mask("13800138000")`` is ``"138****8000"``.

    A value that would keep fewer than ``MIN_MASKED_CHARACTERS`` hidden is hidden entirely.
    Counts characters, not bytes, so Chinese text masks as it reads.
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end cannot be negative.")
    value = value.strip()
    hidden = len(value) - keep_start - keep_end
    if hidden < MIN_MASKED_CHARACTERS:
        return MASK_CHARACTER * len(value)
    return value[:keep_start] + MASK_CHARACTER * hidden + value[len(value) - keep_end :]
