"""What every page view shares: the logged-in person of the session cookie inside the
request's one transaction, the page header, paging, safe redirects, and the templates'
filters for dates and pages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, render_template, session
from flask_babel import format_date, format_datetime, get_locale
from markupsafe import Markup
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData, Text, Unauthorized
from engine.models import User
from engine.office import workspace

from . import labels, process_texts
from .context import MAX_PAGE, caller, transaction, write_as

TOKEN_KEY = "token"  # noqa: S105 - the session key under which the access token (engine.org.accounts) is kept
PER_PAGE = 20


class LoginRequired(Exception):
    """No valid session: the page sends the reader to the login page and back."""


class PasswordChangeRequired(Exception):
    """An administrator set this person's password: they choose their own before any other page."""


def session_user(db: Session, now: datetime, choosing_password: bool = False) -> User:
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        raise LoginRequired()
    try:
        user = caller(db, token, now)
    except Unauthorized:
        # Expired, idle too long, logged out elsewhere or the account disabled: this cookie is done.
        session.pop(TOKEN_KEY, None)
        raise LoginRequired() from None
    if user.must_change_password and not choosing_password:
        raise PasswordChangeRequired()
    return user


def _logged_out(_err: Unauthorized) -> Exception:
    """The account was disabled since the session was checked: this cookie is done."""
    session.pop(TOKEN_KEY, None)
    return LoginRequired()


@contextmanager
def staff(write: bool, choosing_password: bool = False) -> Iterator[tuple[Session, User, datetime]]:
    """The request's transaction with the logged-in person (LoginRequired if none); a write's
    session is checked before its transaction (``write_as``)."""
    if write:
        with write_as(lambda db, now: session_user(db, now, choosing_password), _logged_out) as found:
            yield found
        return
    with transaction(write) as (db, now):
        yield db, session_user(db, now, choosing_password), now


def _localized(context: dict[str, Any]) -> dict[str, Any]:
    processes_dir = current_app.extensions["qlvb"].settings.processes_dir
    return process_texts.localized(context, processes_dir, str(get_locale() or process_texts.SOURCE))


def render(template: str, db: Session, user: User, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page with its header (name, unread notifications), inside the view's transaction; the
    processes' texts in the reader's language (webui.process_texts)."""
    return render_template(template, me=workspace.header(db, user), **_localized(context)), status


def _process_text(value: Any) -> Any:
    """One process text in the reader's language, for what a view hands over as objects (a
    register book's name) rather than as data render translates."""
    return _localized({"value": value})["value"]


def page_number(args: Mapping[str, str]) -> int:
    raw = args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidData("Số trang không hợp lệ.", {"page": "Cần một số nguyên dương."})
    return int(raw)


def filters(args: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """A list's filters as typed, trimmed, those left blank ("all") dropped."""
    return {name: args[name].strip() for name in names if args.get(name, "").strip()}


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a relative path of this site: a login link must not send anyone elsewhere.
    Browsers drop tabs and line breaks from a Location and read a backslash as a slash, so
    ``/<TAB>/evil.example`` would become ``//evil.example``: any control character, space or
    backslash refuses the value, and what is left must parse with no scheme and no host."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if any(ord(c) <= 0x20 or c in "\\\x7f" for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def _when(value: str | None) -> str:
    """An ISO date-time (stored in UTC) as the reader's local day and time."""
    return format_datetime(datetime.fromisoformat(value), "dd/MM/yyyy HH:mm") if value else ""


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value[:10]), "dd/MM/yyyy") if value else ""


def _with_page(args: dict[str, str], page: int) -> str:
    """The query string of a list's other page, its filters kept."""
    return urlencode({**args, "page": str(page)})


def vietnamese(value: Any) -> Markup:
    """Document data (what people wrote, names of people, units, agencies and records, numbers)
    marked as Vietnamese, whatever the page's language: screen readers say it as Vietnamese, and
    the English pages' scan (tests/test_ui_english_pages.py) knows it from an untranslated label."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span lang="vi">%s</span>') % value


def said(value: Any) -> Markup:
    """A notice in the platform's own words (engine.core.errors.Text) in the reader's language,
    the names and other data it quotes marked as Vietnamese; anything else is data."""
    if not isinstance(value, Text):
        return vietnamese(value)
    template = Markup.escape(Text.translator(value.template, {}) if Text.translator else value.template)
    if not value.params:
        return template
    return template % {k: v if isinstance(v, int | float) else said(v) for k, v in value.params.items()}


def person_text(who: Mapping[str, Any]) -> str:
    """A person as the staff name them: full name and position (engine.office.people), never the
    username; as plain text (a flash message)."""
    position = labels.POSITION.get(who.get("position") or "")
    return f"{who['full_name']} ({position})" if position else str(who["full_name"])


def person(who: Mapping[str, Any] | None) -> Markup:
    """The same on a page, the name marked as document data."""
    if not who:
        return Markup("")
    position = labels.POSITION.get(who.get("position") or "")
    name = vietnamese(who["full_name"])
    return Markup("%s (%s)") % (name, position) if position else name


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(when=_when, day=_day, combine_page=_with_page, person=person, vi=vietnamese, said=said,
                                 process_text=_process_text)
