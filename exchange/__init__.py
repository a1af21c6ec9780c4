"""Liên thông văn bản between agencies' systems (QCVN 102:2016/BTTTT), free of Flask:
:mod:`exchange.edxml` reads and writes the packages (free of the engine's database too); beside
it the agency directory, the outbox and its transports, the import and the statuses, which use
the engine's database."""
