"""The Wagtail admin speaks each editor's language: Chinese by default."""

from __future__ import annotations


def test_wagtail_admin_speaks_chinese_to_chinese_editors(client_for, db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    editor = UserFactory(mfa=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    response = client_for(editor, reauthenticated=False).get("/cms/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode().lower()


def test_an_editor_who_chooses_english_gets_the_cms_in_english(client_for, db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    editor = UserFactory(mfa=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = client_for(editor, reauthenticated=False)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert 'lang="en"' in client.get("/cms/").content.decode().lower()
