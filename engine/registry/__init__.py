"""Sổ văn bản: registers and their numbering (registers, the one place that takes a number),
the register views and printed books, where the number and date go on the draft (placement),
the checks before an incoming document takes its number (intake), each agency's incoming
procedures (incoming) and what happens to an issued document later: void, recall, correct,
replace (lifecycle).

May import: engine.core, engine.models, engine.org, engine.audit, engine.documents,
engine.signatures, engine.reporting (printed tables), signing.
"""
