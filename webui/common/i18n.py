"""The pages' languages: Vietnamese by default, English on request (Flask-Babel). The
texts are written in Vietnamese in the templates; ``translations/en`` holds English.
Times are shown in Vietnam's time zone, whatever the server's (pageutil's filters).
The domain's messages (engine.core.errors.Text) are said in the same language; the API, which has
no page to choose it on, speaks the language of the request's Accept-Language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, has_request_context, redirect, request, session
from flask_babel import Babel, gettext

from engine.core.errors import Text

from . import labels
from .pageutil import safe_next

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"

bp = Blueprint("i18n", __name__)


def current_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT
    return DEFAULT


def _translate(template: str, params: Mapping[str, Any]) -> str:
    if not has_request_context():  # the command line and the workers: Vietnamese
        return template % params if params else template
    return str(gettext(template, **params))


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
    Text.translator = _translate
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_locale=current_locale, labels=labels)
    app.register_blueprint(bp)
