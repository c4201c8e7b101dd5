"""Version of the connector."""

MIN_API = "1.2.3"
__version__ = "1.2.3"  # x-cutter-version
