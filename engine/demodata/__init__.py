"""Demo documents (dữ liệu mẫu): a few hundred documents of every kind and state across the demo
agencies, so that every list, register, report and chart of ``make run`` shows something."""
