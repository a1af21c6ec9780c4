"""The home page's figures (trang tổng quan), per role."""
