from vetting.forms import OrganisationForm


def test_every_profile_field_is_shown_in_exactly_one_section():
    names = [name for _legend, fields in OrganisationForm.FIELDSETS for name in fields]
    assert sorted(names) == sorted(OrganisationForm.base_fields)
