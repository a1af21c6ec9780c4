"""The platform under every domain: settings (config), the database and its schema and
migrations (db, schema), the clock, the domain errors, the running platform built once per
process (platform), jobs every worker claims, backups sealed with the operator's passphrase,
the installation secret and the demo data.

May import: engine.models and outside libraries; ``demo`` and ``backup`` also the domain
packages they fill or save. Nothing here decides who may see or do what (engine.org.permissions).
"""
