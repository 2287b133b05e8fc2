"""The OpenAPI 3.1 description of /api: wire models, per-operation metadata and the document builder.

Resources describe their methods with `operation.describe(...)`; `document.build_document` walks the
Flask url_map, so a route without a description is missing from the document (tests catch that).
"""
