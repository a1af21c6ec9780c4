"""Pages of one's work: the inbox, a task to act on and what one is told after it, a case, starting a
case, internal messages and notifications."""
