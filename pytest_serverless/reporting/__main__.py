"""``python -m pytest_serverless.reporting``: combine coverage data files and report on them outside pytest.

    python -m pytest_serverless.reporting combine shard1.json shard2.json -o .sfn-coverage.json
    python -m pytest_serverless.reporting report --term --html sfn-coverage --json cov.json --fail-under 90

``report`` reads ``.sfn-coverage.json`` unless ``--data`` names other files (several are combined). Exit
status: 0, 2 for bad input, 1 when ``--fail-under`` is not reached.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .coverage import DATA_FILE, CoverageData
from .html import write_html
from .render import json_text, term_lines, under_threshold

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_serverless.reporting", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    combine = commands.add_parser("combine", help="merge data files into one")
    combine.add_argument("files", nargs="+", type=Path)
    combine.add_argument("-o", "--output", type=Path, default=Path(DATA_FILE))
    report = commands.add_parser("report", help="term, html and json reports from data files")
    report.add_argument("--data", nargs="+", type=Path, default=[Path(DATA_FILE)])
    report.add_argument("--term", action="store_true", help="print the term report (the default)")
    report.add_argument("--html", type=Path, metavar="DIR")
    report.add_argument("--json", type=Path, metavar="FILE")
    report.add_argument("--fail-under", type=float, metavar="PCT")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    files = args.files if args.command == "combine" else args.data
    try:
        data = CoverageData.combine(files)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "combine":
        data.save(args.output)
        print(f"combined {len(files)} data files into {args.output}")
        return 0
    if args.term or not (args.html or args.json):
        print("\n".join(term_lines(data)))
    if args.html:
        print(f"state machine coverage html written to {write_html(data, args.html).parent}/")
    if args.json:
        args.json.write_text(json_text(data), encoding="utf-8")
        print(f"state machine coverage json written to {args.json}")
    if args.fail_under is not None:
        failure = under_threshold(data, args.fail_under)
        if failure is not None:
            print(failure)
            return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
