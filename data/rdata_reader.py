"""Reads character vectors out of an R lazy-load database (Rdata.rdx index + Rdata.rdb chunks).

Python standard library only, no R: the index is a gzip'd R serialization (XDR, format 2 or 3)
of list(variables=, references=, compressed=); each variable is a chunk of the .rdb at
(offset, length): a 4-byte big-endian uncompressed length then zlib data holding the XDR
serialization of one object. Only what a package of text needs is decoded: NULL, logical,
integer, double and character vectors, generic vectors (lists), pairlists with tags and
attributes, symbols and references to symbols. Anything else raises ValueError by name.
"""
import gzip
import struct
import zlib

_NILVALUE, _REF, _GLOBALENV, _EMPTYENV, _BASEENV, _MISSINGARG, _BASENAMESPACE = 254, 255, 253, 242, 241, 251, 247
_SYM, _LIST, _LGL, _INT, _REAL, _STR, _CHAR, _VEC = 1, 2, 10, 13, 14, 16, 9, 19
_NA_INT = -2147483648


class _Reader:
    def __init__(self, data: bytes):
        self.d = data
        self.p = 0
        self.refs = []

    def take(self, n: int) -> bytes:
        if self.p + n > len(self.d):
            raise ValueError(f"R serialization truncated at byte {self.p} (wanted {n} more)")
        b = self.d[self.p : self.p + n]
        self.p += n
        return b

    def i32(self) -> int:
        return struct.unpack(">i", self.take(4))[0]

    def header(self) -> None:
        if self.take(2) != b"X\n":
            raise ValueError("not an XDR R serialization (expected 'X\\n')")
        version = self.i32()
        self.i32()  # writer R version
        self.i32()  # minimal reader version
        if version == 3:
            n = self.i32()
            self.take(n)  # native encoding name
        elif version != 2:
            raise ValueError(f"unsupported R serialization version {version}")

    def length(self) -> int:
        n = self.i32()
        if n == -1:  # long vector: two more words
            hi, lo = self.i32(), self.i32()
            n = (hi << 32) | (lo & 0xFFFFFFFF)
        if n < 0:
            raise ValueError(f"negative length {n}")
        return n

    def item(self):
        flags = self.i32()
        t = flags & 0xFF
        has_attr, has_tag = bool(flags & (1 << 9)), bool(flags & (1 << 10))
        if t in (_NILVALUE, _GLOBALENV, _EMPTYENV, _BASEENV, _MISSINGARG, _BASENAMESPACE):
            return None
        if t == _REF:
            idx = flags >> 8
            if idx == 0:
                idx = self.i32()
            return self.refs[idx - 1]
        if t == _SYM:
            name = self.item()
            self.refs.append(name)
            return name
        if t == _LIST:  # pairlist: attributes, tag, car, then cdr
            out = {}
            while True:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                out[tag if tag is not None else len(out)] = self.item()
                flags = self.i32()
                t = flags & 0xFF
                has_attr, has_tag = bool(flags & (1 << 9)), bool(flags & (1 << 10))
                if t == _NILVALUE:
                    return out
                if t != _LIST:
                    raise ValueError(f"pairlist ends in SEXP type {t}")
        if t == _CHAR:
            n = self.i32()
            return None if n == -1 else self.take(n).decode("utf-8" if flags & (1 << 15 | 1 << 3) else "latin-1")
        if t in (_LGL, _INT):
            n = self.length()
            v = list(struct.unpack(f">{n}i", self.take(4 * n)))
            value = [None if x == _NA_INT else x for x in v]
        elif t == _REAL:
            n = self.length()
            value = list(struct.unpack(f">{n}d", self.take(8 * n)))
        elif t in (_STR, _VEC):
            n = self.length()
            value = [self.item() for _ in range(n)]
        else:
            raise ValueError(f"unsupported R SEXP type {t} at byte {self.p}")
        if has_attr:
            attrs = self.item()
            if isinstance(attrs, dict) and "names" in attrs and t == _VEC:
                return dict(zip(attrs["names"], value))
        return value


def unserialize(data: bytes):
    """The Python value of one XDR R serialization (bytes starting with 'X\\n')."""
    r = _Reader(data)
    r.header()
    return r.item()


def read_index(rdx_path: str) -> dict:
    """The variables of a lazy-load database: name -> (offset, length) in the .rdb."""
    with open(rdx_path, "rb") as f:
        raw = f.read()
    index = unserialize(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    if not isinstance(index, dict) or "variables" not in index:
        raise ValueError(f"{rdx_path}: not a lazy-load index (no 'variables')")
    return {name: (int(pos[0]), int(pos[1])) for name, pos in index["variables"].items()}


def read_variable(rdb_path: str, offset: int, length: int):
    """One object of the .rdb: a 4-byte big-endian length then zlib data."""
    with open(rdb_path, "rb") as f:
        f.seek(offset)
        chunk = f.read(length)
    if len(chunk) != length or length < 5:
        raise ValueError(f"{rdb_path}: chunk at {offset} truncated ({len(chunk)} of {length} bytes)")
    expected = struct.unpack(">I", chunk[:4])[0]
    data = zlib.decompress(chunk[4:])
    if len(data) != expected:
        raise ValueError(f"{rdb_path}: chunk at {offset} inflates to {len(data)} bytes, header says {expected}")
    return unserialize(data)
