"""Lighthouse (mobile) on the shop's home, a category and a product page: the four scores per page.

    .venv/bin/python bench/lighthouse.py [--base http://127.0.0.1:8000] [--language fr]

Needs a running shop (``make demo``: uvicorn, DEBUG off, the demo's photos) and Lighthouse: the
``lighthouse`` command on PATH, else ``LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse``, else it
runs ``npx --yes lighthouse@13`` (which downloads it once). Chromium is Debian's /usr/bin/chromium.
Lighthouse's default mobile settings: a mid-range phone on a slow 4G link, simulated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import print_table  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_command() -> list[str]:
    if os.environ.get("LIGHTHOUSE"):
        return [os.environ["LIGHTHOUSE"]]
    if shutil.which("lighthouse"):
        return ["lighthouse"]
    return ["npx", "--yes", "lighthouse@13"]


def page_urls(base: str, language: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{base}/{language}/", timeout=30) as response:  # noqa: S310 (local)
        home = response.read().decode()
    category = re.search(rf'href="(/{language}/c/[^"]+/)"', home)
    product = re.search(rf'href="(/{language}/p/[^"]+/)"', home)
    if category is None or product is None:
        raise SystemExit("no category or product link on the home page: is the demo seeded?")
    home_url = f"{base}/{language}/"
    return {"home": home_url, "category": base + category.group(1), "product": base + product.group(1)}


def run(url: str) -> tuple[dict[str, int], list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(
            [*lighthouse_command(), url, "--chrome-path=/usr/bin/chromium", "--quiet", "--output=json",
             f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
            check=True, timeout=300,
        )  # fmt: skip
        report = json.loads(out.read_text())
    scores = {key: round((report["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
    failing = []
    for key in CATEGORIES:
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 0.9:
                failing.append(f"{key}: {ref['id']} {audit.get('displayValue', '')}".strip())
    return scores, failing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--language", default="fr")
    args = parser.parse_args()
    rows = []
    for name, url in page_urls(args.base.rstrip("/"), args.language).items():
        scores, failing = run(url)
        rows.append([name, *(scores[key] for key in CATEGORIES), url])
        for line in failing:
            print(f"  {name}: {line}")
    print_table(["page", *CATEGORIES, "url"], rows)


if __name__ == "__main__":
    main()
