"""Personal data is encrypted at rest, survives key rotation, and is found only by keyed hash."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps.registry import Apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from core import crypto
from core.crypto import DecryptionError, decrypt, encrypt, is_current, keyed_hash, mask, rotate
from core.fields import EncryptedTextField
from core.management.commands import rotate_field_keys
from core.management.commands.rotate_field_keys import models_with_encrypted_fields, rotate_model_fields

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
UNRELATED_KEY = Fernet.generate_key().decode()

ID_NUMBER = "51012919900307123X"
PHONE = "13800138000"
ADDRESS = "四川省成都市大邑县晋原街道东街12号"

# A registry of its own, so the beneficiary stand-in never appears in the project's
# migrations or in the models the real command walks.
TEST_APPS = Apps(["core"])


class Person(models.Model):
    id_number = EncryptedTextField()
    phone = EncryptedTextField(blank=True)
    address = EncryptedTextField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        app_label = "core"
        apps = TEST_APPS
        db_table = "core_test_encrypted_person"

    def __str__(self) -> str:
        return f"Person {self.pk}"


class PersonProxy(Person):
    class Meta:
        app_label = "core"
        apps = TEST_APPS
        proxy = True

    def __str__(self) -> str:
        return f"Proxy person {self.pk}"


@pytest.fixture
def key_a(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    return settings


@pytest.fixture
def person_table(transactional_db, key_a):
    # SQLite's schema editor cannot run inside the transaction a plain `db` test is wrapped in.
    with connection.schema_editor() as editor:
        editor.create_model(Person)
    yield Person
    with connection.schema_editor() as editor:
        editor.delete_model(Person)


def stored_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address FROM core_test_encrypted_person ORDER BY id")
        return cursor.fetchall()


def insert_raw(*, id_number: str, phone: str = "", address: str | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_test_encrypted_person (id_number, phone, address, note) VALUES (%s, %s, %s, '')",
            [id_number, phone, address],
        )
    return Person.objects.order_by("-pk").values_list("pk", flat=True).first()


# --- encrypt / decrypt / rotate ------------------------------------------------


def test_a_value_comes_back_from_its_token(key_a):
    for text in (ID_NUMBER, PHONE, ADDRESS):
        token = encrypt(text)
        assert token.startswith(crypto.TOKEN_PREFIX)
        assert text not in token
        assert crypto.looks_like_token(token)
        assert decrypt(token) == text


def test_tokens_are_randomised_and_empty_stays_empty(key_a):
    assert encrypt(PHONE) != encrypt(PHONE)
    assert encrypt("") == ""
    assert decrypt("") == ""
    assert rotate("") == ""


def test_a_value_encrypted_with_an_old_key_is_read_during_rotation_and_rotate_moves_it(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    old = encrypt(ID_NUMBER)

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert decrypt(old) == ID_NUMBER
    assert not is_current(old)
    new = rotate(old)
    assert is_current(new)
    assert encrypt(PHONE) and is_current(encrypt(PHONE))

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert decrypt(new) == ID_NUMBER
    with pytest.raises(DecryptionError):
        decrypt(old)


def test_no_fitting_key_is_a_clear_error_that_does_not_leak_the_value(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    token = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [UNRELATED_KEY]
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS") as caught:
        decrypt(token)
    assert token not in str(caught.value)
    with pytest.raises(DecryptionError):
        rotate(token)
    with pytest.raises(DecryptionError):
        decrypt("not a token at all")


def test_only_the_shape_of_a_fernet_token_looks_like_one(key_a):
    assert not crypto.looks_like_token(ID_NUMBER)
    assert not crypto.looks_like_token(crypto.TOKEN_PREFIX + "abc")
    assert not crypto.looks_like_token(ADDRESS)
    assert not crypto.looks_like_token(encrypt(PHONE)[:-4])


# --- keyed hash -------------------------------------------------------------------


def test_keyed_hash_is_stable_hex_and_ignores_case_width_and_surrounding_space(settings):
    settings.IDENTITY_HASH_KEY = "test-identity-hash-key-" + "x" * 32
    digest = keyed_hash(ID_NUMBER, purpose="resident-id")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert keyed_hash(ID_NUMBER, purpose="resident-id") == digest
    assert keyed_hash(" 51012919900307123x\n", purpose="resident-id") == digest
    # Full-width digits, as a Chinese input method types them.
    assert keyed_hash("５１０１２９１９９００３０７１２３Ｘ", purpose="resident-id") == digest
    assert keyed_hash("510129199003071230", purpose="resident-id") != digest


def test_keyed_hash_differs_per_purpose_and_per_key(settings):
    settings.IDENTITY_HASH_KEY = "key-one-" + "a" * 40
    as_id = keyed_hash("13800138000", purpose="resident-id")
    as_phone = keyed_hash("13800138000", purpose="phone")
    assert as_id != as_phone

    settings.IDENTITY_HASH_KEY = "key-two-" + "b" * 40
    assert keyed_hash("13800138000", purpose="resident-id") != as_id


def test_keyed_hash_does_not_depend_on_the_encryption_keys(settings):
    settings.IDENTITY_HASH_KEY = "stable-" + "c" * 40
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    before = keyed_hash(ID_NUMBER, purpose="resident-id")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert keyed_hash(ID_NUMBER, purpose="resident-id") == before


def test_without_identity_hash_key_the_hash_follows_secret_key_which_is_why_production_sets_one(settings):
    settings.IDENTITY_HASH_KEY = None
    settings.SECRET_KEY = "first-secret-key-" + "d" * 40
    first = keyed_hash(ID_NUMBER, purpose="resident-id")
    settings.SECRET_KEY = "second-secret-key-" + "e" * 40
    assert keyed_hash(ID_NUMBER, purpose="resident-id") != first

    settings.IDENTITY_HASH_KEY = "dedicated-" + "f" * 40
    with_key = keyed_hash(ID_NUMBER, purpose="resident-id")
    settings.SECRET_KEY = "third-secret-key-" + "g" * 40
    assert keyed_hash(ID_NUMBER, purpose="resident-id") == with_key


@pytest.mark.parametrize("value, purpose", [("", "resident-id"), ("   ", "resident-id"), (ID_NUMBER, "")])
def test_keyed_hash_refuses_a_blank_value_or_purpose(value, purpose):
    with pytest.raises(ValueError):
        keyed_hash(value, purpose=purpose)


# --- mask ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        ("510129199003071234", {"keep_start": 6}, "510129********1234"),
        ("510129199003071234", {}, "510***********1234"),
        ("13800138000", {}, "138****8000"),
        (" 13800138000 ", {}, "138****8000"),
        ("12345678", {}, "********"),  # 3 + 4 kept would hide one character only
        ("1234", {}, "****"),
        ("", {}, ""),
        ("四川省成都市大邑县晋原街道东街12号", {}, "四川省***********街12号"),
        ("晋原街道", {}, "****"),
        ("13800138000", {"keep_start": 0, "keep_end": 0}, "***********"),
    ],
)
def test_mask(value, kwargs, expected):
    assert mask(value, **kwargs) == expected


def test_mask_refuses_negative_counts():
    with pytest.raises(ValueError):
        mask(PHONE, keep_end=-1)


# --- the field -------------------------------------------------------------------


def test_the_database_value_is_a_token_and_reads_back_as_plain_text(key_a):
    field = Person._meta.get_field("id_number")
    stored = field.get_db_prep_value(ID_NUMBER, connection=connection)
    assert ID_NUMBER not in stored and crypto.looks_like_token(stored)
    assert field.from_db_value(stored, None, connection) == ID_NUMBER


def test_none_and_empty_are_kept_and_a_token_is_never_encrypted_twice(key_a):
    field = Person._meta.get_field("address")
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, connection) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value("", None, connection) == ""
    token = encrypt(ADDRESS)
    assert field.get_prep_value(token) == token
    assert field.to_python(token) == ADDRESS
    assert field.to_python(ADDRESS) == ADDRESS


def test_a_token_our_keys_cannot_open_is_encrypted_as_text_on_save_and_refused_on_read(settings):
    settings.FIELD_ENCRYPTION_KEYS = [UNRELATED_KEY]
    foreign = encrypt(PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    field = Person._meta.get_field("phone")
    stored = field.get_prep_value(foreign)
    assert stored != foreign and decrypt(stored) == foreign
    with pytest.raises(DecryptionError):
        field.from_db_value(foreign, None, connection)


def test_the_field_deconstructs_for_migrations():
    field = Person._meta.get_field("address")
    name, path, args, kwargs = field.deconstruct()
    assert (name, path, args) == ("address", "core.fields.EncryptedTextField", [])
    assert kwargs == {"null": True, "blank": True}
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.null and rebuilt.blank


def test_lookups_other_than_isnull_fail_loudly():
    Person.objects.filter(address__isnull=True)  # builds without error
    for lookup in ({"id_number": ID_NUMBER}, {"phone__contains": "138"}, {"id_number__in": [ID_NUMBER]}):
        with pytest.raises(FieldError, match="keyed_hash"):
            Person.objects.filter(**lookup)
    with pytest.raises(FieldError, match="encrypted"):
        Person.objects.filter(phone__lower__startswith="138")


def test_an_indexed_or_unique_encrypted_field_fails_the_system_check():
    isolated = Apps(["core"])

    class Indexed(models.Model):
        phone = EncryptedTextField(unique=True)

        class Meta:
            app_label = "core"
            apps = isolated

        def __str__(self) -> str:
            return self.phone

    assert [error.id for error in Indexed._meta.get_field("phone").check()] == ["core.E001"]
    assert Person._meta.get_field("phone").check() == []


# --- in a table ------------------------------------------------------------------------


def test_a_raw_read_of_the_table_shows_no_personal_data(person_table):
    Person.objects.create(id_number=ID_NUMBER, phone=PHONE, address=ADDRESS)
    Person.objects.create(id_number="110101200001011234", phone="", address=None)

    (first_id, first_phone, first_address), (_second_id, second_phone, second_address) = stored_rows()
    dump = repr(stored_rows())
    for secret in (ID_NUMBER, PHONE, ADDRESS, "110101200001011234", "13800138000", "大邑县"):
        assert secret not in dump
    assert all(crypto.looks_like_token(value) for value in (first_id, first_phone, first_address))
    assert (second_phone, second_address) == ("", None)

    person = Person.objects.get(address__isnull=False)
    assert (person.id_number, person.phone, person.address) == (ID_NUMBER, PHONE, ADDRESS)


def test_update_and_bulk_update_encrypt_too(person_table):
    person = Person.objects.create(id_number=ID_NUMBER)
    Person.objects.filter(pk=person.pk).update(phone=PHONE)
    person.address = ADDRESS
    Person.objects.bulk_update([person], ["address"])
    assert PHONE not in repr(stored_rows()) and "大邑县" not in repr(stored_rows())
    person.refresh_from_db()
    assert (person.phone, person.address) == (PHONE, ADDRESS)


def test_dumpdata_style_serialisation_writes_tokens_and_loads_back(key_a):
    person = Person(id_number=ID_NUMBER, phone=PHONE)
    serialised = Person._meta.get_field("id_number").value_to_string(person)
    assert ID_NUMBER not in serialised
    assert Person._meta.get_field("id_number").to_python(serialised) == ID_NUMBER


# --- rotate_field_keys ----------------------------------------------------------------


def test_the_command_finds_models_with_encrypted_fields_but_not_their_proxies():
    assert models_with_encrypted_fields(registry=TEST_APPS) == [Person]


def test_rotation_moves_every_value_to_the_new_key_encrypts_leftover_plain_text_and_is_idempotent(
    person_table, settings
):
    old_pks = [Person.objects.create(id_number=f"5101291990030712{n:02d}", phone=PHONE).pk for n in range(7)]
    plain_pk = insert_raw(id_number=ID_NUMBER, phone="", address=ADDRESS)  # from before encryption
    assert Person.objects.get(pk=plain_pk).address == ADDRESS  # still readable meanwhile

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    dry = rotate_model_fields(model=Person, dry_run=True, batch_size=3)
    assert (dry.rows, dry.rotated, dry.encrypted, dry.rows_updated) == (8, 14, 2, 0)
    assert not any(is_current(value) for row in stored_rows() for value in row if value)

    result = rotate_model_fields(model=Person, batch_size=3)
    assert (result.rows, result.rotated, result.encrypted, result.empty, result.rows_updated) == (8, 14, 2, 8, 8)
    assert ID_NUMBER not in repr(stored_rows()) and "大邑县" not in repr(stored_rows())

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    read_back = [p.id_number for p in Person.objects.filter(pk__in=old_pks).order_by("pk")]
    assert read_back == [f"5101291990030712{n:02d}" for n in range(7)]
    assert Person.objects.get(pk=plain_pk).address == ADDRESS

    again = rotate_model_fields(model=Person)
    assert (again.rotated, again.encrypted, again.current, again.rows_updated) == (0, 0, 16, 0)


def test_a_row_no_key_opens_is_left_alone_and_reported(person_table, settings, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = [UNRELATED_KEY]
    lost = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    lost_pk = insert_raw(id_number=lost, phone="13900139000")
    Person.objects.create(id_number="110101200001011234", phone=PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    monkeypatch.setattr(rotate_field_keys, "models_with_encrypted_fields", lambda **kwargs: [Person])
    out = StringIO()
    with pytest.raises(CommandError, match=f"core.Person \\(pk {lost_pk}\\)"):
        call_command("rotate_field_keys", stdout=out)
    assert "core.Person: 2 rows, 1 rows updated; rotated 2" in out.getvalue()
    assert "1 undecryptable rows" in out.getvalue()
    # Untouched, not wrapped in a second layer of encryption; its plain-text phone waits for the key.
    assert stored_rows()[0][:2] == (lost, "13900139000")


def test_the_command_dry_run_writes_nothing(person_table, settings, monkeypatch):
    Person.objects.create(id_number=ID_NUMBER, phone=PHONE)
    before = stored_rows()
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    monkeypatch.setattr(rotate_field_keys, "models_with_encrypted_fields", lambda **kwargs: [Person])
    out = StringIO()
    call_command("rotate_field_keys", "--dry-run", stdout=out)
    assert "core.Person: 1 rows; would rotate 2, would encrypt 0 plain" in out.getvalue()
    assert stored_rows() == before

    call_command("rotate_field_keys", stdout=out)
    assert stored_rows() != before and all(is_current(value) for value in stored_rows()[0][:2])
