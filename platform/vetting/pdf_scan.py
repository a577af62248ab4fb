"""Active content in a PDF: what a reader would run, launch or unpack when the file is opened.

An uploaded PDF is read by vetting officers in the browser and by auditors, agencies and
charities in whatever reader is on their desk. A document needs none of these, so a PDF
that has any of them is refused (ISO 32000-1 §12.6 actions, §12.6.3 trigger events,
§7.11.4 embedded files, §12.7.8 XFA forms):

- JavaScript: a ``/JS`` entry, an action of type ``/JavaScript``, the ``/JavaScript`` name tree;
- an ``/OpenAction`` that is an action (a destination, "open at page 1, fit width", is not one);
- ``/AA`` additional actions anywhere: catalogue, page, annotation or form field;
- an action of type ``/Launch`` (start a program or open a file);
- embedded files: the ``/EmbeddedFiles`` name tree, a file specification with ``/EF``, an
  ``/EmbeddedFile`` stream, a ``/FileAttachment`` annotation;
- XFA: an ``/XFA`` entry (the form of an ``/AcroForm``).

pypdf parses the file (object streams, cross-reference streams and ``#xx`` escapes in names
are decoded by it, so ``/J#61vaScript`` is ``/JavaScript`` here as for a reader). The walk
starts at the trailer and also takes every object the cross-reference lists, reachable or
not, so nothing is hidden by leaving it out of the tree. It is a loop over a stack, not a
recursion; each indirect object is visited once, which ends reference cycles, and it gives
up after ``MAX_OBJECTS``. The file's size is already bounded by the upload check.

This module knows no Django: it names what it found, and the caller words the refusal.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import IO

from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

# A 300-page scanned report has a few thousand objects; a real document with a hundred
# times that is far more likely built to make the walk slow.
MAX_OBJECTS = 250_000


class Finding(StrEnum):
    JAVASCRIPT = "javascript"
    OPEN_ACTION = "open_action"
    ADDITIONAL_ACTIONS = "additional_actions"
    LAUNCH = "launch"
    EMBEDDED_FILE = "embedded_file"
    XFA = "xfa"
    ENCRYPTED = "encrypted"  # a password is needed to read it, so it cannot be checked
    TOO_COMPLEX = "too_complex"
    UNREADABLE = "unreadable"


# Keys whose mere presence is the finding.
_KEYS: dict[str, Finding] = {
    "/JS": Finding.JAVASCRIPT,
    "/JavaScript": Finding.JAVASCRIPT,  # the document's name tree of scripts
    "/AA": Finding.ADDITIONAL_ACTIONS,
    "/EmbeddedFiles": Finding.EMBEDDED_FILE,
    "/EF": Finding.EMBEDDED_FILE,
    "/XFA": Finding.XFA,
}
# Values of /S (action type), /Type and /Subtype that are the finding.
_ACTION_TYPES: dict[str, Finding] = {
    "/JavaScript": Finding.JAVASCRIPT,
    "/Launch": Finding.LAUNCH,
}
_OBJECT_TYPES: dict[str, Finding] = {
    "/EmbeddedFile": Finding.EMBEDDED_FILE,
    "/FileAttachment": Finding.EMBEDDED_FILE,
}

# pypdf logs every repair it makes to a damaged file; a hostile upload would fill the log.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_scan(stream: IO[bytes]) -> Finding | None:
    """What makes this PDF unsafe to open, or None when it has no active content.

    Reads the whole stream (which must be seekable) and leaves its position anywhere.
    Never raises for the file's content: a file pypdf cannot read is ``UNREADABLE``.
    """
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            # Opened without a password ("no printing" only) the file is read and checked;
            # one that needs a password cannot be, so it is refused.
            return Finding.ENCRYPTED
        # A document has a catalogue and a page tree that ends (pypdf refuses a cycle in it).
        if not isinstance(_resolved(reader.trailer, "/Root"), DictionaryObject) or len(reader.pages) == 0:
            return Finding.UNREADABLE
        return _walk(reader)
    except Exception:
        # pypdf reports a broken file as PdfReadError, ValueError, KeyError, TypeError,
        # RecursionError (nesting), a missing AES backend and more: all mean "not checked".
        return Finding.UNREADABLE


def _walk(reader: PdfReader) -> Finding | None:
    # Every object the cross-reference lists, then the trailer on top: the tree from the
    # catalogue down is walked first, so a refusal names what a reader meets first.
    stack: list[PdfObject] = [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.append(reader.trailer)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item: PdfObject | None = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            return Finding.TOO_COMPLEX
        if isinstance(item, DictionaryObject):  # a stream is one too: its dictionary
            finding = _finding_in(item)
            if finding is not None:
                return finding
            # dict.values, not the pypdf accessors: they resolve references, and the
            # references are what ``seen`` must see to stop a cycle.
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))
    return None


def _finding_in(dictionary: DictionaryObject) -> Finding | None:
    for key in dict.keys(dictionary):
        if key in _KEYS:
            return _KEYS[key]
    for key, table in (("/S", _ACTION_TYPES), ("/Type", _OBJECT_TYPES), ("/Subtype", _OBJECT_TYPES)):
        value = _resolved(dictionary, key)
        if isinstance(value, NameObject) and value in table:
            return table[value]
    # A destination array only says which page to show first; an action dictionary acts.
    if isinstance(_resolved(dictionary, "/OpenAction"), DictionaryObject):
        return Finding.OPEN_ACTION
    return None


def _resolved(dictionary: DictionaryObject, key: str) -> PdfObject | None:
    value = dict.get(dictionary, key)
    return value.get_object() if isinstance(value, IndirectObject) else value
