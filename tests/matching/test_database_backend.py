"""Searching published needs on the database backend (SQLite FTS5 here, PostgreSQL
full-text search when DATABASE_URL points at PostgreSQL): Chinese bigrams, synonyms,
facets, filters, order, and never a need the searcher may not see."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DataError, IntegrityError, connection, transaction

from accounts.models import Membership, Role
from categories.models import Category
from matching.backends import get_backend
from matching.models import SearchDocument
from matching.query import Filters, SearchRequest
from matching.selectors import audience_for, search_needs
from needs import services
from needs.models import NeedInvitation
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.matching.helpers import member_of, published
from tests.needs.helpers import CANARY_ID, CANARY_NAME, CANARY_PHONE


def ids(results):
    return list(results.ids)


def test_chinese_is_found_by_its_words(corpus, approver):
    results = search_needs(approver, SearchRequest(text="课后照料"))
    assert ids(results) == [corpus["children"].pk]


def test_an_exact_phrase_outranks_scattered_bigrams_and_synonyms(corpus, approver):
    results = search_needs(approver, SearchRequest(text="独居老人"))
    order = ids(results)
    assert order[0] == corpus["meals"].pk  # the phrase itself
    assert corpus["empty_nest"].pk in order  # only a synonym: 空巢老人
    assert order.index(corpus["empty_nest"].pk) > 0
    if corpus["scattered"].pk in order:  # 独居 … 老人 apart: below the real matches
        assert order.index(corpus["scattered"].pk) > order.index(corpus["empty_nest"].pk)


def test_english_words(corpus, approver):
    assert ids(search_needs(approver, SearchRequest(text="MEAL Delivery"))) == [corpus["english"].pk]
    # The category's English name is indexed too: an English search reaches Chinese cards.
    elderly = ids(search_needs(approver, SearchRequest(text="elderly")))
    assert elderly[0] == corpus["english"].pk and corpus["meals"].pk in elderly


def test_nothing_found_is_an_empty_page_not_an_error(corpus, approver):
    results = search_needs(approver, SearchRequest(text="潜水艇"))
    assert results.ids == [] and results.total == 0


def test_facets_count_each_value_with_the_other_filters(corpus, approver):
    results = search_needs(approver, SearchRequest(filters=Filters(category=("child_care",))))
    assert results.total == 1
    # The category facet ignores its own filter, so the alternatives stay visible.
    assert results.facets["category"] == {"elderly_care": 4, "child_care": 1, "medical": 1}
    assert results.facets["urgency"] == {"urgent": 1}
    assert sum(results.facets["budget"].values()) == 1


def test_the_region_facet_walks_down_the_tree(corpus, approver):
    county = Region.objects.get(code="510129")
    results = search_needs(approver, SearchRequest(filters=Filters(region=county.path)))
    township = Region.objects.get(code="510129002").path
    assert results.facets["region"][township] == 1
    assert results.total == 6


def test_budget_band_and_sorts(corpus, approver):
    results = search_needs(approver, SearchRequest(filters=Filters(budget=("5000-20000", "20000-50000"))))
    assert ids(results) == [corpus["medical"].pk]
    newest = ids(search_needs(approver, SearchRequest(sort="newest")))
    assert newest[0] == corpus["english"].pk and newest[-1] == corpus["meals"].pk
    deadline = ids(search_needs(approver, SearchRequest(sort="deadline")))
    assert deadline[0] == corpus["children"].pk  # urgent: 72 hours


def test_pagination(corpus, approver):
    first = search_needs(approver, SearchRequest(per_page=4))
    second = search_needs(approver, SearchRequest(per_page=4, page=2))
    assert first.total == 6 and first.pages == 2
    assert len(first.ids) == 4 and len(second.ids) == 2 and not set(first.ids) & set(second.ids)


def test_a_search_never_widens_visibility(corpus, unvetted_member, outsider, other_caseworker):
    far = member_of(region_code="110101")
    # Out of the region: only the need published to all organisations.
    assert ids(search_needs(far, SearchRequest())) == [corpus["medical"].pk]
    assert search_needs(far, SearchRequest(text="独居老人")).ids == []
    for user in (unvetted_member, outsider, other_caseworker):
        assert search_needs(user, SearchRequest()).ids == []
        assert search_needs(user, SearchRequest(text="老人")).total == 0


def test_the_audience_rule_matches_the_needs_selector(corpus, auditor, charity_member):
    from needs.selectors import needs_visible_to

    for user in (member_of(), member_of("510129002"), member_of("110101"), auditor):
        backend_ids = set(get_backend().search(SearchRequest(per_page=100), audience_for(user)).ids)
        selector_ids = set(
            needs_visible_to(user).filter(state__in=["published", "proposals_open"]).values_list("pk", flat=True)
        )
        assert backend_ids == selector_ids


def test_in_my_service_area(corpus, approver):
    township = Region.objects.get(code="510129002").path
    results = search_needs(approver, SearchRequest(filters=Filters(service_area=(township,))))
    assert ids(results) == [corpus["children"].pk] or set(ids(results)) >= {corpus["children"].pk}
    assert corpus["meals"].pk not in ids(results)  # 510129001, another township


def test_a_claimed_need_leaves_the_index(corpus, approver):
    need = corpus["meals"]
    org = OrganisationFactory(capacity=5)
    org.service_regions.set([Region.objects.get(code="510129")])
    org.service_categories.set(Category.objects.filter(code="elderly_care"))
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=org)
    services.need_transition(need=need, action="claim", by=user, organisation=org)
    assert not SearchDocument.objects.filter(need_id=need.pk).exists()
    assert need.pk not in ids(search_needs(approver, SearchRequest(text="独居老人")))


def test_the_index_never_holds_identity(corpus):
    for document in SearchDocument.objects.all():
        blob = " ".join(str(getattr(document, f.name)) for f in SearchDocument._meta.concrete_fields)
        assert CANARY_NAME not in blob and CANARY_ID not in blob and CANARY_PHONE not in blob
        text = indexed_text(document.need_id)
        assert "四川" in text  # the card's text is there to look in (its region)
        assert CANARY_NAME[:2] not in text and CANARY_ID[-8:] not in text and CANARY_PHONE[-6:] not in text


def indexed_text(need_id: int) -> str:
    """What the full-text side holds of a need: FTS5's token strings, or the tsvector."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tokens_vector::text FROM matching_searchdocument WHERE need_id = %s", [need_id])
        else:
            cursor.execute("SELECT tokens || ' ' || title_tokens FROM matching_fts WHERE rowid = %s", [need_id])
        return cursor.fetchone()[0]


