"""Adapters between the registry and the outside world's formats (spreadsheet files)."""
