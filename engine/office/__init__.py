"""The office's daily work around documents: the clerk's desk, records (hồ sơ), conversations,
notifications, văn bản để biết / thông báo (info_items), and the permission-filtered views of
cases and tasks (queries) and of one task to act on (workspace).

May import: engine.core, engine.models, engine.org, engine.audit, engine.documents,
engine.registry, engine.signatures, engine.workflow, engine.reporting.
"""
