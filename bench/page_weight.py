"""Page weight and time to first byte of the mission question's results page, against `mizan serve`.

    .venv/bin/python bench/page_weight.py [--index DIR] [--warm 10]

Builds the seeds index (../shared/seeds, with vectors) unless --index is given, starts
`mizan serve` as a user does, then asks for /search?q=<the mission's question>: once right
after start (cold: the worker opens the index and loads the embedding model) and --warm times
after. Prints a markdown table; the HTML is weighed as sent (gzip) and unpacked, and the CSS
and JS beside it.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import SHARED, Server, build_index  # noqa: E402

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"


def fetch(port: int, path: str) -> tuple[float, float, bytes, dict[str, str]]:
    """(seconds to the first byte, seconds to the last, body as sent, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    first = time.perf_counter() - start
    body = response.read()
    last = time.perf_counter() - start
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return first, last, body, headers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, help="an index to serve (default: the seeds, built here)")
    parser.add_argument("--warm", type=int, default=10, help="warm requests after the first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            build_index([SHARED / "seeds"], index, embed=True)
        server = Server(index, "--workers", "1")
        try:
            path = "/search?q=" + quote(QUESTION)
            cold_first, cold_last, body, headers = fetch(server.port, path)
            warm = [fetch(server.port, path)[:2] for _ in range(args.warm)]
            html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
            weights = []
            for asset in assets:
                _, _, packed, h = fetch(server.port, asset.decode())
                plain = gzip.decompress(packed) if h.get("content-encoding") == "gzip" else packed
                weights.append((asset.decode().rsplit("/", 1)[1], len(plain), len(packed)))
        finally:
            server.stop()
    print(f"Mission question's results page, `mizan serve` (1 worker), {index}:\n")
    print("| what | unpacked | sent (gzip) |\n|---|---:|---:|")
    print(f"| HTML | {len(html) / 1024:.1f} KB | {len(body) / 1024:.1f} KB |")
    for name, plain, packed in weights:
        print(f"| {name} | {plain / 1024:.1f} KB | {packed / 1024:.1f} KB |")
    print("\n| request | time to first byte | to last byte |\n|---|---:|---:|")
    print(f"| cold (first after start) | {cold_first * 1000:.0f} ms | {cold_last * 1000:.0f} ms |")
    firsts = [w[0] for w in warm]
    lasts = [w[1] for w in warm]
    print(
        f"| warm (median of {len(warm)}) | {statistics.median(firsts) * 1000:.0f} ms "
        f"| {statistics.median(lasts) * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
