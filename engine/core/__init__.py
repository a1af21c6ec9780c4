"""The platform under every domain: settings (config), the database and its schema and
migrations (db, schema), the clock, the domain errors, the running platform built once per
process (platform), the budgets a diagram's scripts run under (script_budget), jobs every
worker claims, backups sealed with the operator's passphrase and the installation secret,
secrets read from files kept from the machine's other users or from systemd credentials
(credentials).

May import: engine.models, the audit chain (engine.audit.chain, engine.audit.refusals) and
outside libraries; never a domain package (an import-linter contract checks it).
"""
