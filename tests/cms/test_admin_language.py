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


# Issue 20, items 4 and 5: words Django, allauth and Wagtail leave in English (or that our
# own catalogue took over with another meaning), and what a Chinese editor expects instead.
LIBRARY_WORDS = {
    "- Select an option -": "- 请选择 -",
    "Sign in with a passkey": "使用通行密钥登录",
    "Pages": "页面",
    "Documents": "文档",
    "Account": "账户",
    "Search all pages…": "搜索所有页面…",
}


def test_the_catalogue_gives_library_words_the_chinese_editors_expect():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert {msgid: translation.gettext(msgid) for msgid in LIBRARY_WORDS} == LIBRARY_WORDS
        assert translation.pgettext("pagination", "Pages") == "分页"
        assert translation.pgettext("ledger", "Account") == "科目"


def test_chinese_pages_render_no_untranslated_library_default(client_for, caseworker, db):
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse
    from wagtail.models import Workflow

    from tests.factories import UserFactory

    english = [msgid for msgid in LIBRARY_WORDS if msgid != "Pages"]
    english += [" Pages", "Moderators approval", "使用 passkey 登录"]
    login = Client().get(reverse("account_login")).content.decode()
    need_form = client_for(caseworker).get(reverse("needs:create")).content.decode()
    assert "- 请选择 -" in need_form
    editor = UserFactory(mfa=True)
    editor.groups.add(Group.objects.get(name="Moderators"))
    admin = client_for(editor, reauthenticated=False).get("/cms/").content.decode()
    for name, page in {"login": login, "need form": need_form, "CMS": admin}.items():
        assert not [word for word in english if word in page], name
    assert "页面" in admin
    assert not Workflow.objects.filter(name="Moderators approval").exists()
