"""The staff's pages (HTML, Jinja2 templates in ``webui/templates``), in five rooms: ``paper`` (documents,
lists, registers, records, search), ``work`` (inbox, tasks, cases, messages), ``account`` (login,
one's own settings), ``administration`` (agency admin, approvals, the designer) and ``oversight``
(audit, reports, statistics); one module per area, each a
blueprint whose name the templates' ``url_for`` calls use (so names and URLs stay fixed).
May import ``webui.common``, ``webui.forms``, ``engine`` (and ``webui.contract.boundary``'s checked JSON
body, for the designer's JSON posts)."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    from webui.pages.account import auth, certificate_settings, delegations, favicon, help, notification_settings
    from webui.pages.administration import (
        address_book,
        admin,
        approvals,
        designer,
        exchange_directory,
        operations,
        retention_table,
        trust,
    )
    from webui.pages.oversight import audit, reports, statistics
    from webui.pages.paper import (
        archives,
        documents,
        electronic,
        info,
        intake,
        lifecycle,
        lists,
        lookup,
        placement,
        records,
        registers,
        scans,
        search,
    )
    from webui.pages.work import cases, create, dashboard, inbox, messages, notices, remote_signing, tasks

    return (auth.bp, inbox.bp, notices.bp, tasks.bp, cases.bp, documents.bp, create.bp, designer.bp, search.bp,
            registers.bp, reports.bp, delegations.bp, audit.bp, records.bp, messages.bp, notification_settings.bp,
            certificate_settings.bp, statistics.bp, admin.bp, intake.bp, lifecycle.bp, placement.bp, approvals.bp,
            info.bp, lists.bp, electronic.bp, exchange_directory.bp, trust.bp, dashboard.bp, help.bp, favicon.bp,
            operations.bp, remote_signing.bp, lookup.bp, scans.bp, address_book.bp, archives.bp,
            retention_table.bp)
