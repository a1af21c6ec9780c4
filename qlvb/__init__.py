"""The ``qlvb`` command line: another thin entry point onto the services in ``engine``."""
