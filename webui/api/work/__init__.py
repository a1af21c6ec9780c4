"""One's work in the JSON API: tokens, processes, cases and tasks (``workflow``), messages, notifications."""
