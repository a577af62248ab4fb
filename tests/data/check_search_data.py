"""Checks the labelled relevance set in this folder; pure Python, no Django.

Run from anywhere: ``python tests/data/check_search_data.py``. It prints the counts and exits
non-zero with one line per problem if any file breaks a rule that README.md states.
"""

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGION_DATA = HERE.parent.parent / "platform" / "regions" / "data"

CATEGORIES = {
    "basic_living",
    "medical",
    "education",
    "housing",
    "employment",
    "elderly_care",
    "disability",
    "child_care",
    "psychological",
    "emergency",
    "other",
}
NEED_KINDS = {"material", "service", "both"}
URGENCIES = {"emergency", "urgent", "routine"}
QUERY_KINDS = {"exact", "synonym", "english", "mixed", "multiword"}
FIELDS = ["key", "title", "summary", "category", "kind", "urgency", "region", "budget", "qualifications"]

# A resident ID number is 17 digits and a digit or X; a mainland mobile number is 11 digits from 13x–19x.
# Any run of 11 or more digits is refused outright, so neither can hide in a longer number.
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LONG_DIGITS = re.compile(r"\d{11,}")
BUDGET = re.compile(r"^\d{1,9}\.\d{2}$")

MIN = {"needs": 150, "max_needs": 250, "queries": 200, "english": 20, "synonym": 30, "boundaries": 10}


def load(name):
    with open(HERE / name, encoding="utf-8") as f:
        return json.load(f)


def region_codes():
    codes = set()
    for name in ("divisions.csv", "townships.csv"):
        with open(REGION_DATA / name, encoding="utf-8", newline="") as f:
            codes |= {row["code"] for row in csv.DictReader(f)}
    return codes


def is_english(text):
    return not re.search(r"[\u4e00-\u9fff]", text)


def contains(term, text):
    """Latin terms match as whole words, ignoring case; Chinese terms as substrings."""
    if term.isascii():
        return re.search(r"(?<![A-Za-z])" + re.escape(term) + r"(?![A-Za-z])", text, re.IGNORECASE) is not None
    return term.lower() in text.lower()


