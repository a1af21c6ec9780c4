"""Liên thông văn bản between agencies' systems (QCVN 102:2016/BTTTT), free of Flask and of the
engine's database: :mod:`exchange.edxml` reads and writes the packages."""
