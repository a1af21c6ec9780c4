"""The audit log: the hash chain every state change appends to (chain), what an auditor reads
of their agencies' cases (auditing) and the dossier they take away (dossier).

May import: engine.core, engine.models; ``auditing`` and ``dossier`` also engine.org,
engine.workflow and engine.documents, whose records they read.
"""
