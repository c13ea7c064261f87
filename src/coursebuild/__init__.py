"""Build glue for the course site: MkDocs plugin, equation numbering, strict code execution.

Chapter authors never need to read this package; students never import it.
See CONTRIBUTING.md for what it lets a chapter do.
"""
