"""The identity guard on its own: every evasion in the corpus is found, every innocent
text passes, and what it says points at the part without reading it back (issue 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.identity_guard import NOBODY, Known, identity_in
from tests.identity_corpus import EVASIONS, ID_NUMBER, INNOCENT, KNOWN, NAME


def test_the_corpus_is_large_enough_to_mean_something():
    assert len(EVASIONS) >= 40 and len(INNOCENT) >= 40
    assert len(set(EVASIONS)) == len(EVASIONS) and len(set(INNOCENT)) == len(INNOCENT)


@pytest.mark.parametrize("text", EVASIONS)
def test_every_evasion_is_found(text):
    assert identity_in({"summary": text}, known=KNOWN) is not None, text


@pytest.mark.parametrize("text", INNOCENT)
def test_every_innocent_text_passes(text):
    assert identity_in({"summary": text}, known=KNOWN) is None, text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("510129 19580612 4338", "id"),
        ("510129-19580612-4338", "id"),
        ("138.1111.2222", "phone"),
        ("座机028-88886666", "phone"),
        ("6222 0212 3456 7890 128", "card"),
        ("敖 青梧老人", "name"),
        ("女儿敖红叶", "name"),
        ("稀罕巷七十七号", "address"),
    ],
)
def test_each_kind_is_named_and_the_part_masked(text, kind):
    with translation.override("en"):
        leak = identity_in({"title": "", "qualifications": text}, known=KNOWN)
        assert (leak.field, leak.kind) == ("qualifications", kind)
        assert "*" in leak.part and "Remove it" in leak.message
    # The message never reads the whole value back.
    for secret in (ID_NUMBER, "13811112222", "6222021234567890128", NAME, "敖红叶", "稀罕巷77号"):
        assert secret not in leak.message


def test_numbers_are_found_without_knowing_the_person():
    assert identity_in({"t": "联系 138-1111-2222"}, known=NOBODY).kind == "phone"
    assert identity_in({"t": "敖青梧"}, known=NOBODY) is None


def test_an_id_with_a_wrong_birth_date_or_province_is_not_an_id():
    for text in ("510129195813124338", "990129195806124338"):  # month 13; no province 99
        leak = identity_in({"t": text})
        assert leak is None or leak.kind != "id"


def test_a_name_in_letters_is_a_whole_word():
    known = Known(names=("Li Na",))
    assert identity_in({"t": "Contact Li Na at home"}, known=known).kind == "name"
    assert identity_in({"t": "L-i N-a"}, known=known).kind == "name"
    assert identity_in({"t": "Online access for Mali Nations"}, known=known) is None


def test_an_address_without_a_street_names_no_street():
    known = Known(addresses=("四川省成都市大邑县晋原街道",))
    assert identity_in({"t": "大邑县晋原街道的独居老人"}, known=known) is None
