"""The generator's version, written into every module and page it makes."""

__version__ = "0.1.0"
