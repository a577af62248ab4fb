"""Keep the beneficiary's confirmation token out of every log line.

The token in /c/<token>/ is the beneficiary's only key to their page (it is printed on a
card); an access log that keeps it lets whoever reads the logs confirm or dispute in their
name. It travels in the request line, and in the Referer of every request the page makes
afterwards (its static files, its own form), so every field of a line is redacted.

Two doors: ``RedactTokens``, a logging filter on the console handler (Django's request
and security loggers, runserver's ``django.server``), and ``AccessLogger``, gunicorn's
logger class (``--logger-class core.log_redaction.AccessLogger`` in the Dockerfile and
compose), which redacts each atom of the access-log line before it is formatted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from gunicorn.glogging import Logger
from gunicorn.http import Request
from gunicorn.http.wsgi import Response

if TYPE_CHECKING:
    from gunicorn.glogging import _AtomsDict

REDACTED = "[redacted]"

# /c/<token> as the first segment of a path, after an optional language prefix: at the
# start, after a space, quote or "=", or after the host of an absolute URL (a Referer).
_TOKEN_PATH = re.compile(r"""((?:^|[\s"'=]|//[^/\s"']+)(?:/[A-Za-z]{2}(?:-[A-Za-z]+)?)?/c/)[^/?#\s"']+""")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Rewrite a record's message with the tokens redacted (always lets it through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # A traceback may quote the path too; formatted here so that it can be redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class AccessLogger(Logger):
    """gunicorn's logger, with every access-log atom redacted."""

    def atoms(
        self, resp: Response, req: Request, environ: MutableMapping[str, Any], request_time: timedelta
    ) -> _AtomsDict:
        atoms = super().atoms(resp, req, environ, request_time)
        return cast(
            "_AtomsDict", {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
        )
