"""Liên thông between installations: edXML packages (``exchange.edxml``, free of any
database), and beside it the agency directory, the outbox, the transports and the import."""
