"""Add up the JUnit XML reports of one `make test` run into one closing line.

Usage: ``python ops/test_summary.py REPORT.xml...``; prints
``total: N passed, N failed, N skipped`` (errors count as failed). A missing
or unreadable report counts as one failure: the suite did not report.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def count(report: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) in one JUnit XML report."""
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        return 0, 1, 0
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    passed = failed = skipped = 0
    for suite in suites:
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += tests - bad - skip
        failed += bad
        skipped += skip
    return passed, failed, skipped


def main(paths: list[str]) -> int:
    totals = [0, 0, 0]
    for path in paths:
        for index, value in enumerate(count(Path(path))):
            totals[index] += value
    passed, failed, skipped = totals
    sys.stdout.write(f"total: {passed} passed, {failed} failed, {skipped} skipped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
