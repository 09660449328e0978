"""``klankbord embeddings status|compute``: see and fill the stored embeddings by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("embeddings")
def embeddings_group() -> None:
    """Multilingual embeddings of free text (for themes across languages)."""


@embeddings_group.command("status")
@with_appcontext
def status_command() -> None:
    """Show the setting, the model and how many texts have (or wait for) a vector."""
    from klankbord.embeddings import services

    try:
        embedder = services.default_embedder()
    except (ValueError, ImportError) as error:
        raise click.ClickException(str(error)) from error
    if embedder is None:
        click.echo(f"ANALYSIS_EMBEDDINGS={services.mode()}: no embedding model in use "
                   "(themes use TF-IDF).")
        return
    from klankbord.analysis.embedding import embedder_name

    counts = services.status(embedder_name(embedder))
    click.echo(f"model: {embedder_name(embedder)}")
    click.echo(f"stored: {counts['stored']}  waiting: {counts['waiting']}")


@embeddings_group.command("compute")
@click.option("--limit", default=2000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Embed at most this many texts.")
@with_appcontext
def compute_command(limit: int) -> None:
    """Embed texts that have no vector yet (what the "embed" job does), and commit."""
    from klankbord.embeddings import services
    from klankbord.extensions import db

    try:
        counts = services.embed_pending_texts(limit=limit)
    except (ValueError, ImportError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
