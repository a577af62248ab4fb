"""A model field whose value is plain text in Python and a Fernet token in the database.

For personal data that must not appear in a database dump (a beneficiary's resident ID
number, phone, address). Keys and rotation are described in ``core.crypto``.

What it costs:

- No look-ups. Every save makes a new random token, so ``filter(phone="138…")``,
  ``__contains``, ``__in``, ordering by value or a unique constraint can never match
  anything; ``get_lookup`` refuses all but ``__isnull`` so such code fails loudly instead of
  silently finding nothing. To find a record by its value, store ``core.crypto.keyed_hash``
  of it in a separate indexed column and filter on that.
- ``None`` stays NULL and ``""`` is stored as ``""``: that a value is missing is not secret,
  and ``blank`` / ``null`` keep their usual meaning.
- Plain text already in the column (a ``TextField`` converted to this field by a
  migration) is read back as it is, so the site keeps working until
  ``manage.py rotate_field_keys`` has encrypted it; that command's ``--dry-run`` counts
  such values, which is how to check that a dump shows none.
- ``dumpdata`` writes tokens, not plain text, and ``loaddata`` accepts them, so fixtures
  never carry the personal data either.
"""

from __future__ import annotations

from typing import Any, NoReturn, cast

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Lookup
from django.utils.translation import gettext_lazy as _

from core import crypto


def _decrypt_if_ours(value: str) -> str | None:
    """The plain text of ``value`` if it is a token our keys open, else ``None``."""
    if not crypto.looks_like_token(value):
        return None
    try:
        return crypto.decrypt(value)
    except crypto.DecryptionError:
        return None


# Field is generic only in the stubs (its runtime class cannot be subscripted).
class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = _("Text encrypted at rest")

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_not_indexed()]

    def _check_not_indexed(self) -> list[checks.CheckMessage]:
        # Tokens are randomised, so an index or uniqueness on them means nothing.
        if self.primary_key or self.unique or self.db_index:  # type: ignore[attr-defined]  # the stubs omit it
            return [
                checks.Error(
                    "EncryptedTextField cannot be a primary key, unique or indexed: its stored tokens never repeat.",
                    hint="Index a keyed_hash of the value in a separate field instead.",
                    obj=self,
                    id="core.E001",
                )
            ]
        return []

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        if crypto.looks_like_token(value):
            # A token no key opens is a lost key or damaged data: fail loudly, never show the token.
            return crypto.decrypt(value)
        return value  # plain text from before the column was encrypted; see the module docstring

    def to_python(self, value: Any) -> str | None:
        # Forms, full_clean and loaddata come through here; loaddata may hand us a token.
        if value is None:
            return None
        value = value if isinstance(value, str) else str(value)
        plain = _decrypt_if_ours(value)
        return value if plain is None else plain

    def get_prep_value(self, value: Any) -> str | None:
        # Field.get_prep_value resolves lazy strings; TextField's would call to_python and
        # decrypt a token only for it to be encrypted again.
        value = models.Field.get_prep_value(self, value)
        if value is None:
            return None
        value = value if isinstance(value, str) else str(value)
        if value == "":
            return ""
        if _decrypt_if_ours(value) is not None:
            # Already a token of ours (rotate_field_keys, bulk_update of raw values): never
            # encrypt twice. A token-shaped value our keys cannot open is treated as text and
            # encrypted, which loses nothing.
            return cast(str, value)
        return crypto.encrypt(value)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) writes the token, so a fixture file is no plain-text dump.
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def _label(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model else f"EncryptedTextField {self.name!r}"

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self._label()} is encrypted with random tokens, so the lookup "
            f"{lookup_name!r} can never match. Only '__isnull' is supported; filter on a keyed_hash "
            "field to find a value."
        )

    def get_transform(self, lookup_name: str) -> NoReturn:
        raise FieldError(
            f"{self._label()} is encrypted in the database; no transform ({lookup_name!r}) applies to it there."
        )
