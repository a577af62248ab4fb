"""Checking every row of an import file against the rules of the need form.

Everything is checked and everything wrong is reported, with the row (as the
spreadsheet numbers it), the column and a message; a message never repeats an ID
number, a phone number or a name beyond a mask. The rules are those of the form and
the services, reused rather than restated: the person through ``BeneficiaryForm``
(resident ID check digit and birth date, phone), the card's privacy through
``needs.rules`` (no identity in the title or summary, nothing government never buys),
the relatives a caseworker declared through the same keyed hash ``need_create`` uses.
Only reading: the database is queried a fixed number of times, never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import CharField
from django.utils.translation import gettext as _

from categories.models import Category
from core.crypto import keyed_hash
from core.identity_guard import Known, identity_in
from core.spreadsheets import is_formula
from imports.cells import as_text, check_length, column_at, parse_budget, parse_household, parse_whole, shown
from imports.columns import (
    BOOLEAN_COLUMNS,
    BY_KEY,
    FALSE_WORDS,
    REQUIRED,
    SCHEME_COLUMNS,
    TRUE_WORDS,
    choice_aliases,
    column_for_header,
    normalise,
)
from imports.parsing import Table
from needs.forms import BeneficiaryForm
from needs.models import Need, NeedKind, SchemeAnswer, Scope, Urgency
from needs.rules import CARD_TEXTS, find_never_purchased
from needs.selectors import OPEN_STATES
from regions.models import Region, RegionLevel

NEED_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)  # as the need form's region field
MAX_GAP_NOTE = 2000


def _max_length(name: str) -> int:
    field = cast("CharField[Any, Any]", Need._meta.get_field(name))  # one of the card's text columns
    return cast(int, field.max_length)


@dataclass
class Problem:
    row: int | None
    column: str  # a column key, or the header as written for a column we do not know
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class ValidRow:
    """A row ready for ``need_create`` and ``scheme_checks_record``."""

    number: int
    data: dict
    beneficiary: dict
    id_hash: str
    household: list[dict]
    answers: dict[str, tuple[str, str]]
    gap_reason: str
    gap_note: str


@dataclass
class Result:
    rows: list[ValidRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_table(table: Table, *, agency, user, progress=None) -> Result:
    """Check every row of ``table`` for ``user`` importing into ``agency``.

    ``progress(n)`` is called now and then with the number of rows checked so far.
    """
    result = Result(row_count=len(table.rows))
    index = _map_headers(table.headers, result)
    if result.errors:
        return result
    if not table.rows:
        result.errors.append(Problem(None, "", "no_rows", _("The file has a header but no rows.")))
        return result
    checker = _RowChecker(agency=agency, user=user)
    first_by_person: dict[tuple[str, int], int] = {}
    first_by_content: dict[tuple, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = checker.check(number, cells, index, table.headers, result)
        content = tuple(normalise(as_text(c)) for c in cells)
        if content in first_by_content:
            result.errors.append(
                Problem(
                    number,
                    "",
                    "duplicate_row",
                    _("This row is identical to row %(row)d.") % {"row": first_by_content[content]},
                )
            )
            row = None
        else:
            first_by_content[content] = number
            if row is not None:
                key = (row.beneficiary["id_number"], row.data["category"].pk)
                if key in first_by_person:
                    result.errors.append(
                        Problem(
                            number,
                            "id_number",
                            "duplicate_person",
                            _("The same resident ID number and category as row %(row)d.")
                            % {"row": first_by_person[key]},
                        )
                    )
                    row = None
                else:
                    first_by_person[key] = number
        if row is not None:
            result.rows.append(row)
        if progress is not None and done % 500 == 0:
            progress(done)
    _warn_open_needs(result)
    return result


def _map_headers(headers: list[str], result: Result) -> dict[str, int]:
    index: dict[str, int] = {}
    unknown = []
    for position, header in enumerate(headers):
        text = "" if header is None else str(header)
        if not text.strip():
            continue
        key = column_for_header(text)
        if key is None:
            unknown.append(text.strip())
        elif key in index:
            result.errors.append(
                Problem(
                    None,
                    key,
                    "duplicate_column",
                    _("The column “%(header)s” appears twice.") % {"header": BY_KEY[key].header},
                )
            )
        else:
            index[key] = position
    missing = [BY_KEY[k].header for k in REQUIRED if k not in index]
    if missing:
        result.errors.append(
            Problem(
                None,
                "",
                "missing_columns",
                _("Columns missing: %(columns)s. Start from the template; headers may be in Chinese, English or both.")
                % {"columns": "、".join(missing)},
            )
        )
    if unknown:
        result.warnings.append(
            Problem(
                None,
                "",
                "unknown_columns",
                _("These columns are not part of the template and were ignored: %(columns)s.")
                % {"columns": "、".join(unknown)},
            )
        )
    return index


class _RowChecker:
    """The look-ups every row needs, read once."""

    def __init__(self, *, agency, user) -> None:
        self.agency = agency
        self.aliases = choice_aliases()
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(is_active=True):
            for text in (category.code, category.name_zh, category.name_en):
                self.categories[normalise(text)] = category
        area = agency.region
        self.regions: dict[str, Region] = {}
        for region in Region.objects.filter(path__startswith=area.path):
            self.regions[region.code] = region
            self.regions[normalise(region.full_name)] = region
        self.region_exists: dict[str, bool] = {}
        self.relative_hashes = set(user.relatives.values_list("id_hash", flat=True))

    def check(self, number: int, cells: list, index: dict[str, int], headers: list[str], result: Result):
        problems: list[Problem] = []

        def problem(column: str, code: str, message: str) -> None:
            problems.append(Problem(number, column, code, message))

        # A formula anywhere in the row, in a known column or not, refuses the row.
        formula_columns = set()
        for position, raw in enumerate(cells):
            # openpyxl gives array and data-table formulas as objects, not text.
            if is_formula(raw) or type(raw).__name__ in {"ArrayFormula", "DataTableFormula"}:
                column = column_at(position, index, headers)
                formula_columns.add(column)
                # The cell itself is not repeated: it may hold anything, an ID number included.
                problem(
                    column,
                    "formula",
                    _(
                        "The cell begins like a spreadsheet formula (=, +, -, @). Formulas are not imported: "
                        "type the value itself."
                    ),
                )

        def cell(key: str):
            position = index.get(key)
            if position is None or position >= len(cells) or key in formula_columns:
                return None
            return cells[position]

        def text(key: str) -> str:
            return as_text(cell(key)).strip()

        def required(key: str) -> str:
            value = text(key)
            if not value and key not in formula_columns:
                problem(key, "required", _("This column is required."))
            return value

        data: dict = {}
        for key in CARD_TEXTS:
            value = required(key) if BY_KEY[key].required else text(key)
            check_length(key, value, _max_length(key), problem)
            data[key] = value

        category_text = required("category")
        if category_text:
            data["category"] = self.categories.get(normalise(category_text))
            if data["category"] is None:
                message = _("Unknown category code “%(code)s”.") % {"code": shown(category_text)}
                problem("category", "unknown_code", message)

        for key, default in (("kind", None), ("urgency", None), ("scope", Scope.REGION)):
            value = required(key) if BY_KEY[key].required else text(key)
            if not value:
                data[key] = default
                continue
            data[key] = self.aliases[key].get(normalise(value))
            if data[key] is None:
                choices = {"kind": NeedKind.values, "urgency": Urgency.values, "scope": [Scope.ALL, Scope.REGION]}[key]
                problem(
                    key,
                    "unknown_code",
                    _("Unknown value “%(value)s”; use one of: %(choices)s.")
                    % {"value": shown(value), "choices": ", ".join(cast(list[str], choices))},
                )

        data["region"] = self._region(required("region"), problem)
        data["budget"] = parse_budget(required("budget"), problem)
        data["duration_days"] = parse_whole(required("duration_days"), "duration_days", 0, 2_147_483_647, problem)
        people = text("people_count")
        data["people_count"] = parse_whole(people, "people_count", 0, 32767, problem) if people else 1

        gap_reason_text = required("gap_reason")
        gap_reason = self.aliases["gap_reason"].get(normalise(gap_reason_text)) if gap_reason_text else ""
        if gap_reason_text and gap_reason is None:
            problem(
                "gap_reason", "unknown_code", _("Unknown gap reason “%(code)s”.") % {"code": shown(gap_reason_text)}
            )
        gap_note = text("gap_note")
        check_length("gap_note", gap_note, MAX_GAP_NOTE, problem)

        answers: dict[str, tuple[str, str]] = {}
        for key, scheme in SCHEME_COLUMNS.items():
            value = required(key)
            if not value:
                continue
            answer = self.aliases["answer"].get(normalise(value))
            if answer is None:
                problem(
                    key,
                    "unknown_code",
                    _("Unknown answer “%(value)s”; use one of: %(choices)s.")
                    % {"value": shown(value), "choices": ", ".join(SchemeAnswer.values)},
                )
            else:
                answers[scheme] = (answer, "")

        beneficiary = self._person(cell, text, required, problem)
        household = parse_household(text("household"), problem)
        id_hash = keyed_hash(beneficiary["id_number"], purpose="resident-id") if beneficiary else ""
        if id_hash in self.relative_hashes:
            # need_create refuses it too (ConflictOfInterest); say so now, for this row.
            problem(
                "id_number",
                "relative",
                _("This person is a relative you declared: another caseworker must record this need."),
            )

        known = Known(
            names=(text("name"), *(m.get("name", "") for m in household)),
            addresses=(text("address"),),
        )
        for key in CARD_TEXTS:
            if data.get(key):
                self._card_text(key, data[key], known, problem)

        if problems:
            result.errors.extend(problems)
            return None
        if any(a == SchemeAnswer.NOT_APPLIED for a, _note in answers.values()):
            result.warnings.append(
                Problem(
                    number,
                    "",
                    "not_applied",
                    _(
                        "Eligible for a statutory scheme but not applied: the need is imported as a draft and "
                        "cannot be submitted until the household has applied."
                    ),
                )
            )
        # No problem was found, so the person and the gap reason were read.
        return ValidRow(
            number, data, cast(dict, beneficiary), id_hash, household, answers, cast(str, gap_reason), gap_note
        )

    def _region(self, value: str, problem):
        if not value:
            return None
        text = value
        # "四川省 成都市 大邑县 (510129)" as the region picker shows it: the code decides.
        if text.endswith(")") and "(" in text:
            text = text[text.rindex("(") + 1 : -1].strip()
        region = self.regions.get(text) or self.regions.get(normalise(text))
        if region is None:
            if text.isdigit() and self._exists(text):
                problem(
                    "region",
                    "outside_area",
                    _("Region %(code)s is outside your agency's area (%(area)s).")
                    % {"code": text, "area": self.agency.region.full_name},
                )
            else:
                problem("region", "unknown_code", _("Unknown region code “%(code)s”.") % {"code": shown(value)})
            return None
        if region.level not in NEED_LEVELS:
            message = _("Give a county or a township, not a province or city (%(code)s).") % {"code": region.code}
            problem("region", "level", message)
            return None
        return region

    def _exists(self, code: str) -> bool:
        if code not in self.region_exists:
            self.region_exists[code] = Region.objects.filter(code=code).exists()
        return self.region_exists[code]

    def _person(self, cell, text, required, problem) -> dict | None:
        raw_id = cell("id_number")
        if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            problem(
                "id_number",
                "id_as_number",
                _("The ID number was stored as a number, which a spreadsheet rounds. Format the column as text."),
            )
            id_number = ""
        else:
            id_number = required("id_number")
        flags = {}
        for key in BOOLEAN_COLUMNS:
            word = normalise(text(key))
            if word in TRUE_WORDS:
                flags[key] = True
            elif word in FALSE_WORDS:
                flags[key] = False
            else:
                problem(key, "not_yes_no", _("Write 是 or 否 (yes or no)."))
        values = {
            "name": required("name"),
            "id_number": id_number,
            "phone": text("phone"),
            "address": text("address"),
            **{k: v for k, v in flags.items() if v},
        }
        # The need form's own checks: ID check digit and birth date, lengths, phone.
        form = BeneficiaryForm(values)
        if not form.is_valid():
            for key, errors in form.errors.items():
                if not values.get(key):
                    continue  # empty: reported as required above
                for message in errors:
                    problem(key, "invalid_" + key, message)
            return None
        return {**form.cleaned_data}

    def _card_text(self, key: str, value: str, known: Known, problem) -> None:
        leak = identity_in({key: value}, known=known)
        if leak is not None:
            problem(key, "identity_leak", leak.message)
        never = find_never_purchased(value)
        if never is not None:
            problem(
                key,
                "never_purchased",
                _("Government never purchases %(what)s (“%(phrase)s”): it stays with the agency.")
                % {"what": never[0], "phrase": never[1]},
            )


def _warn_open_needs(result: Result) -> None:
    """The same person already has open needs (here or in another agency): not an error,
    the approver sees them and decides; but the caseworker should know before importing."""
    by_hash: dict[str, list[int]] = {}
    for row in result.rows:
        by_hash.setdefault(row.id_hash, []).append(row.number)
    hashes = list(by_hash)
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found.update(
            Need.objects.filter(
                beneficiary__id_hash__in=hashes[start : start + 500], state__in=OPEN_STATES
            ).values_list("beneficiary__id_hash", flat=True)
        )
    for id_hash in found:
        for number in by_hash[id_hash]:
            result.warnings.append(
                Problem(
                    number,
                    "id_number",
                    "open_needs",
                    _("This person already has an open need; the approver will see it before approving."),
                )
            )
