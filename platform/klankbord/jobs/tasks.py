"""The jobs themselves: thin module-level functions, each calling one service of its domain.

APScheduler stores ``scheduled_run`` by reference with the job name as its only argument.
"""

from __future__ import annotations

from klankbord.jobs.runner import run_job


def scheduled_run(name: str) -> None:
    """Entry point of every scheduled tick: run job ``name`` for its current period."""
    from klankbord.jobs.schedule import scheduler_app

    app = scheduler_app()
    with app.app_context():
        result = run_job(name, trigger="scheduler")
        app.logger.info("job %s %s: %s", name, result.period_key, result.outcome)
