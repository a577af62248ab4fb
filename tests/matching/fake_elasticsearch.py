"""An Elasticsearch node in memory, for the tests that cannot reach a real one.

It sits under the real ``elasticsearch`` client (as its transport's node class), so every
request the backend makes goes through the client's own serialisation and URLs. It keeps
indexes and aliases, and evaluates the part of the query language the backend speaks,
with ``matching.text.tokens`` standing in for the ``cjk`` analyzer (the live tests check
that the two agree). Its scoring, facets and order follow Elasticsearch's rules:

- ``bool``: every ``must`` and ``filter``; ``should`` is optional beside them unless
  ``minimum_should_match`` says otherwise, and alone at least one must match; the score is
  the sum of the ``must`` and ``should`` scores. ``constant_score`` scores its boost,
  ``match_all`` 1.
- ``match`` counts each token of the query (a repeated token twice) towards
  ``minimum_should_match``; ``match_phrase`` needs the tokens at consecutive positions.
- ``post_filter`` cuts the hits after the aggregations are counted.
"""

from __future__ import annotations

import fnmatch
import json
import operator
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from matching.text import tokens


class FakeCluster:
    def __init__(self):
        self.indices: dict[str, dict] = {}  # name → {"aliases": set, "docs": {id: source}, "body": create body}
        self.requests: list[tuple[str, str, object]] = []  # method, path, parsed body
        self.down = False  # every request fails to connect
        self.fail_with: tuple[int, str] | None = None  # every request answers this status and error type
        self.on_bulk = None  # called before each bulk request is applied

    def client(self) -> Elasticsearch:
        cluster = self

        class Node(BaseNode):
            def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
                if cluster.down:
                    raise TransportConnectionError("Connection refused")
                status, payload = cluster.handle(method, target, body)
                meta = ApiResponseMeta(
                    status,
                    "1.1",
                    HttpHeaders({"content-type": "application/json", "x-elastic-product": "Elasticsearch"}),
                    0.0,
                    self.config,
                )
                return NodeApiResponse(meta, b"" if method == "HEAD" else json.dumps(payload).encode())

        return Elasticsearch("http://fake-node:9200", node_class=Node, max_retries=0)

    # --- Routing -------------------------------------------------------------------------

    def handle(self, method: str, target: str, raw: bytes | None) -> tuple[int, object]:
        url = urlsplit(target)
        path = url.path.strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if raw and path[-1] == "_bulk":
            body = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
        else:
            body = json.loads(raw) if raw else None
        self.requests.append((method, "/" + "/".join(path), body))
        if self.fail_with:
            return self._error(*self.fail_with)
        match method, path:
            case "HEAD", ["_alias", name]:
                return (200 if self._alias_members(name) else 404), None
            case "GET", ["_alias", name]:
                members = self._alias_members(name)
                if not members:
                    return self._error(404, "aliases_not_found_exception")
                return 200, {i: {"aliases": {name: {}}} for i in members}
            case "PUT", ["_bulk"]:
                return 200, self._bulk(body, require_alias=query.get("require_alias") == "true")
            case "POST", ["_aliases"]:
                return self._update_aliases(body["actions"])
            case "PUT", [name]:
                return self._create(name, body or {})
            case "GET", [pattern]:
                return 200, {i: {} for i in self._resolve(pattern)}
            case "DELETE", [name]:
                if name not in self.indices and query.get("ignore_unavailable") != "true":
                    return self._error(404, "index_not_found_exception")
                self.indices.pop(name, None)
                return 200, {"acknowledged": True}
            case ("PUT", [name, "_settings"]) | ("POST", [name, "_refresh"]):
                return 200, {"acknowledged": True}
            case "POST", [name, "_search"]:
                members = self._resolve(name)
                if not members:
                    return self._error(404, "index_not_found_exception")
                docs = [d for i in members for d in self.indices[i]["docs"].values()]
                return 200, search(docs, body)
        raise AssertionError(f"the fake node has no route for {method} {target}")

    def _error(self, status: int, kind: str) -> tuple[int, dict]:
        return status, {"error": {"type": kind, "reason": kind, "root_cause": [{"type": kind, "reason": kind}]}}

    # --- Indexes and aliases -----------------------------------------------------------

    def aliases(self) -> dict[str, set[str]]:
        return {name: set(index["aliases"]) for name, index in self.indices.items()}

    def _alias_members(self, alias: str) -> list[str]:
        return sorted(i for i, index in self.indices.items() if alias in index["aliases"])

    def _resolve(self, pattern: str) -> list[str]:
        """Index names matching a name, alias or wildcard, as Elasticsearch resolves them."""
        out = {i for i in self.indices if fnmatch.fnmatchcase(i, pattern)}
        for i, index in self.indices.items():
            if any(fnmatch.fnmatchcase(a, pattern) for a in index["aliases"]):
                out.add(i)
        return sorted(out)

    def _create(self, name: str, body: dict) -> tuple[int, object]:
        if name in self.indices or self._alias_members(name):
            return self._error(400, "resource_already_exists_exception")
        self.indices[name] = {"aliases": set(body.get("aliases", {})), "docs": {}, "body": body}
        return 200, {"acknowledged": True, "index": name}

    def _update_aliases(self, actions: list[dict]) -> tuple[int, object]:
        for action in actions:  # all or nothing: check every action first
            ((kind, spec),) = action.items()
            if spec["index"] not in self.indices:
                return self._error(404, "index_not_found_exception")
            if kind == "remove" and spec["alias"] not in self.indices[spec["index"]]["aliases"]:
                return self._error(404, "aliases_not_found_exception")
        for action in actions:
            ((kind, spec),) = action.items()
            aliases = self.indices[spec["index"]]["aliases"]
            aliases.add(spec["alias"]) if kind == "add" else aliases.discard(spec["alias"])
        return 200, {"acknowledged": True}

    def _bulk(self, lines: list[dict], *, require_alias: bool) -> dict:
        if self.on_bulk:
            self.on_bulk(lines)
        items, i = [], 0
        while i < len(lines):
            ((op, meta),) = lines[i].items()
            source = lines[i + 1] if op != "delete" else None
            i += 1 if op == "delete" else 2
            items.append({op: self._write(op, meta["_index"], meta["_id"], source, require_alias)})
        return {"errors": any(v["status"] >= 300 for item in items for v in item.values()), "items": items}

    def _write(self, op: str, target: str, doc_id: str, source: dict | None, require_alias: bool) -> dict:
        members = self._alias_members(target)
        if require_alias and not members:
            return {"status": 404, "error": {"type": "index_not_found_exception", "reason": f"{target} is no alias"}}
        if not members and target in self.indices:
            members = [target]
        if not members:
            if op == "delete":
                return {"status": 404, "error": {"type": "index_not_found_exception"}}
            self._create(target, {})  # as Elasticsearch does: auto-create, with a dynamic mapping
            members = [target]
        assert len(members) == 1, "a write through an alias needs exactly one index behind it"
        docs = self.indices[members[0]]["docs"]
        if op == "delete":
            return {"status": 200 if docs.pop(doc_id, None) else 404, "_index": members[0]}
        if op == "create" and doc_id in docs:
            return {"status": 409, "error": {"type": "version_conflict_engine_exception"}}
        docs[doc_id] = source
        return {"status": 201, "_index": members[0]}


