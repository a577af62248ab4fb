"""Forms of reports from the public: filing, tracking, adding information, and the
auditors' filter and decisions."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from reports.attachments import AttachmentsField
from reports.models import MAX_DESCRIPTION, MAX_SUBJECT_TEXT, OutcomeKind, ReportState, SubjectKind

MIN_DESCRIPTION = 20
MAX_LINKS = 3
MAX_PUBLIC_OUTCOME = 2000
MAX_NOTE = 5000
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-()]{5,24}$")


def _links(text: str) -> int:
    return len(_LINK.findall(text))


class _Description(forms.CharField):
    """Free text from the public: long enough to act on, short enough to read, few links."""

    def __init__(self, *, min_length: int = MIN_DESCRIPTION, **kwargs) -> None:
        super().__init__(
            min_length=min_length,
            max_length=MAX_DESCRIPTION,
            widget=forms.Textarea(attrs={"rows": 10}),
            error_messages={
                "required": _("Describe what happened."),
                "min_length": _("Say a little more: at least %(limit_value)d characters (you wrote %(show_value)d)."),
                "max_length": _("At most %(limit_value)d characters, please (you wrote %(show_value)d)."),
            },
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if _links(value) > MAX_LINKS:
            raise forms.ValidationError(
                _("At most %(limit)d web links, please. Attach documents as files instead.") % {"limit": MAX_LINKS},
                code="links",
            )
        return value


class ReportForm(forms.Form):
    subject_kind = forms.ChoiceField(
        label=_("What is your report about?"),
        choices=SubjectKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what your report is about."),
            "invalid_choice": _("Choose what your report is about from the list."),
        },
    )
    subject_text = forms.CharField(
        label=_("Which one?"),
        required=False,
        max_length=MAX_SUBJECT_TEXT,
        help_text=_(
            "If you know it: the contract number, the need's reference (such as N000123), or the name of the "
            "organisation or agency."
        ),
    )
    description = _Description(
        label=_("What happened?"),
        # The limits are written out: a lazy string formatted here would be fixed in one language.
        help_text=_(
            "What you saw or know, when and where, and who was involved. Do not include anyone's ID number. "
            "At most 5,000 characters and 3 links."
        ),
    )
    attachments = AttachmentsField(
        label=_("Files (optional)"),
        help_text=_(
            "Up to 5 PDF, JPEG or PNG files, together at most 20 MB. Photos are cleaned of location and device "
            "data; a PDF may still carry its author's name."
        ),
    )
    anonymous = forms.TypedChoiceField(
        label=_("May we contact you?"),
        choices=[
            ("1", _("No, I want to stay anonymous")),
            ("0", _("Yes, here is how to reach me")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether we may contact you.")},
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=100)
    contact_email = forms.CharField(label=_("Email"), required=False, max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    # The honeypot: hidden from people, filled in by robots. Its name is one robots like.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    issued = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_contact_email(self) -> str:
        value = self.cleaned_data["contact_email"].strip()
        if value:
            EmailValidator(message=_("Enter a valid email address."))(value)
        return value

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"].strip()
        if value and not _PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number of digits, with + and spaces if you like."))
        return value

    def clean(self):
        data = super().clean()
        reachable = data.get("contact_email") or data.get("contact_phone")
        contact_errors = "contact_email" in self.errors or "contact_phone" in self.errors
        if data.get("anonymous") is False and not reachable and not contact_errors:
            self.add_error("contact_email", _("Give an email address or a phone number, or choose to stay anonymous."))
        if data.get("anonymous"):
            # What an anonymous reporter typed in the contact fields is never stored.
            for field in ("contact_name", "contact_email", "contact_phone"):
                data[field] = ""
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=64,
        error_messages={"required": _("Enter your tracking code.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class FollowUpForm(forms.Form):
    text = _Description(
        label=_("What would you like to add?"),
        required=False,
        min_length=2,
    )
    attachments = AttachmentsField(
        label=_("Files (optional)"),
        help_text=_("Up to 5 PDF, JPEG or PNG files, together at most 20 MB."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("text") and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or choose a file to add."), code="empty")
        return data


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Not closed")), ("all", _("Any")), *ReportState.choices]
    )
    subject_kind = forms.ChoiceField(label=_("About"), required=False, choices=[("", _("Any")), *SubjectKind.choices])


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *OutcomeKind.choices])
    public_outcome = forms.CharField(
        label=_("Outcome shown to the reporter"),
        max_length=MAX_PUBLIC_OUTCOME,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the tracking page to whoever has the code. Name no one who is not already public."),
    )
    private_notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For auditors only."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Private note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))
