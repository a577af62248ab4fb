from django.core import mail

from notifications.services import notify


def test_notification_is_emailed_in_the_readers_language(caseworker, django_capture_on_commit_callbacks):
    caseworker.preferred_language = "en"
    caseworker.save()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            user=caseworker,
            event="invitation_accepted",
            params={"email": "a@b.test", "role": "org_member", "scope": "X"},
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [caseworker.email]
    assert "a@b.test accepted your invitation as Organisation member at X." in message.subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_membership_removal_email_is_chinese_by_default(caseworker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=caseworker, event="membership_removed", params={"role": "agency_finance", "scope": "大邑县民政局"})
    body = mail.outbox[0].body
    assert "如认为有误，请联系大邑县民政局的管理员。" in body
    assert "您好" in body
