"""Shared helpers of krbdump's script tests (python3 standard library only).

Each test script is run by ctest as `python3 SCRIPT KRBDUMP DATA_DIR [...]`; it prints one
line per check ("ok ..." / "FAIL ...") and exits 1 if any check failed.
"""

import calendar
import json
import os
import resource
import subprocess
import sys
import time


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.passes = 0

    def ok(self, cond, what, detail=""):
        if cond:
            self.passes += 1
            print(f"ok   {what}")
        else:
            self.failures += 1
            print(f"FAIL {what}" + (f"\n     {detail}" if detail else ""))
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, what, f"got  {got!r}\n     want {want!r}")

    def done(self):
        print(f"{self.name}: {self.passes} passed, {self.failures} failed")
        if self.passes == 0:
            print(f"{self.name}: nothing was checked")
            sys.exit(1)
        sys.exit(1 if self.failures else 0)


def args():
    if len(sys.argv) < 3:
        sys.exit(f"usage: {sys.argv[0]} KRBDUMP DATA_DIR [...]")
    return sys.argv[1], sys.argv[2], sys.argv[3:]


class Run:
    def __init__(self, rc, out, err, maxrss_kb):
        self.rc, self.out, self.err, self.maxrss_kb = rc, out, err, maxrss_kb

    def json(self):
        return json.loads(self.out)


def limit_memory():
    # 1 GiB of address space: an input that asks for more must be refused, not allocated.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


_sanitized = {}


def asan_build(krbdump):
    """True for an AddressSanitizer build, whose shadow memory alone needs terabytes of
    address space: such a run gets no address-space limit (peak RSS is still measured).
    So is a cross build's wrapper script, which starts krbdump under qemu-user: qemu reserves
    a 32-bit guest's whole address space up front."""
    if krbdump not in _sanitized:
        with open(krbdump, "rb") as f:
            if f.read(2) == b"#!":
                _sanitized[krbdump] = True
                return True
        p = subprocess.run(["ldd", krbdump], capture_output=True, text=True)
        _sanitized[krbdump] = "libasan" in p.stdout
    return _sanitized[krbdump]


def run(krbdump, argv, stdin=None, timeout=60):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([krbdump] + argv, input=stdin, capture_output=True, timeout=timeout,
                       preexec_fn=None if asan_build(krbdump) else limit_memory, env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"), max(after, before))


def run_json(krbdump, argv, **kw):
    r = run(krbdump, ["--json"] + argv, **kw)
    try:
        doc = json.loads(r.out)
    except ValueError as e:
        doc = None
        r.err += f"\n(stdout is not JSON: {e}: {r.out[:200]!r})"
    return r, doc


# --- the JSON tree: {"name", "kind", "value", "label"?, "flags"?, "note"?, "children"?} ---

def walk(node, path=()):
    """Yields (path, node) for node and every descendant; path is the tuple of names above."""
    yield path, node
    for child in node.get("children", []):
        yield from walk(child, path + (node.get("name", ""),))


def inputs(doc):
    return doc["inputs"] if doc else []


def nodes(root, name=None, kind=None):
    return [n for _, n in walk(root)
            if (name is None or n.get("name") == name) and (kind is None or n.get("kind") == kind)]


def values(root, name, kind=None):
    return [n.get("value") for n in nodes(root, name, kind)]


def strings(root):
    """Every rendered scalar (value and label) in the tree, as strings."""
    out = []
    for _, n in walk(root):
        for k in ("value", "label"):
            if k in n and n[k] is not None:
                out.append(str(n[k]))
    return out


def notes(root):
    return [n["note"] for _, n in walk(root) if n.get("note")]


def enum_number(node):
    """An enum node's number (value, or the "(N)" of a string value)."""
    v = node.get("value")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.endswith(")") and "(" in v:
        try:
            return int(v[v.rfind("(") + 1:-1])
        except ValueError:
            return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def utc_seconds(text, fmt):
    return calendar.timegm(time.strptime(text, fmt))


# Enctype names MIT's tools print, and their numbers (RFC 3961 §8, RFC 4757, RFC 6803,
# RFC 8009): the oracle's own table, not krbdump's.
MIT_ENCTYPES = {
    "des3-cbc-sha1": 16,
    "aes128-cts-hmac-sha1-96": 17,
    "aes256-cts-hmac-sha1-96": 18,
    "aes128-cts-hmac-sha256-128": 19,
    "aes256-cts-hmac-sha384-192": 20,
    "arcfour-hmac": 23,
    "DEPRECATED:arcfour-hmac": 23,
    "arcfour-hmac-exp": 24,
    "camellia128-cts-cmac": 25,
    "camellia256-cts-cmac": 26,
}

# MIT klist's ticket flag letters (klist.c flags_string) and the RFC 4120 §5.3 names.
KLIST_FLAGS = {
    "F": "forwardable", "f": "forwarded", "P": "proxiable", "p": "proxy",
    "D": "may-postdate", "d": "postdated", "i": "invalid", "R": "renewable",
    "I": "initial", "H": "hw-authent", "A": "pre-authent", "T": "transited-policy-checked",
    "O": "ok-as-delegate", "a": "anonymous",
}
