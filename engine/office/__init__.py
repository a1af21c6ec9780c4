"""The office's daily work around documents: the clerk's desk, records (hồ sơ), conversations,
notifications, văn bản để biết / thông báo (info_items), and the permission-filtered views of
cases and tasks (queries) and of one task to act on (workspace); the document lists of the
left-hand tree (document_lists), read marks (reading), who holds a document now (holders),
people by name and position (people), the recipients' address book and chuyển để biết from a
list (forwarding).

May import: engine.core, engine.models, engine.org, engine.audit, engine.documents,
engine.registry, engine.signatures, engine.workflow, engine.reporting.
"""
