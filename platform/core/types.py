"""Names for types that several apps annotate with; nothing here changes what runs.

``StrOrPromise`` is a text that may still be lazy: a ``gettext_lazy`` label in a table
declared at import time, translated only when a page shows it. The stubs name it
privately, so it is given a public name here (as ``django_stubs_ext`` does, without
making that package a dependency of the site).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    from django.utils.functional import Promise

    StrOrPromise = str | Promise

__all__ = ["StrOrPromise"]
