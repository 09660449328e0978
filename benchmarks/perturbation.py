"""What the cell-key perturbation costs a reader of the demo report (issue 13).

Seeds the demo into a temporary SQLite database, takes its first release and compares every shown
figure of the released report with the same report on true counts: mean and largest absolute
change of counts, and of percentages in points. Results: benchmarks/results/perturbation.md.

    .venv/bin/python benchmarks/perturbation.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from report import utility_cost  # noqa: E402


def main() -> int:
    from sqlalchemy import select

    from klankbord import create_app
    from klankbord.cli import seed_demo
    from klankbord.extensions import db
    from klankbord.reports import ptable
    from klankbord.reports.models import ReportScope

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-" + "x" * 40,
                "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite",
                "INSTANCE_PATH": tmp,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 1024,
                "SERVER_NAME": "localhost",
                "ANALYSIS_EMBEDDINGS": "off",
            }
        )
        with app.app_context():
            db.create_all()
            seed_demo()
            db.session.commit()
            scope = db.session.execute(select(ReportScope)).scalars().first()
            demo = utility_cost(scope)
    result = {
        "command": "python benchmarks/perturbation.py",
        "ptable": {"max_deviation": ptable.MAX_DEVIATION, "variance": ptable.VARIANCE},
        "demo_report": demo,
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }
    out = ROOT / "benchmarks" / "results" / "perturbation.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# What the perturbation costs a reader",
        "",
        f"`{result['command']}` — {result['measured_at']}. ptable: changes of at most "
        f"{ptable.MAX_DEVIATION}, variance {ptable.VARIANCE}.",
        "",
        "| report | shown counts | mean true count | mean abs change | largest | "
        "mean abs change of % (points) |",
        "|---|---|---|---|---|---|",
        f"| demo (first release) | {demo['shown_counts']} | {demo['mean_true_count']} | "
        f"{demo['mean_abs_count_change']} | {demo['max_abs_count_change']} | "
        f"{demo['mean_abs_percent_point_change']} |",
        "",
        "The 100,000-response figures are in report.md (`benchmarks/report.py`).",
        "",
    ]
    out.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