# --- Searching --------------------------------------------------------------------------


def search(docs: list[dict], body: dict) -> dict:
    scored = []
    for doc in docs:
        score = evaluate(body.get("query", {"match_all": {}}), doc)
        if score is not None:
            scored.append((doc, score))
    aggregations = {name: aggregate(spec, [d for d, _s in scored]) for name, spec in body.get("aggs", {}).items()}
    if "post_filter" in body:
        scored = [(d, s) for d, s in scored if evaluate(body["post_filter"], d) is not None]
    for clause in reversed(body.get("sort", [{"_score": "desc"}])):  # stable sorts, last key first
        ((field, order),) = clause.items()
        scored.sort(key=lambda ds, f=field: ds[1] if f == "_score" else _sortable(f, ds[0][f]), reverse=order == "desc")
    start, size = body.get("from", 0), body.get("size", 10)
    hits = [{"_id": str(d["id"]), "_score": s} for d, s in scored[start : start + size]]
    out = {"hits": {"total": {"value": len(scored), "relation": "eq"}, "hits": hits}}
    if aggregations:
        out["aggregations"] = aggregations
    return out


def evaluate(query: dict, doc: dict) -> float | None:
    """The query's score for the document, None when it does not match."""
    ((kind, spec),) = query.items()
    match kind:
        case "match_all":
            return 1.0
        case "match_none":
            return None
        case "bool":
            score = 0.0
            for clause in spec.get("must", []):
                s = evaluate(clause, doc)
                if s is None:
                    return None
                score += s
            if any(evaluate(clause, doc) is None for clause in spec.get("filter", [])):
                return None
            should = [evaluate(clause, doc) for clause in spec.get("should", [])]
            alone = not spec.get("must") and not spec.get("filter")
            needed = spec.get("minimum_should_match", 1 if should and alone else 0)
            if sum(s is not None for s in should) < needed:
                return None
            return score + sum(s for s in should if s is not None)
        case "constant_score":
            return None if evaluate(spec["filter"], doc) is None else float(spec.get("boost", 1.0))
        case "term":
            ((field, value),) = spec.items()
            return 1.0 if value in _values(doc, field) else None
        case "terms":
            ((field, values),) = spec.items()
            return 1.0 if set(values) & set(_values(doc, field)) else None
        case "prefix":
            ((field, value),) = spec.items()
            return 1.0 if any(str(v).startswith(value) for v in _values(doc, field)) else None
        case "range":
            ((field, bounds),) = spec.items()
            value = Decimal(doc[field])
            return 1.0 if all(_COMPARE[op](value, Decimal(str(b))) for op, b in bounds.items()) else None
        case "match":
            ((field, options),) = spec.items()
            wanted, have = tokens(options["query"]), set(tokens(doc[field]))
            hits = sum(t in have for t in wanted)
            if options.get("operator") == "and":
                return 1.0 if wanted and hits == len(wanted) else None
            return 1.0 if wanted and hits >= max(1, int(options.get("minimum_should_match", 1))) else None
        case "match_phrase":
            ((field, options),) = spec.items()
            wanted, have = tokens(options["query"]), tokens(doc[field])
            n = len(wanted)
            return 1.0 if any(have[i : i + n] == wanted for i in range(len(have) - n + 1)) else None
    raise AssertionError(f"the fake node does not know the {kind} query")


