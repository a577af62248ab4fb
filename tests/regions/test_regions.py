"""Administrative divisions: the data, the "within" helpers and the picker."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from agencies.models import Agency
from regions.forms import RegionField, resolve_region
from regions.models import Region, RegionLevel, region_is_within


@pytest.fixture
def dayi(db):
    return Region.objects.get(code="510129")


def test_the_whole_country_is_loaded(db):
    counts = {level: Region.objects.filter(level=level).count() for level in RegionLevel.values}
    assert counts["province"] == 31
    assert 330 <= counts["city"] <= 345
    assert 2800 <= counts["county"] <= 2900
    assert counts["township"] >= 8  # the demo county's townships


def test_every_region_hangs_under_its_parent(db):
    assert not Region.objects.exclude(level="province").filter(parent__isnull=True).exists()
    sample = Region.objects.get(code="510129001")
    assert sample.path == "510000/510100/510129/510129001/"
    assert sample.full_name == "四川省 成都市 大邑县 晋原街道"
    assert [r.code for r in sample.ancestors()] == ["510000", "510100", "510129"]


def test_within(dayi):
    township = Region.objects.get(code="510129001")
    sichuan = Region.objects.get(code="510000")
    beijing = Region.objects.get(code="110000")
    assert township.is_within(dayi) and township.is_within(sichuan) and dayi.is_within(dayi)
    assert not dayi.is_within(township)
    assert not township.is_within(beijing)
    assert not region_is_within(None, dayi)
    assert set(Region.objects.within(dayi).values_list("level", flat=True)) == {"county", "township"}


def test_a_similar_code_prefix_is_not_within(db):
    # 5101 is a prefix of 510129's code but not a region path: paths end with "/".
    chengdu = Region.objects.get(code="510100")
    neighbour = Region.objects.get(code="510104")
    assert neighbour.is_within(chengdu)
    assert not Region.objects.get(code="511100").is_within(chengdu)


def test_agency_subtrees_follow_the_divisions(county_agency, township_agency):
    assert township_agency.is_within(county_agency)
    assert list(Agency.objects.subtree_of(county_agency)) == [county_agency, township_agency]


def test_a_child_agency_must_serve_a_region_inside_its_parents(county_agency):
    from django.core.exceptions import ValidationError

    stray = Agency(name="错位的街道", region=Region.objects.get(code="110101"), parent=county_agency)
    with pytest.raises(ValidationError):
        stray.full_clean()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("510129", "510129"),
        ("大邑县", "510129"),
        ("四川省 成都市 大邑县", "510129"),
        ("四川省 成都市 大邑县 (510129)", "510129"),
        ("晋原街道", "510129001"),
    ],
)
def test_resolve_by_code_name_or_full_name(db, text, code):
    assert resolve_region(text).code == code


def test_an_ambiguous_name_lists_the_candidates(db):
    candidates = resolve_region("朝阳区")
    assert isinstance(candidates, list) and len(candidates) >= 2
    assert {c.code for c in candidates} >= {"110105", "220104"}


class PickerForm(forms.Form):
    region = RegionField(levels=("county", "township"))


def test_the_picker_explains_what_is_wrong(db):
    translation.activate("en")
    form = PickerForm({"region": "朝阳区"})
    assert not form.is_valid()
    assert "matches several regions" in str(form.errors["region"])
    form = PickerForm({"region": "不存在的地方"})
    assert not form.is_valid()
    assert "No region matches" in str(form.errors["region"])
    form = PickerForm({"region": "510000"})  # a province where a county is wanted
    assert not form.is_valid()
    assert PickerForm({"region": "大邑县"}).is_valid()


def test_the_picker_suggests_as_you_type(client, db):
    response = client.get("/regions/suggest/", {"q": "大邑", "levels": "county"})
    assert response.status_code == 200
    assert "四川省 成都市 大邑县 (510129)" in response.content.decode()


def test_the_region_pages_work_without_javascript(client, db):
    response = client.get("/regions/510129/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "晋原街道" in content and "四川省" in content
    assert "大邑县" in client.get("/regions/", {"q": "大邑"}).content.decode()
    assert client.get("/regions/999999/").status_code == 404


def test_lists_filter_by_region_with_the_picker(client_for, auditor, county_agency, township_agency, other_agency):
    client = client_for(auditor, reauthenticated=False)
    content = client.get("/agencies/", {"region": "晋原街道"}).content.decode()
    assert f'href="/agencies/{township_agency.pk}/"' in content
    assert f'href="/agencies/{county_agency.pk}/"' not in content
    content = client.get("/agencies/", {"region": "成都市"}).content.decode()
    assert township_agency.name in content and other_agency.name in content


def test_an_ambiguous_region_filter_says_so_and_filters_nothing(client_for, auditor, county_agency):
    translation.activate("en")
    response = client_for(auditor, reauthenticated=False).get("/en/agencies/", {"region": "朝阳区"})
    assert response.status_code == 200
    assert "matches several regions" in response.content.decode()
    assert county_agency.name in response.content.decode()


def test_organisations_filter_by_service_region(client_for, vetting_officer, vetted_org):
    vetted_org.service_regions.set([Region.objects.get(code="510129001")])
    client = client_for(vetting_officer, reauthenticated=False)
    assert vetted_org.legal_name in client.get("/organisations/", {"region": "晋原街道"}).content.decode()
    assert vetted_org.legal_name not in client.get("/organisations/", {"region": "北京市"}).content.decode()


@pytest.mark.parametrize(
    ("code", "name_en", "full_name_en"),
    [
        ("510129", "Dayi County", "Dayi County, Chengdu City, Sichuan Province"),
        ("510129001", "Jinyuan Subdistrict", "Jinyuan Subdistrict, Dayi County, Chengdu City, Sichuan Province"),
        ("110101", "Dongcheng District", "Dongcheng District, Beijing"),  # the grouping 市辖区 left out
        ("513400", "Liangshan Yi Autonomous Prefecture", "Liangshan Yi Autonomous Prefecture, Sichuan Province"),
        ("610000", "Shaanxi Province", "Shaanxi Province"),  # not Shanxi (山西)
        ("341500", "Lu'an City", "Lu'an City, Anhui Province"),  # a place-name reading
        ("510181", "Dujiangyan City", "Dujiangyan City, Chengdu City, Sichuan Province"),
        ("150000", "Inner Mongolia Autonomous Region", "Inner Mongolia Autonomous Region"),
    ],
)
def test_every_region_has_its_english_name(db, code, name_en, full_name_en):
    region = Region.objects.get(code=code)
    assert (region.name_en, region.full_name_en) == (name_en, full_name_en)


def test_no_region_is_without_an_english_name(db):
    assert not Region.objects.filter(name_en="").exists()
    assert not Region.objects.filter(full_name_en="").exists()


def test_a_region_is_named_in_the_language_of_the_page(dayi):
    with translation.override("en"):
        assert (str(dayi), dayi.local_name) == ("Dayi County, Chengdu City, Sichuan Province", "Dayi County")
    with translation.override("zh-hans"):
        assert (str(dayi), dayi.local_name) == ("四川省 成都市 大邑县", "大邑县")


def test_the_picker_understands_english_names(client, db):
    assert resolve_region("Dayi County").code == "510129"
    ambiguous = resolve_region("Chaoyang District")  # Beijing's and Changchun's
    assert isinstance(ambiguous, list) and {c.code for c in ambiguous} >= {"110105", "220104"}
    assert resolve_region("Nowhere County") == []
    assert resolve_region("dayi county, chengdu city, sichuan province").code == "510129"
    response = client.get("/en/regions/suggest/", {"q": "Dayi", "levels": "county"})
    assert "Dayi County, Chengdu City, Sichuan Province (510129)" in response.content.decode()
    english = client.get("/en/regions/510129/").content.decode()
    assert "Jinyuan Subdistrict" in english and "Sichuan Province" in english
