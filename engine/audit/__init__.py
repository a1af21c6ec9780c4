"""The audit log: the hash chain every state change appends to (chain), refusals that must be on
record though their transaction is rolled back (refusals), what an auditor reads of their
agencies' cases (auditing) and the dossier they take away (dossier).

``chain`` and ``refusals`` are foundation: they import only engine.core and engine.models.
``auditing`` and ``dossier`` read the records of the other packages and may import them.
"""
