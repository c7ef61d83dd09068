"""The one transaction boundary of a web request: views and services change and flush, this
commits or rolls back, once, when the response is ready.

An answer below 400 commits the request's changes. An error answer (bad input, a refusal, a
conflict, a server error) rolls them back, so bad input changes nothing. Either way the access
log entries the gate queued (reads of what the answer shows, and refusals answered with 404) are
written and committed: everything about a patient is logged, including attempts that were
refused.
"""

from __future__ import annotations

from flask import Flask, Response, g

from app.audit.services import write_pending
from app.db import get_session


def finish(response: Response) -> Response:
    session = g.get("db_session")
    if session is None and not g.get("pending_access"):
        return response
    session = session or get_session()
    if response.status_code >= 400:
        session.rollback()
    write_pending(session, response.status_code)
    session.commit()
    return response


def init_app(app: Flask) -> None:
    app.after_request(finish)
