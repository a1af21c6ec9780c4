"""Reports and statistics: the register reports (báo cáo văn thư), the overview, compliance
statistics, PDF tables and the files made for download (exports).

May import: engine.core, engine.models, engine.org (permissions).
"""
