"""The ``klankbord`` command: a Flask CLI group with Klankbord's own commands."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from klankbord.core.registry import demo_base_url as demo_base_url  # re-exported
from klankbord.core.registry import registry
from klankbord.core.slugs import slugify
from klankbord.extensions import db

DEMO_PASSWORD = "klankbord-demo-wachtwoord"


def main() -> None:
    from klankbord import create_app

    cli = FlaskGroup(
        create_app=lambda: create_app(),
        help="Klankbord: listen to refugees and act on what you hear.",
    )
    cli.main(prog_name="klankbord")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organisation", "org_name", prompt="Organisation name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(email: str, name: str, org_name: str, password: str) -> None:
    """Create an organisation (if needed) and an administrator for it."""
    from klankbord.accounts import services
    from klankbord.accounts.models import Organisation, Role

    org = db.session.execute(
        select(Organisation).where(Organisation.name == org_name)
    ).scalar_one_or_none()
    if org is None:
        org = services.create_organisation(org_name, slugify(org_name))
    try:
        user = services.create_user(email, name, password, context=(org.name, org.slug))
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    services.set_membership(user, org, Role.ADMIN)
    db.session.commit()
    click.echo(
        f"Administrator {user.email} created for {org.name}. "
        "They set up a second factor at first login."
    )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no organisations.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Seed a demo municipality with locations and users of every role, and print their logins."""
    from klankbord.accounts.models import Organisation

    if if_empty and db.session.execute(select(func.count(Organisation.id))).scalar_one():
        click.echo(
            "Database already has data; demo not seeded. Demo logins (if it was seeded): "
            f"admin@, facilitator@, beleid@voorbeeldstad.example, password {DEMO_PASSWORD}"
        )
        return
    started = time.monotonic()

    def progress(step: str) -> None:
        click.echo(f"[{time.monotonic() - started:5.1f} s] {step}", err=True)

    lines = seed_demo(progress)
    db.session.commit()
    progress("done")
    click.echo("\n".join(lines))


def seed_demo(progress: Callable[[str], None] | None = None) -> list[str]:
    """Create the demo organisations and users; return lines to print.

    ``progress`` hears one line before each step: seeding takes a minute, and a newcomer who
    sees nothing for that long thinks it hangs.
    """
    progress = progress or (lambda step: None)
    progress("organisations, locations and demo logins")
    import pyotp

    from klankbord.accounts import services
    from klankbord.accounts.models import Role

    org = services.create_organisation("Gemeente Voorbeeldstad", "voorbeeldstad")
    for name, kind in [
        ("AZC Voorbeeldstad-Oost", "azc"),
        ("Opvang Oekraïners De Linde", "goo"),
        ("Noodopvang Sporthal West", "noodopvang"),
    ]:
        services.add_location(org, name, kind)
    region = services.create_organisation("Regio Oost (steunorganisatie)", "regio-oost")
    services.add_location(region, "AZC Heuvelrug", "azc")
    users = {}
    for key, name, role in [
        ("admin", "Anna Admin", Role.ADMIN),
        ("facilitator", "Fatima Facilitator", Role.FACILITATOR),
        ("beleid", "Bram Beleid", Role.POLICYMAKER),
    ]:
        user = services.create_user(
            f"{key}@voorbeeldstad.example", name, DEMO_PASSWORD, check_policy=False
        )
        services.set_membership(user, org, role)
        users[key] = user
    services.set_membership(users["facilitator"], region, Role.FACILITATOR)
    users["admin"].totp_secret = pyotp.random_base32()
    lines = [
        "Demo data for 'Gemeente Voorbeeldstad' (and 'Regio Oost') is ready.",
        f"  password for every demo login: {DEMO_PASSWORD}",
        "  admin (needs a second factor)    admin@voorbeeldstad.example",
        f"      TOTP secret for your authenticator app: {users['admin'].totp_secret}",
        "      or print the current code: klankbord demo-code admin@voorbeeldstad.example",
        "  facilitator (two organisations)  facilitator@voorbeeldstad.example",
        "  policymaker                      beleid@voorbeeldstad.example",
    ]
    for seeder in registry(current_app).demo_seeders:
        progress((seeder.__doc__ or seeder.__name__).strip().splitlines()[0].split(";")[0])
        lines.extend(seeder(org) or [])
    return lines


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code(email: str) -> None:
    """Print the current TOTP code of a user (development only)."""
    import pyotp

    from klankbord.accounts.models import User

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Not available in production.")
    user = db.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()
    if user is None or not user.totp_secret:
        raise click.ClickException("No such user with a second factor.")
    click.echo(pyotp.TOTP(user.totp_secret).now())


@click.command("check")
@with_appcontext
def check() -> None:
    """Check the configuration and the database connection."""
    from sqlalchemy import text

    from klankbord.config import config_problems

    problems = config_problems(current_app.config)
    try:
        db.session.execute(text("SELECT 1"))
        click.echo(f"Database: ok ({db.engine.url.render_as_string(hide_password=True)})")
    except Exception as error:  # report any driver error plainly
        problems.append(f"Database does not answer: {error.__class__.__name__}")
    for problem in problems:
        click.echo(f"- {problem}")
    if problems and current_app.config.get("ENV_NAME") == "production":
        sys.exit(1)
    click.echo("Configuration checked: " + ("ok" if not problems else f"{len(problems)} remark(s)"))


@click.command("cluster")
@click.argument("input_path", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@click.option("--k", "k", default="auto", show_default=True, help="Number of themes, or 'auto'.")
@click.option("--lang", default=None, help="Language code for texts without one.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--features",
    type=click.Choice(["auto", "tfidf", "embeddings"]),
    default=None,
    help="embeddings (local multilingual model), tfidf, or auto; default: from "
    "ANALYSIS_EMBEDDINGS (auto: embeddings when installed).",
)
def cluster(
    input_path: str, out_path: str, k: str, lang: str | None, seed: int, features: str | None
) -> None:
    """Cluster free text from a JSONL file into themes (no database needed)."""
    from flask import current_app

    from klankbord.analysis.cli import run_cluster

    if features is None:
        setting = str(current_app.config.get("ANALYSIS_EMBEDDINGS", "auto")).lower()
        features = {"off": "tfidf", "on": "embeddings"}.get(setting, "auto")
    code = run_cluster(input_path, out_path, k=k, lang=lang, seed=seed, features=features)
    if code:
        sys.exit(code)


COMMANDS = [create_admin, demo, demo_code, check, cluster]


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