def main():
    problems = []
    corpus = load("search_corpus.json")
    queries = load("search_queries.json")
    boundaries = load("search_boundaries.json")
    groups = load("synonyms.json")

    # ---- synonyms -------------------------------------------------------------------------------------
    group_of = {}
    for g in groups:
        if not isinstance(g, list) or len(g) < 2 or not all(isinstance(t, str) and t.strip() == t and t for t in g):
            problems.append(f"synonyms: a group needs two or more non-empty terms: {g!r}")
            continue
        for t in g:
            if t in group_of:
                problems.append(f"synonyms: {t} is in more than one group")
            group_of[t] = g

    def alternatives(part):
        return set(group_of.get(part, [])) | {part}

    # ---- corpus ---------------------------------------------------------------------------------------
    regions = region_codes()
    keys = Counter(d.get("key") for d in corpus)
    for k, n in keys.items():
        if n > 1:
            problems.append(f"corpus: duplicate key {k}")
    titles = Counter(d.get("title") for d in corpus)
    for t, n in titles.items():
        if n > 1:
            problems.append(f"corpus: duplicate title {t}")
    need = {d.get("key"): d for d in corpus}
    for d in corpus:
        k = d.get("key")
        if list(d) != FIELDS:
            problems.append(f"{k}: fields must be exactly {FIELDS}")
            continue
        if not re.fullmatch(r"n\d{3}", k):
            problems.append(f"{k}: key must look like n001")
        if not 1 <= len(d["title"]) <= 30:
            problems.append(f"{k}: title has {len(d['title'])} characters (1–30)")
        if not 40 <= len(d["summary"]) <= 200:
            problems.append(f"{k}: summary has {len(d['summary'])} characters (40–200)")
        if d["category"] not in CATEGORIES:
            problems.append(f"{k}: unknown category {d['category']}")
        if d["kind"] not in NEED_KINDS:
            problems.append(f"{k}: unknown kind {d['kind']}")
        if d["urgency"] not in URGENCIES:
            problems.append(f"{k}: unknown urgency {d['urgency']}")
        if not re.fullmatch(r"\d{6}|\d{9}", d["region"]) or d["region"] not in regions:
            problems.append(f"{k}: region {d['region']} is not in platform/regions/data")
        if not isinstance(d["budget"], str) or not BUDGET.match(d["budget"]):
            problems.append(f"{k}: budget must be a string like '3600.00'")
        if not isinstance(d["qualifications"], str):
            problems.append(f"{k}: qualifications must be a string")
        for field in ("title", "summary", "qualifications"):
            text = d[field]
            if ID_NUMBER.search(text) or MOBILE.search(text) or LONG_DIGITS.search(text):
                problems.append(f"{k}: {field} holds something like an ID or phone number")

    english_needs = [d for d in corpus if is_english(d["title"] + d["summary"])]

    # ---- queries --------------------------------------------------------------------------------------
    seen = Counter(q.get("query") for q in queries)
    for text, n in seen.items():
        if n > 1:
            problems.append(f"queries: {text!r} appears {n} times")
    for q in queries:
        text, kind, relevant = q.get("query"), q.get("kind"), q.get("relevant")
        where = f"query {text!r}"
        if set(q) - {"query", "relevant", "kind", "note"} or not isinstance(relevant, list):
            problems.append(f"{where}: keys are query, relevant, kind and an optional note")
            continue
        if kind not in QUERY_KINDS:
            problems.append(f"{where}: unknown kind {kind}")
        if not relevant:
            problems.append(f"{where}: no relevant need")
        if len(set(relevant)) != len(relevant):
            problems.append(f"{where}: a key is listed twice")
        missing = [k for k in relevant if k not in need]
        if missing:
            problems.append(f"{where}: unknown keys {missing}")
            continue
        parts = text.split()
        if kind == "multiword" and len(parts) < 2:
            problems.append(f"{where}: a multiword query has two or more words")
        if kind == "english" and not is_english(text):
            problems.append(f"{where}: an English query has no Chinese characters")
        # Mixed: Chinese with Latin letters or digits, or a Latin abbreviation (CT, ICU) sought in Chinese needs.
        chinese_targets = all(not is_english(need[k]["title"] + need[k]["summary"]) for k in relevant)
        if kind == "mixed" and not (re.search(r"[A-Za-z0-9]", text) and (not text.isascii() or chinese_targets)):
            problems.append(f"{where}: a mixed query has Latin letters or digits and Chinese text or targets")
        for k in relevant:
            body = need[k]["title"] + "\n" + need[k]["summary"]
            # Reachable: every word of the query, or a synonym of it, is in the need's title or summary.
            for part in parts:
                if not any(contains(t, body) for t in alternatives(part)):
                    problems.append(f"{where}: {k} has neither {part} nor a synonym of it")
            if kind == "synonym":
                if text not in group_of:
                    problems.append(f"{where}: a synonym query must be a term of synonyms.json")
                if contains(text, body):
                    problems.append(f"{where}: {k} contains the query word itself")
        literal = [k for k in relevant if contains(text, need[k]["title"] + "\n" + need[k]["summary"])]
        if kind in ("exact", "mixed", "english") and not literal:
            problems.append(f"{where}: no relevant need holds the query itself; is it a synonym query?")
        if kind == "synonym" and len(parts) != 1:
            problems.append(f"{where}: a synonym query is one term")

    # ---- boundaries -----------------------------------------------------------------------------------
    labelled = {q["query"]: set(q["relevant"]) for q in queries if isinstance(q.get("relevant"), list)}
    for b in boundaries:
        text, real, accidental = b.get("query"), b.get("real", []), b.get("accidental", [])
        where = f"boundary {text!r}"
        if not real or not accidental:
            problems.append(f"{where}: needs at least one real and one accidental need")
        if set(real) & set(accidental):
            problems.append(f"{where}: a need is both real and accidental")
        for k in real + accidental:
            if k not in need:
                problems.append(f"{where}: unknown key {k}")
        for k in real:
            if k in need and text not in need[k]["title"] + need[k]["summary"]:
                problems.append(f"{where}: real need {k} does not contain the word")
        for k in accidental:
            if k not in need:
                continue
            d = need[k]
            if d["summary"].count(text) != 1 or text in d["title"]:
                problems.append(f"{where}: accidental need {k} must hold the characters once, in the summary only")
            for t in alternatives(text) - {text}:
                if contains(t, d["title"] + d["summary"]):
                    problems.append(f"{where}: accidental need {k} contains the synonym {t}")
            if k in labelled.get(text, set()):
                problems.append(f"{where}: accidental need {k} is labelled relevant for the same query")

    # ---- counts ---------------------------------------------------------------------------------------
    kinds = Counter(q.get("kind") for q in queries)
    if not MIN["needs"] <= len(corpus) <= MIN["max_needs"]:
        problems.append(f"counts: {len(corpus)} needs (150–250)")
    if len(queries) < MIN["queries"]:
        problems.append(f"counts: {len(queries)} queries (at least 200)")
    if kinds["english"] < MIN["english"]:
        problems.append(f"counts: {kinds['english']} English queries (at least 20)")
    if kinds["synonym"] < MIN["synonym"]:
        problems.append(f"counts: {kinds['synonym']} synonym queries (at least 30)")
    if len(boundaries) < MIN["boundaries"]:
        problems.append(f"counts: {len(boundaries)} boundary cases (at least 10)")
    if not 0.08 <= len(english_needs) / max(len(corpus), 1) <= 0.15:
        problems.append(f"counts: {len(english_needs)} English needs, not about 10% of the corpus")

    print(
        f"needs {len(corpus)} (English {len(english_needs)}), queries {len(queries)} "
        f"({', '.join(f'{k} {kinds[k]}' for k in sorted(kinds))}), boundary cases {len(boundaries)}, "
        f"synonym groups {len(groups)}"
    )
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
