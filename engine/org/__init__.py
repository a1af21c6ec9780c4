"""Organisation and access: accounts, sessions and tokens, passwords and login throttling,
administration of agencies, units and people, approvals of administrators' sensitive acts,
delegations (ủy quyền), key files, and permissions: the one place that decides who may see or do
what. Every package that lists or shows documents asks ``engine.org.permissions``.

May import: engine.core, engine.models, engine.audit.
"""
