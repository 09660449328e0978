"""Per-text multilingual embeddings, computed once in the background and erased with their text.

The job "embed" (registered in ``klankbord.jobs.tasks``) calls
:func:`klankbord.embeddings.services.embed_pending_texts`; reports read vectors back with
:func:`~klankbord.embeddings.services.embedding_cache_for`. CLI: ``klankbord embeddings status``
and ``klankbord embeddings compute``.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from klankbord.embeddings import models  # noqa: F401  (the table exists for create_all)
    from klankbord.embeddings.cli import embeddings_group

    app.cli.add_command(embeddings_group)
