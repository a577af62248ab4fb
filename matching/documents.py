"""What the search index holds of a need: its anonymised card, never the person."""

from __future__ import annotations

from needs.models import Need, NeedInvitation, NeedState

# The states in which a need is searched for: open to organisations.
INDEXED_STATES = (NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN)


def is_indexed(need: Need) -> bool:
    return need.state in INDEXED_STATES


def _text_parts(reads: dict) -> list[str]:
    """The card's words, a line each when given: title, summary, the category in both
    languages, area and qualifications (kind and urgency are facets, not words)."""
    return [
        reads["title"],
        reads["summary"],
        reads["category__name_zh"],
        reads["category__name_en"],
        reads["region__full_name"],
        reads["qualifications"],
    ]


# What ``document_for`` reads of a need and its relations (and no more: the rebuild loads
# every published need).
DOCUMENT_READS = (
    "id",
    "title",
    "summary",
    "qualifications",
    "kind",
    "urgency",
    "budget",
    "response_deadline",
    "published_at",
    "scope",
    "state",
    "category__code",
    "category__name_zh",
    "category__name_en",
    "region__path",
    "region__full_name",
    "agency__path",
)


def indexable(needs):
    """``needs`` (a queryset) loaded as ``document_for`` reads them."""
    from django.db.models import Prefetch

    invitations = Prefetch("invitations", queryset=NeedInvitation.objects.only("id", "need_id", "organisation_id"))
    return needs.select_related("category", "region", "agency").only(*DOCUMENT_READS).prefetch_related(invitations)


def region_levels(path: str) -> list[str]:
    """ "51/5101/510129/510129001/" → the path at each level, province first."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def document_for(need: Need) -> dict:
    """The fields both backends index. ``need`` has its category, region and agency loaded."""
    return document_from(_reads(need), sorted(i.organisation_id for i in need.invitations.all()))


def _reads(need: Need) -> dict:
    """The need as ``DOCUMENT_READS`` names its values (as ``values()`` gives them)."""
    reads = {}
    for name in DOCUMENT_READS:
        value = need
        for attribute in name.split("__"):
            value = getattr(value, "pk" if attribute == "id" else attribute)
        reads[name] = value
    return reads


def document_from(reads: dict, invited: list[int]) -> dict:
    """The document of a need read as ``DOCUMENT_READS`` (a need, or a row of ``values()``)
    and the ids of the organisations invited to it."""
    from matching.text import token_string

    levels = [*region_levels(reads["region__path"]), "", "", "", ""][:4]
    parts = _text_parts(reads)
    # Tokens never cross a line: the card's are its title's, then the rest's.
    title_tokens = token_string(reads["title"])
    rest = token_string("\n".join(p for p in parts[1:] if p))
    return {
        "id": reads["id"],
        "title": reads["title"],
        "text": "\n".join(p for p in parts if p),
        "tokens": f"{title_tokens} {rest}" if title_tokens and rest else title_tokens or rest,
        "title_tokens": title_tokens,  # ``tokens`` opens with them
        "category": reads["category__code"],
        "kind": reads["kind"],
        "urgency": reads["urgency"],
        "region_path": reads["region__path"],
        "region_l1": levels[0],
        "region_l2": levels[1],
        "region_l3": levels[2],
        "region_l4": levels[3],
        "agency_path": reads["agency__path"],
        "budget": reads["budget"],
        "response_deadline": reads["response_deadline"],
        "published_at": reads["published_at"],
        "scope": reads["scope"],
        "invited": invited,
        "qualifications": reads["qualifications"],
    }


def documents_of(needs, *, chunk_size: int = 2000, read_ahead: bool = False):
    """The documents of ``needs`` (a queryset), in its order, read as rows rather than
    models (the rebuild reads every published need: building a model and its related
    ones costs more than the document), with their invitations a query per chunk.

    ``read_ahead`` reads the rows on a second thread and its own connection, a chunk
    ahead, so that reading does not wait for the connection (and the rebuild's writes on
    it); only outside a transaction, whose uncommitted rows that connection would not see."""
    chunks = _read_ahead(needs, chunk_size) if read_ahead else _chunks(needs, chunk_size)
    for chunk, invited in chunks:
        for reads in chunk:
            yield document_from(reads, invited.get(reads["id"], []))


def _chunks(needs, chunk_size: int):
    """The rows of ``needs`` a chunk at a time, each with its invitations by need."""
    import itertools

    rows = needs.values(*DOCUMENT_READS).iterator(chunk_size=chunk_size)
    for chunk in itertools.batched(rows, chunk_size, strict=False):
        invited: dict[int, list[int]] = {}
        pairs = NeedInvitation.objects.filter(need_id__in=[r["id"] for r in chunk]).order_by("organisation_id")
        for need_id, organisation_id in pairs.values_list("need_id", "organisation_id"):
            invited.setdefault(need_id, []).append(organisation_id)
        yield chunk, invited


def _read_ahead(needs, chunk_size: int):
    import queue
    import threading

    from django.db import connection

    chunks: queue.Queue = queue.Queue(maxsize=2)
    done = object()
    stop = threading.Event()

    def offer(item) -> bool:
        """Queue ``item`` unless the documents are no longer wanted (then False)."""
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in _chunks(needs, chunk_size):
                if not offer(chunk):
                    return
            offer(done)
        except BaseException as error:  # raised again where the documents are read
            offer(error)
        finally:
            connection.close()  # this thread's

    reader = threading.Thread(target=read, name="search-rebuild-read", daemon=True)
    reader.start()
    try:
        while (chunk := chunks.get()) is not done:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
    finally:
        stop.set()
        reader.join()
