"""Re-fetch the third-party pages of the `kg suggest` evaluation set and check the stored texts.

evaluation.yaml (in the repository) holds only each page's address, the facts a careful reader
extracts and the sha256 of the plain text the facts were written against. The texts themselves
(texts/<id>.txt, and the texts/<id>.html this script downloads) are third-party material: they
stay out of the repository, and bench/suggest/.gitignore ignores the whole texts/ folder.

For every entry this script downloads the URL into texts/<id>.html when the .txt is missing and the
network allows it (the .txt is then made by hand from the page: title line, then the body), and
reports whether each stored .txt matches its sha256. It is a manual tool: it never runs at test
time (it refuses under pytest) and it says so plainly when the network is unreachable.

    python bench/suggest/fetch.py
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "texts"
FIELD = re.compile(r"^\s*(?:- )?(id|url|sha256): (\S+)\s*$")


def entries() -> list[dict[str, str]]:
    """id, url and sha256 of each text, read line by line (no YAML library needed)."""
    out: list[dict[str, str]] = []
    for line in (HERE / "evaluation.yaml").read_text(encoding="utf-8").splitlines():
        m = FIELD.match(line)
        if m and m.group(1) == "id":
            out.append({"id": m.group(2)})
        elif m and out and m.group(1) not in out[-1]:
            out[-1][m.group(1)] = m.group(2)
    return out


def download(url: str, dest: Path) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "jckg-bench-fetch/1 (manual re-fetch)"})
    with urllib.request.urlopen(req, timeout=20) as resp:  # addresses come from our own file
        dest.write_bytes(resp.read())


def main() -> int:
    if "pytest" in sys.modules or "PYTEST_CURRENT_TEST" in os.environ:
        print("fetch.py is a manual tool and does not run at test time.", file=sys.stderr)
        return 2
    TEXTS.mkdir(exist_ok=True)
    online, bad = True, 0
    for e in entries():
        txt, html = TEXTS / f"{e['id']}.txt", TEXTS / f"{e['id']}.html"
        if not txt.exists() and not html.exists() and online:
            try:
                download(e["url"], html)
                print(f"{e['id']}: downloaded to {html.name}; make {txt.name} from it by hand")
            except urllib.error.HTTPError as exc:
                print(f"{e['id']}: HTTP {exc.code} from {e['url']}")
            except (TimeoutError, urllib.error.URLError, OSError) as exc:
                online = False
                print(f"NETWORK UNREACHABLE ({getattr(exc, 'reason', exc)}): no further downloads this run.")
        if not txt.exists():
            print(f"{e['id']}: no stored text" + ("" if online else " (network unreachable, not fetched)"))
            bad += 1
            continue
        ok = hashlib.sha256(txt.read_bytes()).hexdigest() == e.get("sha256")
        bad += not ok
        print(f"{e['id']}: {'sha256 matches' if ok else 'SHA256 DIFFERS from evaluation.yaml'}")
    print(f"{len(entries()) - bad} of {len(entries())} texts present and matching")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
