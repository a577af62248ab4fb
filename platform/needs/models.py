"""Needs recorded by agencies, the statutory-aid check (gap gate) and the protected
identity vault. The need itself never holds identity: the card organisations see is
built from its structured fields and an anonymised summary."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class NeedKind(models.TextChoices):
    MATERIAL = "material", _("Material")
    SERVICE = "service", _("Service")
    BOTH = "both", _("Material and service")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class NeedState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    CLAIMED = "claimed", _("Claimed")
    PROPOSALS_OPEN = "proposals_open", _("Open for proposals")
    PROPOSALS_CLOSED = "proposals_closed", _("Proposals closed")
    AWARDED = "awarded", _("Awarded")
    IN_CONTRACT = "in_contract", _("In contract")
    FULFILLED = "fulfilled", _("Fulfilled")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Scope(models.TextChoices):
    ALL = "all", _("All vetted organisations")
    REGION = "region", _("Organisations serving the region")
    INVITED = "invited", _("Invited organisations only")


class GapReason(models.TextChoices):
    """Why statutory aid does not cover this need (coded, for the figures)."""

    OUTSIDE_SCHEMES = "outside_schemes", _("The need lies outside every statutory scheme")
    BELOW_STANDARD = "below_standard", _("Statutory aid is received but falls short of the need")
    EDGE_HOUSEHOLD = "edge_household", _("Household on the edge of the minimum living allowance")
    RIGID_EXPENDITURE = "rigid_expenditure", _("Unavoidable costs (illness, schooling) exceed the household's means")
    SERVICE_NOT_CASH = "service_not_cash", _("A service is needed, which statutory cash aid does not provide")
    WAITING_PERIOD = "waiting_period", _("Bridging the wait for a statutory decision")
    OTHER = "other", _("Other (explained in the note)")


class Scheme(models.TextChoices):
    """The eight statutory social-assistance schemes (社会救助暂行办法)."""

    DIBAO = "dibao", _("Minimum living allowance (最低生活保障)")
    TEKUN = "tekun", _("Extreme-poverty support (特困人员供养)")
    DISASTER = "disaster", _("Disaster victims' assistance (受灾人员救助)")
    MEDICAL = "medical", _("Medical assistance (医疗救助)")
    EDUCATION = "education", _("Education assistance (教育救助)")
    HOUSING = "housing", _("Housing assistance (住房救助)")
    EMPLOYMENT = "employment", _("Employment assistance (就业救助)")
    TEMPORARY = "temporary", _("Temporary assistance (临时救助)")


class SchemeAnswer(models.TextChoices):
    RECEIVES = "receives", _("Already receives it")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    INSUFFICIENT = "insufficient", _("Eligible, but it is not enough")
    NOT_APPLIED = "not_applied", _("Eligible but has not applied")


class Beneficiary(models.Model):
    """The protected identity of the person helped. Encrypted at rest; the ID number
    is also kept as a keyed hash, the only form in which it is ever compared."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="beneficiaries")
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("resident ID number"))
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    is_minor = models.BooleanField(_("minor"), default=False)
    has_disability = models.BooleanField(_("disability"), default=False)
    elderly_alone = models.BooleanField(_("elderly, living alone"), default=False)
    severe_illness = models.BooleanField(_("severe illness"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")

    def __str__(self) -> str:
        # Never the name: objects are printed in logs and the audit trail.
        return f"#{self.pk}"


class HouseholdMember(models.Model):
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="household")
    relation = models.CharField(_("relation"), max_length=30)
    age = models.PositiveSmallIntegerField(_("age"))
    # Optional, encrypted, never shown beyond the recording agency: kept so the identity
    # guard can refuse it in anything an organisation or the public reads.
    name = EncryptedTextField(_("name"), blank=True, default="")

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.relation} ({self.age})"


