"""The Elasticsearch backend answers exactly as the database backend does.

Without a node: the mapping, the request bodies (clauses and boosts, audience, filters,
facets, order, pages), the index and alias handling, and the same answers as the database
for a corpus, on an in-memory node (``fake_elasticsearch``) that evaluates the requests.
With a node (``ELASTICSEARCH_URL`` set, marked ``elasticsearch``): the ``cjk`` analyzer
tokenises as ``matching.text`` does, the same answers from the real thing, and a rebuild
that never leaves searches without an index.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from categories.models import Category
from matching.backends import get_backend
from matching.backends.base import FACETS, SearchUnavailable
from matching.backends.elasticsearch import (
    ANALYZER,
    FIT_CANDIDATES,
    INDEX_SETTINGS,
    MAPPINGS,
    MAX_WINDOW,
    ElasticsearchBackend,
    audience_query,
    clause_query,
    facet_aggregations,
    results_from,
    search_body,
    source_of,
    text_query,
)
from matching.documents import INDEXED_STATES, document_for
from matching.query import (
    ALL,
    BUDGET_BANDS,
    MOST,
    PHRASE,
    TEXT,
    TITLE,
    Audience,
    Clause,
    Filters,
    SearchRequest,
    band_of,
    clauses,
)
from matching.selectors import audience_for
from matching.text import STOP_WORDS, tokens
from needs import services
from needs.forms import resident_id_check_digit
from needs.models import Need, Scope
from regions.models import Region
from tests.matching.fake_elasticsearch import FakeCluster
from tests.matching.helpers import member_of, published
from tests.needs.helpers import answer_all, card, person

SYNONYMS = {"独居老人": ["空巢老人", "孤寡老人"], "空巢老人": ["独居老人", "孤寡老人"], "助餐": ["送餐"]}
EVERYONE = Audience(everything=True)
COUNTY, TOWNSHIP = "510000/510100/510129/", "510000/510100/510129/510129002/"


def query_of(body):
    return body["query"]


# --- The mapping --------------------------------------------------------------------------


def test_text_is_analysed_by_the_cjk_analyzer_with_our_stop_words():
    assert MAPPINGS["properties"]["text"] == {"type": "text", "analyzer": ANALYZER}
    analyzer = INDEX_SETTINGS["analysis"]["analyzer"][ANALYZER]
    assert analyzer["type"] == "cjk"
    # Lucene's own CJK list keeps "an" and drops "s", "t", "www": ours is given instead.
    assert set(analyzer["stopwords"]) == STOP_WORDS
    # No synonym filter: synonyms are query clauses, the same on both backends.
    assert "filter" not in INDEX_SETTINGS["analysis"]


def test_filters_facets_and_order_use_exact_fields():
    fields = MAPPINGS["properties"]
    for name in ("category", "kind", "urgency", "scope", "region_path", "agency_path"):
        assert fields[name] == {"type": "keyword"}
    for level in range(1, 5):
        assert fields[f"region_l{level}"] == {"type": "keyword"}
    assert fields["id"]["type"] == fields["invited"]["type"] == "long"  # id sorts as a number
    assert fields["budget"] == {"type": "scaled_float", "scaling_factor": 100}
    assert fields["published_at"]["type"] == fields["response_deadline"]["type"] == "date_nanos"
    assert MAPPINGS["dynamic"] == "strict"


def test_a_document_as_the_index_stores_it(corpus):
    need = Need.objects.select_related("category", "region", "agency").get(pk=corpus["meals"].pk)
    document = document_for(need)
    source = source_of(document)
    assert set(source) <= set(MAPPINGS["properties"])  # the strict mapping takes it
    assert "tokens" not in source  # the database's pre-tokenised text, not needed here
    assert source["budget"] == "3600.00"  # exact, to the fen
    assert datetime.fromisoformat(source["published_at"]) == need.published_at
    assert source["region_l4"] == "510000/510100/510129/510129001/"
    county_level = source_of({**document, "region_l4": ""})
    assert "region_l4" not in county_level  # a blank level is never counted as a region


# --- Clauses and scores -------------------------------------------------------------------


def test_every_clause_scores_exactly_its_boost():
    query_clauses = clauses("独居老人助餐", synonyms=SYNONYMS)
    query = text_query("独居老人助餐", SYNONYMS)
    assert query["bool"]["minimum_should_match"] == 1
    should = query["bool"]["should"]
    assert [q["constant_score"]["boost"] for q in should] == [c.boost for c in query_clauses]
    assert sorted({c.boost for c in query_clauses}) == [1, 2, 3, 4, 6, 8]


def test_clause_kinds():
    phrase = clauses("老人助浴", synonyms={})
    by_kind = {c.kind: clause_query(c)["constant_score"]["filter"] for c in phrase if c.target == TEXT}
    assert by_kind[PHRASE] == {"match_phrase": {"text": {"query": "老人助浴"}}}
    title = next(c for c in phrase if c.target == TITLE)
    assert clause_query(title) == {
        "constant_score": {"filter": {"match_phrase": {"title": {"query": "老人助浴"}}}, "boost": 2}
    }
    assert by_kind[ALL] == {"match": {"text": {"query": "老人助浴", "operator": "and"}}}
    # 75 % of three distinct tokens, rounded down: two, as an absolute number.
    assert by_kind[MOST] == {"match": {"text": {"query": "老人助浴", "minimum_should_match": 2}}}
    single = clause_query(Clause(PHRASE, ("送餐",), 2, text="送餐"))
    assert single == {"constant_score": {"filter": {"match": {"text": {"query": "送餐"}}}, "boost": 2}}


def test_a_clause_is_given_the_words_it_came_from():
    texts = {(c.kind, c.boost): c.text for c in clauses("独居老人助餐", synonyms=SYNONYMS)}
    assert texts[(PHRASE, 8)] == "独居老人助餐"
    assert texts[(PHRASE, 3)] in {"独居老人", "助餐"}
    assert {c.text for c in clauses("独居老人助餐", synonyms=SYNONYMS) if c.boost == 6} == {
        "空巢老人助餐",
        "孤寡老人助餐",
        "独居老人送餐",
    }
    assert [c.text for c in clauses("ＭＥＡＬ", synonyms={})] == ["meal"] * 4  # normalised as the tokens are


def test_a_repeated_token_counts_once_as_on_the_database():
    clause = next(c for c in clauses("老人和老人们", synonyms={}) if c.kind == MOST)
    assert len(clause.tokens) == 5 and clause.required == 3  # four distinct tokens
    query = clause_query(clause)["constant_score"]["filter"]["match"]["text"]
    assert tokens(query["query"]) == ["老人", "人和", "和老", "人们"]
    assert query["minimum_should_match"] == 3


def test_no_text_is_unscored_and_text_without_words_finds_nothing():
    assert text_query("", SYNONYMS) is None and text_query("   ", SYNONYMS) is None
    assert text_query("！？。", SYNONYMS) == {"match_none": {}}


# --- Audience ------------------------------------------------------------------------------


def test_the_audience_is_a_filter_of_the_query():
    assert audience_query(EVERYONE) is None
    assert query_of(search_body(SearchRequest(), EVERYONE)) == {"match_all": {}}
    agency = Audience(agency_paths=(COUNTY,))
    assert audience_query(agency) == {"prefix": {"agency_path": COUNTY}}
    body = search_body(SearchRequest(text="老人"), agency, synonyms={})
    assert body["query"]["bool"]["filter"] == [{"prefix": {"agency_path": COUNTY}}]
    assert body["query"]["bool"]["must"] == [text_query("老人", {})]


def test_an_organisation_sees_all_scope_its_regions_and_its_invitations():
    audience = Audience(organisation_ids=(7, 9), service_paths=(TOWNSHIP,))
    visible = audience_query(audience)["bool"]
    assert visible["minimum_should_match"] == 1
    scope_all, in_region, invited = visible["should"]
    assert scope_all == {"term": {"scope": "all"}}
    assert in_region["bool"]["filter"][0] == {"term": {"scope": "region"}}
    near = in_region["bool"]["filter"][1]["bool"]["should"]
    # A need in the township or below, or in the county or province above it.
    assert near == [
        {"prefix": {"region_path": TOWNSHIP}},
        {"terms": {"region_path": ["510000/", "510000/510100/", COUNTY, TOWNSHIP]}},
    ]
    assert invited == {"terms": {"invited": [7, 9]}}
    # An organisation with no service region still sees the all-scope and invited needs.
    bare = audience_query(Audience(organisation_ids=(7,)))["bool"]["should"]
    assert bare == [{"term": {"scope": "all"}}, {"terms": {"invited": [7]}}]


def test_staff_of_an_agency_that_is_also_a_member():
    both = audience_query(Audience(agency_paths=("a/",), organisation_ids=(3,)))["bool"]["should"]
    assert both[0] == {"prefix": {"agency_path": "a/"}} and len(both) == 3


def test_an_audience_that_may_see_nothing_never_asks_the_node():
    cluster = FakeCluster()
    backend = ElasticsearchBackend(prefix="t", client=cluster.client())
    results = backend.search(SearchRequest(text="老人"), Audience())
    assert results.ids == [] and results.total == 0 and results.facets == {f: {} for f in FACETS}
    assert cluster.requests == []


# --- Filters and facets -------------------------------------------------------------------


def test_filters_cut_the_hits_after_the_facets_are_counted():
    filters = Filters(category=("medical", "child_care"), urgency=("urgent",), region=COUNTY)
    body = search_body(SearchRequest(filters=filters), EVERYONE)
    assert body["post_filter"] == {
        "bool": {
            "filter": [
                {"terms": {"category": ["medical", "child_care"]}},
                {"terms": {"urgency": ["urgent"]}},
                {"prefix": {"region_path": COUNTY}},
            ]
        }
    }
    assert "post_filter" not in search_body(SearchRequest(), EVERYONE)


def test_each_facet_is_counted_with_every_other_filter():
    filters = Filters(category=("medical",), kind=("service",), budget=("lt1000",))
    aggs = facet_aggregations(filters)
    assert set(aggs) == set(FACETS)
    category, kind = {"terms": {"category": ["medical"]}}, {"terms": {"kind": ["service"]}}
    budget = {"range": {"budget": {"lt": 1000.0}}}
    assert aggs["category"]["filter"] == {"bool": {"filter": [kind, budget]}}
    assert aggs["kind"]["filter"] == {"bool": {"filter": [category, budget]}}
    assert aggs["budget"]["filter"] == {"bool": {"filter": [category, kind]}}
    assert aggs["urgency"]["filter"] == {"bool": {"filter": [category, kind, budget]}}
    assert aggs["category"]["aggs"]["values"]["terms"]["field"] == "category"
    assert aggs["category"]["aggs"]["values"]["terms"]["size"] >= 100  # every category, not the top 10
    assert facet_aggregations(Filters())["kind"]["filter"] == {"match_all": {}}


def test_the_region_facet_counts_the_children_of_the_chosen_region():
    assert facet_aggregations(Filters())["region"]["aggs"]["values"]["terms"]["field"] == "region_l1"
    chosen = facet_aggregations(Filters(region=COUNTY, kind=("service",)))["region"]
    # Its own filter applies: the children of the county, among the needs in it.
    assert chosen["filter"] == {
        "bool": {"filter": [{"terms": {"kind": ["service"]}}, {"prefix": {"region_path": COUNTY}}]}
    }
    assert chosen["aggs"]["values"]["terms"]["field"] == "region_l4"
    assert "region" not in facet_aggregations(Filters(region=TOWNSHIP))  # nothing below a township


def test_budget_bands_are_the_same_ranges_as_band_of():
    ranges = facet_aggregations(Filters())["budget"]["aggs"]["values"]["range"]
    assert ranges["field"] == "budget"
    assert [r["key"] for r in ranges["ranges"]] == [key for key, *_ in BUDGET_BANDS]
    for amount in ["0", "999.99", "1000", "4999.99", "5000", "20000", "49999.99", "50000", "9999999"]:
        value = Decimal(amount)
        inside = [r["key"] for r in ranges["ranges"] if r.get("from", -1) <= value < r.get("to", float("inf"))]
        assert inside == [band_of(value)]  # from inclusive, to exclusive, every amount in one band
    body = search_body(SearchRequest(filters=Filters(budget=("1000-5000", "ge50000"))), EVERYONE)
    assert body["post_filter"] == {
        "bool": {
            "should": [{"range": {"budget": {"gte": 1000.0, "lt": 5000.0}}}, {"range": {"budget": {"gte": 50000.0}}}],
            "minimum_should_match": 1,
        }
    }


def test_a_budget_band_that_does_not_exist_matches_nothing():
    body = search_body(SearchRequest(filters=Filters(budget=("lt1000", "bogus"))), EVERYONE)
    assert body["post_filter"] == {"range": {"budget": {"lt": 1000.0}}}
    body = search_body(SearchRequest(filters=Filters(budget=("bogus",))), EVERYONE)
    assert body["post_filter"] == {"match_none": {}}


def test_in_my_service_area_is_the_region_or_above_it():
    body = search_body(SearchRequest(filters=Filters(service_area=(COUNTY,))), EVERYONE)
    assert body["post_filter"] == {
        "bool": {
            "should": [
                {"prefix": {"region_path": COUNTY}},
                {"terms": {"region_path": ["510000/", "510000/510100/", COUNTY]}},
            ],
            "minimum_should_match": 1,
        }
    }


# --- Order and pages ------------------------------------------------------------------------


def test_sorts_fall_back_to_the_newest_then_the_id():
    sort = lambda s: search_body(SearchRequest(sort=s), EVERYONE)["sort"]  # noqa: E731
    assert sort("relevance") == [{"_score": "desc"}, {"published_at": "desc"}, {"id": "desc"}]
    assert sort("newest") == [{"published_at": "desc"}, {"id": "desc"}]
    assert sort("deadline") == [{"response_deadline": "asc"}, {"id": "desc"}]
    fit = search_body(SearchRequest(sort="fit", page=3), EVERYONE, fit=True)
    assert fit["sort"] == sort("relevance") and (fit["from"], fit["size"]) == (0, FIT_CANDIDATES)
    body = search_body(SearchRequest(), EVERYONE)
    assert body["track_total_hits"] is True and body["track_scores"] is True and body["_source"] is False


def test_pages():
    body = search_body(SearchRequest(page=3, per_page=20), EVERYONE)
    assert (body["from"], body["size"]) == (40, 20)
    assert (search_body(SearchRequest(page=0), EVERYONE)["from"]) == 0
    far = search_body(SearchRequest(page=MAX_WINDOW, per_page=20), EVERYONE)
    assert (far["from"], far["size"]) == (0, 0)  # past the window: the count and facets only


def test_results_from_a_response():
    response = {
        "hits": {"total": {"value": 42, "relation": "eq"}, "hits": [{"_id": "5", "_score": 12.0}, {"_id": "3"}]},
        "aggregations": {
            "category": {"doc_count": 42, "values": {"buckets": [{"key": "medical", "doc_count": 40}]}},
            "budget": {
                "doc_count": 42,
                "values": {
                    "buckets": [{"key": "lt1000", "to": 1000.0, "doc_count": 0}, {"key": "ge50000", "doc_count": 2}]
                },
            },
        },
    }
    results = results_from(response, SearchRequest(text="老人", page=2, per_page=2))
    assert results.ids == [5, 3] and results.scores == {5: 12.0, 3: 0.0} and results.total == 42
    assert results.facets["category"] == {"medical": 40}
    assert results.facets["budget"] == {"ge50000": 2}  # an empty band is not a facet value
    assert results.facets["region"] == {} and results.pages == 21
    assert results_from(response, SearchRequest()).scores == {5: 0.0, 3: 0.0}  # no text, no score


def test_fit_orders_the_candidates_and_keeps_relevance_between_equals():
    hits = [{"_id": str(i), "_score": float(10 - i)} for i in range(1, 7)]
    response = {"hits": {"total": {"value": 6}, "hits": hits}}
    fits = {4: 0.9, 2: 0.5, 6: 0.5}
    results = results_from(response, SearchRequest(text="x", sort="fit", per_page=3), fits=fits)
    assert results.ids == [4, 2, 6]
    page2 = results_from(response, SearchRequest(text="x", sort="fit", per_page=3, page=2), fits=fits)
    assert page2.ids == [1, 3, 5]


# --- Index, alias and rebuild (in-memory node) -----------------------------------------------


def doc(need_id: int, text: str = "独居老人助餐", **overrides) -> dict:
    published_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=need_id)
    return {
        "id": need_id,
        "title": text,
        "text": text,
        "tokens": " ".join(tokens(text)),
        "category": "elderly_care",
        "kind": "service",
        "urgency": "routine",
        "region_path": "510000/510100/510129/510129001/",
        "region_l1": "510000/",
        "region_l2": "510000/510100/",
        "region_l3": COUNTY,
        "region_l4": "510000/510100/510129/510129001/",
        "agency_path": "1/",
        "budget": Decimal("3600.00"),
        "response_deadline": published_at + timedelta(days=7),
        "published_at": published_at,
        "scope": "region",
        "invited": [],
        "qualifications": "",
    } | overrides


@pytest.fixture
def cluster():
    return FakeCluster()


@pytest.fixture
def backend(cluster, db):  # a search with text reads the synonym groups
    return ElasticsearchBackend(prefix="test", client=cluster.client())


def test_the_first_write_creates_the_index_behind_its_alias(cluster, backend):
    assert backend.search(SearchRequest(), EVERYONE).total == 0  # no index yet: nothing, not an error
    assert backend.index([doc(1), doc(2)]) == 2
    (name,) = cluster.indices
    assert name == "test-needs-" + "0" * 20 and cluster.aliases() == {name: {"test-needs"}}
    created = cluster.indices[name]["body"]
    assert created["mappings"] == MAPPINGS and created["settings"]["analysis"] == INDEX_SETTINGS["analysis"]
    assert set(cluster.indices[name]["docs"]) == {"1", "2"}
    bulk = next(r for r in cluster.requests if r[1] == "/_bulk")
    assert bulk[2][0] == {"index": {"_index": "test-needs", "_id": "1"}}  # through the alias
    backend.index([doc(3)])  # the index exists now: not created again
    assert len(cluster.indices) == 1 and len(cluster.indices[name]["docs"]) == 3


def test_remove_ignores_needs_not_in_the_index(cluster, backend):
    backend.remove([1])  # no index at all
    backend.index([doc(1), doc(2)])
    backend.remove([2, 99])
    (index,) = cluster.indices.values()
    assert set(index["docs"]) == {"1"}


def test_a_write_never_creates_an_index_named_like_the_alias(cluster, backend):
    backend.index([doc(1)])
    cluster.indices.clear()  # someone deleted the index under us
    backend._bulk([{"index": {"_index": "test-needs", "_id": "1"}}, source_of(doc(1))], ignore=(404,))
    assert cluster.indices == {}


def test_rebuild_swaps_the_alias_in_one_step_and_drops_the_old_index(cluster, backend):
    backend.index([doc(1, "旧的需求")])
    (old,) = cluster.indices
    seen_during = []

    def progress(done):
        # The old index answers until the new one is complete.
        assert cluster.aliases()[old] == {"test-needs"}
        seen_during.append((done, backend.search(SearchRequest(text="旧的"), EVERYONE).total))

    count = backend.rebuild((doc(i) for i in range(1, 6)), batch_size=2, progress=progress)
    assert count == 5
    assert seen_during == [(2, 1), (4, 1), (5, 1)]
    (new,) = cluster.indices
    assert new != old and new.startswith("test-needs-") and cluster.aliases() == {new: {"test-needs"}}
    swap = [r for r in cluster.requests if r[1] == "/_aliases"]
    assert swap[-1][2]["actions"] == [
        {"remove": {"index": old, "alias": "test-needs"}},
        {"add": {"index": new, "alias": "test-needs"}},
        {"remove": {"index": new, "alias": "test-needs-next"}},
    ]
    assert backend.search(SearchRequest(text="旧的"), EVERYONE).total == 0
    assert backend.search(SearchRequest(text="老人"), EVERYONE).total == 5


def test_a_write_during_a_rebuild_reaches_the_new_index(cluster, backend):
    backend.index([doc(1), doc(2)])

    def progress(done):
        if done == 1:
            backend.index([doc(2, "重病家庭康复护理")])  # edited while the rebuild runs
            backend.remove([1])  # taken off while the rebuild runs (already copied)

    backend.rebuild(iter([doc(1), doc(2)]), batch_size=1, progress=progress)
    (new,) = cluster.indices
    # The edit wins over the rebuild's older copy; a removal after its copy is kept too.
    assert cluster.indices[new]["docs"]["2"]["text"] == "重病家庭康复护理"
    assert set(cluster.indices[new]["docs"]) == {"2"}


def test_a_write_racing_the_swap_of_the_alias_reaches_the_new_index(cluster, backend):
    backend.index([doc(1)])
    (old,) = cluster.indices
    new = "test-needs-29990101000000000000"
    cluster.indices[new] = {"aliases": {"test-needs-next"}, "docs": {"1": source_of(doc(1))}, "body": {}}

    def swap_now(lines):  # the rebuild finishes between the writer's check and its write
        if next(iter(lines[0].values()))["_index"] == "test-needs-next":
            cluster.indices[old]["aliases"].clear()
            cluster.indices[new]["aliases"] = {"test-needs"}

    cluster.on_bulk = swap_now
    backend.index([doc(2)])
    backend.remove([1])
    assert set(cluster.indices[new]["docs"]) == {"2"}


def test_a_failed_rebuild_leaves_the_old_index_answering(cluster, backend):
    backend.index([doc(1)])
    (old,) = cluster.indices

    def documents():
        yield doc(1)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents(), batch_size=1)
    assert cluster.aliases() == {old: {"test-needs"}}
    assert backend.search(SearchRequest(), EVERYONE).total == 1


def test_a_rebuild_clears_indexes_left_by_a_failed_one(cluster, backend):
    cluster.indices["test-needs-20200101000000000000"] = {"aliases": set(), "docs": {}, "body": {}}
    cluster.indices["other-needs-20200101000000000000"] = {"aliases": set(), "docs": {}, "body": {}}
    backend.rebuild([doc(1)])
    assert sorted(cluster.indices)[0] == "other-needs-20200101000000000000"  # another prefix: not ours
    assert len(cluster.indices) == 2


def test_a_node_that_cannot_answer_is_search_unavailable(cluster, backend):
    cluster.down = True
    with pytest.raises(SearchUnavailable):
        backend.search(SearchRequest(text="老人"), EVERYONE)
    with pytest.raises(SearchUnavailable):
        backend.index([doc(1)])
    cluster.down, cluster.fail_with = False, (503, "no_shard_available_action_exception")
    with pytest.raises(SearchUnavailable):
        backend.search(SearchRequest(), EVERYONE)
    # A request the node refuses is a bug here, not an outage: it stays an error.
    from elasticsearch import BadRequestError

    cluster.fail_with = (400, "parsing_exception")
    with pytest.raises(BadRequestError):
        backend.search(SearchRequest(), EVERYONE)


def test_the_backend_is_chosen_by_the_setting(settings):
    from matching.backends import _backend

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.ELASTICSEARCH_INDEX_PREFIX = "safetynet-x"
    backend = ElasticsearchBackend()
    assert backend.name == "elasticsearch" and backend.alias == "safetynet-x-needs"
    settings.SEARCH_BACKEND = "elasticsearch"
    try:
        assert isinstance(get_backend(), ElasticsearchBackend)
    finally:
        _backend.cache_clear()  # not this test's node for the tests after it


# --- The same answers as the database ----------------------------------------------------------


@pytest.fixture
def wider(corpus, county_agency, caseworker, approver):
    """The corpus, and needs that reach the other rules: invited-only, at county level,
    a large budget, another category."""
    far_user = member_of("110101")
    far = far_user.memberships.get().organisation
    body = "51012919400101001"
    need = services.need_create(
        agency=county_agency,
        by=caseworker,
        data=card(scope=Scope.INVITED, title="孤寡老人助浴", summary="老人独居，需要每周助浴。"),
        beneficiary=person(id_number=body + resident_id_check_digit(body)),
        household=[],
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker, reason="另一需求")
    services.need_transition(need=need, action="approve", by=approver, reason="另一需求")
    services.need_invite(need=need, organisation=far, by=caseworker)
    services.need_transition(need=need, action="publish", by=approver)
    extra = {
        "invited": need,
        "housing": published(
            county_agency,
            caseworker,
            approver,
            title="危房改造后的安置",
            summary="独居老人的住房需要修缮。",
            category=Category.objects.get(code="housing"),
            region=Region.objects.get(code="510129"),
            budget=Decimal("60000"),
            kind="both",
        ),
    }
    # Publication order unlike the order of the ids, so that "newest" and the tie-breaks
    # are tested, not the ids.
    base = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for minutes, need_id in zip(
        [5, 1, 7, 3, 8, 2, 6, 4], sorted(n.pk for n in {**corpus, **extra}.values()), strict=True
    ):
        Need.objects.filter(pk=need_id).update(published_at=base + timedelta(minutes=minutes, microseconds=minutes))
    get_backend("database").rebuild(indexed_documents())
    return {**corpus, **extra, "far_user": far_user}


def indexed_documents() -> list[dict]:
    needs = (
        Need.objects.filter(state__in=INDEXED_STATES)
        .select_related("category", "region", "agency")
        .prefetch_related("invitations")
        .order_by("pk")
    )
    return [document_for(n) for n in needs]


TEXTS = [
    "",
    "独居老人",
    "空巢老人",
    "孤寡老人 助浴",
    "独居老人助餐",
    "老人",
    "课后照料",
    "康复护理 重病",
    "elderly",
    "MEAL Delivery",
    "meal-for-elderly",
    "老人和老人们",
    "潜水艇",
    "！？",
    "%00",
    "<script>",
]
FILTERS = [
    Filters(),
    Filters(category=("child_care",)),
    Filters(category=("elderly_care", "housing"), kind=("service",)),
    Filters(urgency=("urgent",)),
    Filters(region="510000/"),
    Filters(region=COUNTY),
    Filters(region=TOWNSHIP),
    Filters(budget=("5000-20000", "20000-50000")),
    Filters(budget=("1000-5000",), region=COUNTY, category=("elderly_care",)),
    Filters(budget=("bogus",), category=("nothing-like-it",)),
    Filters(service_area=(TOWNSHIP,)),
    Filters(service_area=("110000/",)),
]


def audiences(users) -> dict[str, Audience]:
    out = {"everything": EVERYONE, "nothing": Audience()}
    for name, user in users.items():
        out[name] = audience_for(user)
    return out


def same_answers(database, elastic, request, audience, *, fit=None):
    want = database.search(request, audience, fit=fit)
    got = elastic.search(request, audience, fit=fit)
    assert got.ids == want.ids, request
    assert got.scores == want.scores, request
    assert got.total == want.total, request
    assert got.facets == {f: dict(c) for f, c in want.facets.items()}, request


@pytest.fixture
def searchers(wider, approver):
    """The wider corpus, and what each kind of searcher may see of it."""
    users = {
        "agency": approver,
        "county member": member_of("510129"),
        "township member": member_of("510129002"),
        "far member": wider["far_user"],
    }
    return wider, audiences(users)


def test_the_same_answers_as_the_database_on_an_in_memory_node(searchers):
    _corpus, audience_map = searchers
    database = get_backend("database")
    elastic = ElasticsearchBackend(prefix="twin", client=FakeCluster().client())
    assert elastic.rebuild(indexed_documents()) == 8
    for text in TEXTS:
        for audience in audience_map.values():
            same_answers(database, elastic, SearchRequest(text=text, per_page=100), audience)
    for filters in FILTERS:
        for text in ("", "老人"):
            same_answers(database, elastic, SearchRequest(text=text, filters=filters, per_page=100), EVERYONE)
    for sort in ("relevance", "newest", "deadline"):
        for page in (1, 2, 3):
            request = SearchRequest(text="老人", sort=sort, page=page, per_page=3)
            same_answers(database, elastic, request, audience_map["agency"])
    fit = lambda ids: {i: i % 3 for i in ids}  # noqa: E731
    same_answers(database, elastic, SearchRequest(text="老人", sort="fit", per_page=4), EVERYONE, fit=fit)
    same_answers(database, elastic, SearchRequest(text="老人", sort="fit", per_page=4, page=2), EVERYONE, fit=fit)


# --- With a live node -------------------------------------------------------------------------


@pytest.fixture
def node(db, settings):  # a search with text reads the synonym groups
    """A backend on a throw-away index prefix of the live node, removed afterwards."""
    backend = ElasticsearchBackend(url=settings.ELASTICSEARCH_URL, prefix=f"safetynet-test-{uuid.uuid4().hex[:12]}")
    yield backend
    backend.drop()


# What needs say: Chinese, digits, full-width forms, punctuation, English and its stop words.
ANALYZED = [
    "低保边缘家庭",
    "岁",
    "3岁儿童",
    "CT检查",
    "ＣＴ检查１２次",
    "独居老人，助餐",
    "Meals for the elderly",
    "2型糖尿病",
    "高龄独居老人需要每日助餐服务。",
    "子女在外地，老人行动不便，需要送餐和探访。",
    "an s t www",
    "Daily hot meals for an elderly couple",
    "四川省成都市大邑县晋原街道",
    "！？。",
]


@pytest.mark.elasticsearch
@pytest.mark.parametrize("text", ANALYZED)
def test_the_cjk_analyzer_tokenises_as_matching_text(node, text):
    node.index([doc(1)])  # creates the index, with its analyzer
    analyzed = node.client.indices.analyze(index=node.alias, field="text", text=text)["tokens"]
    assert [t["token"] for t in analyzed] == tokens(text)
    if not any(w in STOP_WORDS for w in text.lower().split()):
        # A phrase is consecutive tokens on the database; here, consecutive positions.
        assert [t["position"] for t in analyzed] == list(range(len(analyzed)))


@pytest.mark.elasticsearch
def test_the_same_answers_as_the_database_on_a_live_node(searchers, node):
    _corpus, audience_map = searchers
    database = get_backend("database")
    assert node.rebuild(indexed_documents()) == 8
    for text in TEXTS:
        for audience in audience_map.values():
            same_answers(database, node, SearchRequest(text=text, per_page=100), audience)
        for filters in FILTERS:
            same_answers(database, node, SearchRequest(text=text, filters=filters, per_page=100), EVERYONE)
    for sort in ("relevance", "newest", "deadline"):
        for page in (1, 2, 3):
            same_answers(database, node, SearchRequest(text="老人", sort=sort, page=page, per_page=3), EVERYONE)
    fit = lambda ids: {i: i % 3 for i in ids}  # noqa: E731
    same_answers(database, node, SearchRequest(text="老人", sort="fit", per_page=4), EVERYONE, fit=fit)


@pytest.mark.elasticsearch
def test_index_and_remove_through_the_alias_on_a_live_node(node):
    assert node.search(SearchRequest(), EVERYONE).total == 0  # no index yet
    node.index([doc(1), doc(2, "困境儿童课后照料")])
    node.client.indices.refresh(index=node.alias)
    assert node.search(SearchRequest(text="课后照料"), EVERYONE).ids == [2]
    node.remove([2, 404])
    node.client.indices.refresh(index=node.alias)
    assert node.search(SearchRequest(), EVERYONE).ids == [1]
    assert list(node.client.indices.get_alias(name=node.alias).body) == node._managed_indices()


@pytest.mark.elasticsearch
def test_a_rebuild_on_a_live_node_never_leaves_searches_without_an_index(node):
    node.rebuild([doc(1, "旧的需求")])
    (old,) = node._managed_indices()
    during = []

    def progress(done):
        during.append(node.search(SearchRequest(text="旧的"), EVERYONE).ids)
        if done == 2:
            node.index([doc(3, "重病家庭康复护理")])  # a write while the rebuild runs

    assert node.rebuild((doc(i) for i in range(1, 6)), batch_size=2, progress=progress) == 5
    assert during == [[1], [1], [1]]
    (new,) = node._managed_indices()
    assert new != old and list(node.client.indices.get_alias(name=node.alias).body) == [new]
    assert not node.client.indices.exists_alias(name=node.next_alias)
    assert node.search(SearchRequest(text="旧的"), EVERYONE).ids == []
    assert node.search(SearchRequest(text="康复护理"), EVERYONE).ids == [3]
    assert node.search(SearchRequest(), EVERYONE).total == 5
