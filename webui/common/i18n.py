"""The pages' languages: Vietnamese by default, English on request (Flask-Babel). The
texts are written in Vietnamese in the templates; ``translations/en`` holds English.
Times are shown in Vietnam's time zone, whatever the server's (pageutil's filters)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel

from . import labels
from .pageutil import safe_next

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"

bp = Blueprint("i18n", __name__)


def current_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


@bp.post("/language")
def choose() -> Any:
    """Switch the language of the pages for this session, then go back where the user was."""
    wanted = request.form.get("lang", "")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    app.config.update(BABEL_DEFAULT_LOCALE=DEFAULT, BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh")
    Babel(app, locale_selector=current_locale)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_locale=current_locale, labels=labels)
    app.register_blueprint(bp)