class Need(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="needs")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("title"), max_length=80)
    summary = models.TextField(_("anonymised summary"), max_length=2000)
    category = models.ForeignKey("categories.Category", on_delete=models.PROTECT, related_name="needs")
    kind = models.CharField(_("kind"), max_length=10, choices=NeedKind.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    response_deadline = models.DateTimeField(_("response deadline"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    duration_days = models.PositiveIntegerField(_("expected duration (days)"))
    qualifications = models.CharField(_("required qualifications"), max_length=300, blank=True)
    people_count = models.PositiveSmallIntegerField(_("number of people"), default=1)
    gap_reason = models.CharField(_("gap reason"), max_length=30, choices=GapReason.choices, blank=True)
    gap_note = models.TextField(_("gap note"), blank=True)
    scope = models.CharField(_("publication scope"), max_length=10, choices=Scope.choices, default=Scope.REGION)
    state = models.CharField(_("state"), max_length=20, choices=NeedState.choices, default=NeedState.DRAFT)
    state_reason = models.TextField(_("reason for the current state"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_by = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_needs",
        verbose_name=_("taken on by"),
    )
    claimed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    proposals_closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="need_budget_not_negative"),
            models.CheckConstraint(condition=models.Q(state__in=NeedState.values), name="need_state_valid"),
            # Separation of duties, in the database too: whoever prepared a need never approves it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("prepared_by")),
                name="need_preparer_is_not_approver",
            ),
            # A claimed need names exactly the organisation that took it on.
            models.CheckConstraint(
                condition=~models.Q(state="claimed") | models.Q(claimed_by__isnull=False),
                name="claimed_need_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"N{self.pk:06d}" if self.pk else "N—"


class SchemeCheck(models.Model):
    """One statutory scheme's answer for a need's household (the gap gate)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="scheme_checks")
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    answer = models.CharField(_("answer"), max_length=20, choices=SchemeAnswer.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["need", "scheme"]
        constraints = [models.UniqueConstraint(fields=["need", "scheme"], name="one_answer_per_scheme")]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.answer}"


class NeedEvent(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=NeedState.choices)
    to_state = models.CharField(max_length=20, choices=NeedState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.from_state} → {self.to_state}"


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form (uploaded)")
    IN_PERSON = "in_person", _("Recorded in person")


def consent_form_path(instance: Consent, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    return f"consent/{instance.beneficiary_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class Consent(models.Model):
    """Consent to share the identity with the assigned workers of the awarded
    organisation. For a child under 14 it is a guardian's (民法典 Art. 19-20)."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    given_by = EncryptedTextField(_("consent given by"))
    by_guardian = models.BooleanField(_("given by a guardian"), default=False)
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    form_file = models.FileField(storage=private_storage, upload_to=consent_form_path, blank=True, max_length=200)
    valid_until = models.DateField(_("valid until"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent #{self.pk} for beneficiary #{self.beneficiary_id}"


class RelativeDeclaration(models.Model):
    """A staff member's declared relative, for conflict-of-interest checks. Only the
    keyed hash of the ID number is compared; the name is kept encrypted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relatives")
    name = EncryptedTextField(_("name"))
    id_hash = models.CharField(max_length=64, db_index=True, editable=False)
    relation = models.CharField(_("relation"), max_length=30)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("declared relative")
        verbose_name_plural = _("declared relatives")
        constraints = [models.UniqueConstraint(fields=["user", "id_hash"], name="one_declaration_per_relative")]

    def __str__(self) -> str:
        return f"{self.relation} of user #{self.user_id}"


# --- Proposals ---------------------------------------------------------------------------


class Criterion(models.TextChoices):
    """What proposals are scored on. Price never weighs more than MAX_PRICE_WEIGHT."""

    PLAN = "plan", _("Service plan")
    TEAM = "team", _("Team and qualifications")
    TIMELINE = "timeline", _("Timeline")
    PRICE = "price", _("Price")


MAX_PRICE_WEIGHT = 30


class ProposalCriterion(models.Model):
    """One weighted criterion of a need's proposals, fixed when proposals open and
    shown to every organisation that may propose."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="criteria")
    key = models.CharField(_("criterion"), max_length=20, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))

    class Meta:
        ordering = ["need", "-weight", "key"]
        constraints = [
            models.UniqueConstraint(fields=["need", "key"], name="one_weight_per_criterion"),
            models.CheckConstraint(condition=models.Q(weight__lte=100), name="criterion_weight_at_most_100"),
            # Never on price alone, in the database too.
            models.CheckConstraint(
                condition=~models.Q(key="price") | models.Q(weight__lte=MAX_PRICE_WEIGHT),
                name="price_weight_at_most_30",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} {self.weight}%"


class ProposalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    AWARDED = "awarded", _("Chosen")
    NOT_AWARDED = "not_awarded", _("Not chosen")
    VOID = "void", _("Void (the need was withdrawn)")


class Proposal(models.Model):
    """An organisation's offer for a need. Sealed until the deadline: nobody outside the
    organisation reads it before the need's proposals close."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="proposals")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="proposals")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan = models.TextField(_("service plan"), max_length=5000)
    price = models.DecimalField(_("price (CNY)"), max_digits=12, decimal_places=2)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    timeline = models.TextField(_("timeline"), max_length=2000)
    team = models.TextField(_("team and qualifications"), max_length=2000)
    state = models.CharField(_("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["need", "organisation"], name="one_proposal_per_organisation"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="proposal_price_positive"),
            models.CheckConstraint(condition=models.Q(state__in=ProposalState.values), name="proposal_state_valid"),
        ]

    def __str__(self) -> str:
        return f"proposal #{self.pk} for {self.need.reference if self.need_id else '—'}"


def proposal_file_path(instance: ProposalAttachment, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=proposal_file_path, max_length=200)
    display_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.display_name


class ProposalScore(models.Model):
    """One evaluator's score (1–5) of one proposal on one non-price criterion."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ProposalCriterion, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion", "scorer"], name="one_score_per_scorer"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_from_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.key}: {self.score}"


class Award(models.Model):
    """The approver's choice among a need's proposals, with the reasons."""

    need = models.OneToOneField(Need, on_delete=models.PROTECT, related_name="award")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="award")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reasons for the award"))
    few_proposals_reason = models.TextField(_("why fewer than three proposals are enough"), blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2)
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"award of {self.need_id} to proposal #{self.proposal_id}"


class NeedInvitation(models.Model):
    """An organisation the agency invited: it puts the organisation in scope of a need
    published for invited organisations only (and is kept when the scope widens)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="need_invitations"
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invited_at"]
        constraints = [models.UniqueConstraint(fields=["need", "organisation"], name="one_invitation_per_organisation")]

    def __str__(self) -> str:
        return f"invitation of organisation #{self.organisation_id} to {self.need_id}"
