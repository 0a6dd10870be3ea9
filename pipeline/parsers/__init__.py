"""One module per document family. Each exposes ``parse(path, doc) -> dict[table_name, DataFrame]``.

Parsers are plain functions (no Dagster): they read one archived document and return rows for the
published tables, every row carrying ``document_id`` and ``page``. When the document's structure is not
recognised they raise :class:`pipeline.parsers.base.ParseError` naming document, page and expectation,
rather than returning a short table.
"""