def test_rebuild_reindexes_everything(corpus, capsys, county_agency, caseworker, approver):
    # An invitation; qualifications (copied as written) of tabs, backslashes and lines.
    NeedInvitation.objects.create(need=corpus["medical"], organisation=OrganisationFactory(), invited_by=approver)
    odd = {"title": "“老人”\t助浴\\", "summary": "一行\r\n另一行", "qualifications": "持证社工\t\\N 一名\r\n护理员\\"}
    published(county_agency, caseworker, approver, **odd)
    written = index_rows()  # as each need's change wrote it
    SearchDocument.objects.all().delete()
    settings_before = pg_settings()
    call_command("search_rebuild", batch_size=2)
    out = capsys.readouterr().out
    assert "7/7" in out and "Indexed 7 needs" in out
    assert index_rows() == written
    # The rebuild's larger memory settings end with it, here inside the test's transaction.
    assert pg_settings() == settings_before


def index_rows() -> dict[int, tuple]:
    """Each indexed need's row as the search reads it (its tsvector or FTS5 row too)."""
    columns = [f.column for f in SearchDocument._meta.concrete_fields if f.name != "indexed_at"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {', '.join(columns)}, tokens_vector::text FROM matching_searchdocument")
        else:
            cursor.execute(
                f"SELECT {', '.join('d.' + c for c in columns)}, f.tokens, f.title_tokens "
                "FROM matching_searchdocument d JOIN matching_fts f ON f.rowid = d.need_id"
            )
        return {row[0]: row for row in cursor.fetchall()}


@pytest.mark.postgres  # reading ahead
@pytest.mark.django_db(transaction=True)
def test_the_rebuild_command_reads_ahead_on_a_second_connection(corpus, capsys):
    """Outside a transaction the command reads the needs on a second thread and
    connection while it writes on its own: the same rows as each need's change wrote."""
    from matching.documents import documents_of
    from needs.models import Need

    written = index_rows()
    call_command("search_rebuild", batch_size=2)
    assert "Indexed 6 needs" in capsys.readouterr().out
    assert index_rows() == written
    # A failure on the reading thread is raised where the documents are read.
    failing = Need.objects.extra(where=["1 / (needs_need.id - needs_need.id) = 1"]).order_by("pk")  # division by zero
    with pytest.raises(DataError):
        list(documents_of(failing, read_ahead=True))
    assert index_rows() == written


@pytest.mark.postgres  # the swap
@pytest.mark.django_db(transaction=True)
def test_the_swap_gives_way_to_a_change_of_a_need_in_flight(corpus, monkeypatch):
    """A change holding the needs table (as a need's transition does, before it writes the
    index) makes the swap let go and try again rather than risk a deadlock: the rebuild
    completes once the change is done, or fails whole, the old index intact, if it is
    never done."""
    import threading
    import time

    from django.db import OperationalError

    from matching.backends import pg_rebuild

    written = index_rows()

    def hold_the_needs_table(seconds: float, ready: threading.Event) -> None:
        other = connection.get_new_connection(connection.get_connection_params())
        try:
            other.execute("LOCK TABLE needs_need IN ROW EXCLUSIVE MODE")  # a change's lock
            ready.set()
            time.sleep(seconds)
        finally:
            other.rollback()
            other.close()

    ready = threading.Event()
    holder = threading.Thread(target=hold_the_needs_table, args=(1.5, ready))
    holder.start()
    ready.wait()
    started = time.monotonic()
    call_command("search_rebuild", batch_size=4)
    assert time.monotonic() - started >= 1.0  # it waited for the change
    holder.join()
    assert index_rows() == written

    monkeypatch.setattr(pg_rebuild, "SWAP_TRIES", 2)
    ready = threading.Event()
    holder = threading.Thread(target=hold_the_needs_table, args=(3, ready))
    holder.start()
    ready.wait()
    with pytest.raises(OperationalError, match="lock timeout"):
        call_command("search_rebuild", batch_size=4)
    holder.join()
    assert index_rows() == written


@pytest.mark.postgres  # reading ahead
@pytest.mark.django_db(transaction=True)
def test_reading_ahead_stops_when_the_documents_are_no_longer_wanted(corpus):
    """A rebuild that fails part-way stops reading: the reading thread, its queue full,
    lets go instead of waiting for a reader that is gone."""
    import threading
    import time

    from matching.documents import documents_of
    from needs.models import Need

    documents = documents_of(Need.objects.order_by("pk"), chunk_size=2, read_ahead=True)
    assert next(documents)["id"] == corpus["meals"].pk
    time.sleep(1)  # the reader has read every chunk and waits, its queue full, to say so
    closed = threading.Thread(target=documents.close)
    closed.start()
    closed.join(timeout=10)
    assert not closed.is_alive()
    assert not [t for t in threading.enumerate() if t.name == "search-rebuild-read"]


def test_the_rebuild_reads_each_need_as_its_own_change_does(corpus, approver):
    """``documents_of`` (rows, for the rebuild) and ``document_for`` (a need) agree."""
    from matching.documents import INDEXED_STATES, document_for, documents_of, indexable
    from matching.text import token_string
    from needs.models import Need

    NeedInvitation.objects.create(need=corpus["meals"], organisation=OrganisationFactory(), invited_by=approver)
    NeedInvitation.objects.create(need=corpus["meals"], organisation=OrganisationFactory(), invited_by=approver)
    needs = Need.objects.filter(state__in=INDEXED_STATES).order_by("pk")
    documents = list(documents_of(needs, chunk_size=4))
    assert documents == [document_for(n) for n in indexable(needs)]
    assert len(documents) == 6 and len(documents[0]["invited"]) == 2
    for document in documents:  # the card's tokens, its title's first
        assert document["tokens"] == token_string(document["text"])
        assert document["tokens"].startswith(document["title_tokens"])


def pg_settings() -> tuple:
    if connection.vendor != "postgresql":
        return ()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('gin_pending_list_limit')")
        return cursor.fetchone()


def test_a_rebuild_that_fails_leaves_the_old_index(corpus, approver):
    """A write that fails part-way (on PostgreSQL, on the writing thread) undoes the whole
    rebuild: the index searched before is the index searched after."""
    from django.db import IntegrityError

    from matching.documents import INDEXED_STATES, document_for, indexable
    from needs.models import Need

    before = sorted(SearchDocument.objects.values_list("need_id", flat=True))
    documents = [document_for(n) for n in indexable(Need.objects.filter(state__in=INDEXED_STATES))]
    with pytest.raises(IntegrityError):  # the last batch holds a need twice
        get_backend().rebuild([*documents, documents[0]], batch_size=2)
    assert (
        sorted(SearchDocument.objects.values_list("need_id", flat=True)) == before == sorted(d["id"] for d in documents)
    )
    assert corpus["meals"].pk in ids(search_needs(approver, SearchRequest(text="独居老人")))


@pytest.mark.postgres  # the new table swapped in
def test_writes_made_during_a_rebuild_are_carried_into_the_new_index(corpus, county_agency, caseworker, approver):
    """PostgreSQL fills a new table and swaps it in: what the index was told while the
    rebuild ran (a need withdrawn, a need published, a card written again) is in the index
    after it, though the documents the rebuild had read said otherwise."""
    from matching.documents import INDEXED_STATES, document_for, indexable
    from needs.models import Need

    documents = [document_for(n) for n in indexable(Need.objects.filter(state__in=INDEXED_STATES))]
    late = {}
    schema = index_schema()

    def documents_while_the_needs_change():
        yield from documents[:2]
        services.need_transition(need=corpus["meals"], action="withdraw", by=approver, reason="已由家属照顾")
        late["bath"] = published(county_agency, caseworker, approver, title="独居老人助浴", summary="每周助浴一次。")
        rewritten = document_for(indexable(Need.objects.filter(pk=corpus["children"].pk)).get())
        get_backend().index([{**rewritten, "invited": [4242]}])  # as an invitation would
        yield from documents[2:]

    assert get_backend().rebuild(documents_while_the_needs_change(), batch_size=2) == len(documents)
    found = ids(search_needs(approver, SearchRequest(text="独居老人")))
    assert corpus["meals"].pk not in found and late["bath"].pk in found
    assert SearchDocument.objects.get(need_id=corpus["children"].pk).invited == " 4242 "
    assert set(SearchDocument.objects.values_list("need_id", flat=True)) == {
        d["id"] for d in documents if d["id"] != corpus["meals"].pk
    } | {late["bath"].pk}
    # The swapped-in table is the old one's in every way: its indexes and constraints,
    # under their names, its storage settings; and its foreign key holds.
    assert index_schema() == schema
    assert "matching_tokens_vector_gin" in str(schema) and "FOREIGN KEY (need_id)" in str(schema)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE matching_searchdocument SET need_id = -1 WHERE need_id = %s", [late["bath"].pk])


def index_schema() -> tuple:
    """The index table's indexes, constraints and table options, as PostgreSQL shows them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'matching_searchdocument'")
        indexes = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'matching_searchdocument'::regclass"
        )
        constraints = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT c.reloptions, array_agg((a.attname, a.attstorage)::text ORDER BY a.attnum) FROM pg_class c "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE c.oid = 'matching_searchdocument'::regclass GROUP BY c.reloptions"
        )
        table = cursor.fetchone()
    return indexes, constraints, table


ODD_QUERIES = ["%00", "'; DROP TABLE matching_fts; --", '"', "<script>", "１２３", "x" * 5000, "AND OR NOT"]


@pytest.mark.parametrize("text", ODD_QUERIES)
def test_odd_query_text_is_harmless(corpus, approver, text):
    search_needs(approver, SearchRequest(text=text))
    assert SearchDocument.objects.count() == 6


def test_staff_extend_the_vocabulary_and_the_next_search_uses_it(corpus, approver):
    from matching.models import SynonymGroup

    assert search_needs(approver, SearchRequest(text="托管班")).ids == []
    SynonymGroup.objects.create(terms="课后照料\n托管班", note="added by staff")
    assert ids(search_needs(approver, SearchRequest(text="托管班"))) == [corpus["children"].pk]


def test_the_synonym_list_is_editable_in_the_admin_and_the_cms(client_for, superuser):
    client = client_for(superuser)
    assert client.get("/admin/matching/synonymgroup/").status_code == 200
    listing = client.get("/cms/snippets/matching/synonymgroup/")
    assert listing.status_code == 200 and "独居老人" in listing.content.decode()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(category=("elderly_care",), urgency=("routine",), region="510000/510100/510129/"),
        Filters(region="510000/510100/510129/510129002/", kind=("service",)),  # the region facet's last level
        Filters(budget=("lt1000", "20000-50000"), category=("medical", "elderly_care")),
        Filters(budget=("no-such-band",)),
        # Three facet filters (the index's filter lexemes keep the needs failing one at most).
        Filters(
            category=("elderly_care", "medical"),
            kind=("service",),
            urgency=("routine", "urgent"),
            region="510000/510100/510129/",
            budget=("1000-5000", "5000-20000"),
        ),
        Filters(region="510000/510100/5101"),  # not a region's whole path: no region lexeme
    ],
)
@pytest.mark.postgres  # the one-statement search
def test_the_one_statement_search_equals_the_general_way(corpus, approver, charity_member, filters, monkeypatch):
    """On PostgreSQL a text search is one statement scoring only what it shows; it must
    answer exactly what scoring the whole index does (ids, order, scores, total, counts)."""
    from matching.backends import database

    texts = ["老人", "独居老人", "空巢老人 送餐", "康复护理", "meal elderly", "儿童 课后 照料", "送餐上门探访"]
    requests = [
        SearchRequest(text=text, filters=filters, sort=sort, page=page, per_page=2, facets=facets)
        for text in texts
        for sort in ("relevance", "newest", "deadline")
        for page, facets in ((1, True), (2, True), (1, False))
    ]
    for user in (approver, charity_member):
        audience = audience_for(user)
        one = [get_backend().search(r, audience) for r in requests]
        monkeypatch.setattr(database, "_pg_match_plan", lambda clauses: None)
        general = [get_backend().search(r, audience) for r in requests]
        monkeypatch.undo()
        for request, a, b in zip(requests, one, general, strict=True):
            assert (a.ids, a.scores, a.total) == (b.ids, b.scores, b.total), request
            if request.facets:
                assert a.facets == b.facets, request


@pytest.mark.postgres  # the tsvector
@pytest.mark.django_db(transaction=True)
def test_migration_0006_writes_the_vector_the_backend_writes(corpus):
    """Rows indexed before migration 0006 get the same tsvector as the backend now writes:
    the title's positions weighted A, the rest after them, the filter lexemes."""
    from django.db.migrations.executor import MigrationExecutor

    from matching.backends.database import filter_lexemes
    from matching.documents import document_for
    from needs.models import Need

    need = Need.objects.select_related("category", "region", "agency").get(pk=corpus["meals"].pk)
    document = document_for(need)
    assert {"c:elderly_care", "u:" + need.urgency, "r:510000/510100/510129/"} <= set(filter_lexemes(document))
    written = vector_text(need.pk)
    assert "'c:elderly_care'" in written and "'r:510000/'" in written
    assert ":1A" in written  # the title's first token

    executor = MigrationExecutor(connection)
    executor.migrate([("matching", "0005_narrow_rows")])
    with connection.cursor() as cursor:  # as 0005 left it: the token strings, two generated vectors
        cursor.execute(
            "UPDATE matching_searchdocument SET tokens = %s, title_tokens = %s WHERE need_id = %s",
            [document["tokens"], document["title_tokens"], need.pk],
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("matching"))
    assert vector_text(need.pk) == written


def vector_text(need_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tokens_vector::text FROM matching_searchdocument WHERE need_id = %s", [need_id])
        return cursor.fetchone()[0]


def _counted_apart(audience, request: SearchRequest) -> tuple[dict, int]:
    """The facets and the total the plain way, a query per facet value: each facet counts
    the visible documents passing every other filter; the region facet, those passing
    every filter, by the level below the chosen region."""
    from django.db.models import Count

    from matching.backends.database import _band_case, audience_q, filters_q

    visible = SearchDocument.objects.filter(audience_q(audience))
    if request.text:
        found = get_backend().search(SearchRequest(text=request.text, per_page=1000, facets=False), audience)
        visible = visible.filter(need_id__in=found.ids)
    f = request.filters
    facets = {}
    for facet in ("category", "kind", "urgency", "budget"):
        qs = visible.filter(filters_q(f.without(facet))).annotate(band=_band_case())
        column = "band" if facet == "budget" else facet
        facets[facet] = {v: n for v, n in qs.values_list(column).annotate(n=Count("pk")) if n}
    depth = len(f.region.strip("/").split("/")) if f.region else 0
    column = f"region_l{depth + 1}"
    facets["region"] = {}
    if depth < 4:  # a township has nothing below it
        qs = visible.filter(filters_q(f)).exclude(**{column: ""})
        facets["region"] = {v: n for v, n in qs.values_list(column).annotate(n=Count("pk")) if n}
    return facets, visible.filter(filters_q(f)).count()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(category=("child_care",)),
        Filters(category=("elderly_care",), urgency=("routine",), region="510000/510100/510129/"),
        Filters(region="510000/510100/510129/510129002/", kind=("service",)),
        Filters(budget=("lt1000", "20000-50000"), category=("medical", "elderly_care"), urgency=("urgent",)),
        Filters(kind=("no-such-kind",)),
    ],
)
@pytest.mark.parametrize("text", ["", "老人", "儿童 课后 照料"])
def test_the_facets_counted_in_one_pass_equal_a_count_per_facet(corpus, approver, charity_member, filters, text):
    for user in (approver, charity_member):
        audience = audience_for(user)
        request = SearchRequest(text=text, filters=filters)
        results = get_backend().search(request, audience)
        facets, total = _counted_apart(audience, request)
        assert {k: {v: n for v, n in c.items() if n} for k, c in results.facets.items()} == facets, (user, request)
        assert results.total == total


def test_a_search_without_text_reads_the_documents_twice_whatever_the_facets(corpus, approver):
    """Once for every facet's counts and the total, once for the page."""
    from django.test.utils import CaptureQueriesContext

    audience = audience_for(approver)
    request = SearchRequest(filters=Filters(category=("elderly_care",), urgency=("routine",)))
    with CaptureQueriesContext(connection) as captured:
        results = get_backend().search(request, audience)
    reads = [q["sql"] for q in captured.captured_queries if "matching_searchdocument" in q["sql"]]
    assert len(reads) == 2, reads
    assert results.total == 4 and results.facets["category"]["child_care"] == 0
