"""Shared machinery of the data imports (roster, committees, places, ZIP districts): reading a path or URL,
parsing YAML with line numbers and CSV with column aliases, clear errors, progress and change reports."""
