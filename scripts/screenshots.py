"""Pictures of every kind of page of ``kg serve``, at a desktop's and a phone's width, to
look at before and after a change to the pages (they are not kept in the repository).

    python scripts/screenshots.py OUT_DIR [--data DIR] [--only NAME...]

Starts ``kg serve --port 0`` over the graph (the checkout by default), opens each page
in headless Chromium (Playwright, as the browser tests do) and writes
``OUT_DIR/<page>-desktop.png`` (1280x900) and ``OUT_DIR/<page>-phone.png`` (390x844),
each the whole page's length. Exits 2 with a message when Chromium or Playwright is
missing or the server does not start.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: one page of every kind: name -> path on the server
PAGES = {
    "home": "/",
    "queries": "/queries",
    "query-form": "/queries/delegations-at-meeting",
    "query-results": "/queries/delegations-at-meeting?event=kgi:eco-apg-meeting-4",
    "query-as-of": "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=2025-06-01",
    "editor": "/editor?query=SELECT+%3Fs+%3Fl+WHERE+%7B+%3Fs+a+kg%3AState+%3B+rdfs%3Alabel+%3Fl+%7D",
    "api": "/api",
    "search": "/search?q=tajik",
    "meeting": "/id/eco-apg-meeting-4",
    "state": "/id/state-tj",
    "organisation": "/id/eco",
    "body": "/id/ecopol",
    "instrument": "/id/ru-in-prosecutors-2015-draft-agreement",
    "person": "/id/kamran-aliyev",
    "post": "/id/post-ambassador-pk-uz",
    "source-document": "/id/src-agora-sco-2021",
    "source-section": "/id/src-agora-sco-2021-s1-introduction",
    "ontology": "/ontology/index.html",
    "vocabularies": "/ontology/vocab.html",
    "shapes": "/ontology/shapes.html",
    "suggest": "/suggest",
    "error": "/id/no-such-thing",
    "error-bad-day": "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=2025-02-30",
}
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def fail(message: str) -> None:
    print(f"screenshots: {message}", file=sys.stderr)
    raise SystemExit(2)


def serve(data: Path) -> tuple[subprocess.Popen[str], str]:
    """``kg serve --port 0`` and the address it says it serves at."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "--data", str(data), "serve", "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found: list[str] = []
    said: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            said.append(line)
            m = re.search(r"serving the graph at (http://\S+?)/? ", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(180)
    if not found:
        proc.kill()
        fail("kg serve did not start:\n" + "".join(said[-20:]))
    return proc, found[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files (created)")
    parser.add_argument("--data", type=Path, default=ROOT, help="graph directory to serve (default: this checkout)")
    parser.add_argument("--only", nargs="*", choices=sorted(PAGES), help="only these pages")
    args = parser.parse_args()

    chromium = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        fail("no chromium on this machine (apt-get install chromium, or set KG_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        fail("Playwright is not installed (pip install -e '.[test]')")
    args.out.mkdir(parents=True, exist_ok=True)
    proc, url = serve(args.data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            for name in args.only or PAGES:
                for size, viewport in SIZES.items():
                    context = browser.new_context(viewport=viewport)
                    page = context.new_page()
                    answer = page.goto(url + PAGES[name], wait_until="networkidle")
                    target = args.out / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"{target}  ({answer.status if answer else '?'})")
                    context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
