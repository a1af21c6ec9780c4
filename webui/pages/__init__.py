"""The staff's pages (HTML, Jinja2 templates in ``webui/templates``): one module per area, each a
blueprint whose name the templates' ``url_for`` calls use (so names and URLs stay fixed).
May import ``webui.common``, ``webui.forms``, ``engine`` (and ``webui.api.util``'s JSON body, for
the designer's JSON posts)."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    from . import (
        admin,
        approvals,
        audit,
        auth,
        cases,
        certificate_settings,
        create,
        delegations,
        designer,
        documents,
        inbox,
        info,
        intake,
        lifecycle,
        messages,
        notices,
        notification_settings,
        placement,
        records,
        registers,
        remote_signing,
        reports,
        search,
        statistics,
        tasks,
    )

    return (auth.bp, inbox.bp, notices.bp, tasks.bp, cases.bp, documents.bp, create.bp, designer.bp, search.bp,
            registers.bp, reports.bp, delegations.bp, audit.bp, records.bp, messages.bp, notification_settings.bp,
            certificate_settings.bp, statistics.bp, admin.bp, intake.bp, lifecycle.bp, placement.bp, approvals.bp,
            info.bp, remote_signing.bp)