def aggregate(spec: dict, docs: list[dict]) -> dict:
    if "filter" in spec:
        inside = [d for d in docs if evaluate(spec["filter"], d) is not None]
        return {"doc_count": len(inside)} | {n: aggregate(s, inside) for n, s in spec.get("aggs", {}).items()}
    if "terms" in spec:
        field, size = spec["terms"]["field"], spec["terms"].get("size", 10)
        counts: dict = {}
        for doc in docs:
            for value in _values(doc, field):
                counts[value] = counts.get(value, 0) + 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        return {"buckets": [{"key": k, "doc_count": n} for k, n in ordered]}
    if "range" in spec:
        field, buckets = spec["range"]["field"], []
        for r in spec["range"]["ranges"]:
            low = Decimal(str(r["from"])) if "from" in r else None
            high = Decimal(str(r["to"])) if "to" in r else None
            n = sum(
                (low is None or Decimal(d[field]) >= low) and (high is None or Decimal(d[field]) < high) for d in docs
            )
            buckets.append({**r, "doc_count": n})
        return {"buckets": buckets}
    raise AssertionError(f"the fake node does not know the aggregation {spec}")


_COMPARE = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


def _values(doc: dict, field: str) -> list:
    value = doc.get(field)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _sortable(field: str, value):
    if field in {"published_at", "response_deadline"}:
        return datetime.fromisoformat(value)
    return value
