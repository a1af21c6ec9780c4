"""Faster paths inside pyHanko 0.38 (CMS issuer matching, historical revision walks, hex string and
name parsing) and the bridge from ordinary code to its asynchronous signing: each measured in the
README's benchmarks and tested against pyHanko's own result."""
