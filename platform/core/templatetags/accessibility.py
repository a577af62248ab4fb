"""What a screen reader needs that a template would otherwise forget (issue 25).

* ``{% error_summary %}`` (in base.html): after a failed submit, one list of every error on
  the page, each linked to its field, which takes the focus, instead of a role=alert per
  field all firing at once (WCAG 3.3.1, 2.4.3).
* ``{{ value|lang_zh }}``: ``lang="zh-Hans"`` for an element showing Chinese data (a name,
  a title) on an English page, so it is not read with English rules (WCAG 3.1.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django import template
from django.forms import BaseForm, BaseFormSet
from django.template import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class PageError:
    message: str
    label: str = ""
    target: str = ""  # the id of the field to jump to; empty for an error of the whole form


def _form_errors(form: BaseForm) -> list[PageError]:
    errors = [PageError(str(message)) for message in form.non_field_errors()]
    for bound in form:
        if not bound.errors:
            continue
        target = bound.id_for_label or bound.auto_id or ""
        if bound.use_fieldset and bound.subwidgets:
            # A group of radios or checkboxes has no element of the field's own id: its first box.
            target = bound.subwidgets[0].id_for_label
        errors += [PageError(str(message), str(bound.label or ""), target) for message in bound.errors]
    return errors


def page_errors(values: Iterable[object]) -> list[PageError]:
    """The errors of every bound form and formset among ``values``, in their order."""
    errors: list[PageError] = []
    seen: set[int] = set()
    for value in values:
        if id(value) in seen or not getattr(value, "is_bound", False):
            continue
        seen.add(id(value))
        if isinstance(value, BaseFormSet):
            errors += [PageError(str(message)) for message in value.non_form_errors()]
            for form in value.forms:
                errors += _form_errors(form)
        elif isinstance(value, BaseForm):
            errors += _form_errors(value)
    return errors


@register.inclusion_tag("components/error_summary.html", takes_context=True)
def error_summary(context: Context) -> dict[str, list[PageError]]:
    """Every bound form and formset the view gave the template, summarised."""
    return {"errors": page_errors(context.flatten().values())}


@register.filter
def lang_zh(value: object) -> SafeString:
    """`` lang="zh-Hans"`` (with its leading space, for inside a tag) when the page is not
    Chinese and ``value`` has Chinese characters; nothing otherwise."""
    if (get_language() or "").startswith("zh") or not _CJK.search(str(value)):
        return SafeString("")
    return format_html(' lang="{}"', "zh-Hans")
