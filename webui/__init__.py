"""The web entry point: the JSON API and the staff's pages, over the services in ``engine``."""

from __future__ import annotations

import os

from flask import Flask

from engine.core.config import Settings
from engine.core.platform import Platform
from exchange import hooks as exchange_hooks


def create_app(platform: Platform | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    platform = platform or Platform.from_settings(Settings.from_env())
    app.extensions["qlvb"] = platform
    exchange_hooks.install()  # the exchange's part in the engine's steps (engine/hooks.py)

    from . import api, pages
    from .common import context, errors, i18n, limits, pageutil, security, timing
    from .contract import boundary

    timing.init_app(app, platform.settings.server_timing)  # first: its clock starts before the others' work
    limits.init_app(app, platform.settings)  # before anything reads the body
    security.init_app(app, platform.settings.data_dir, platform.settings.token_ttl, os.environ,
                      platform.settings.sign_agent_port)
    i18n.init_app(app)
    pageutil.init_app(app)
    errors.register(app)
    boundary.init_app(app)
    context.init_app(app)

    for blueprint in (*api.blueprints(), *pages.blueprints()):
        app.register_blueprint(blueprint)
    return app
